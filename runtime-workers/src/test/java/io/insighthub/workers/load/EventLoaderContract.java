package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.insighthub.workers.warehouse.JdbcWarehouse;
import io.insighthub.workers.warehouse.SourceOffset;
import io.insighthub.workers.warehouse.TableId;
import io.insighthub.workers.warehouse.Warehouse;
import io.insighthub.workers.warehouse.WarehouseException;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Validated events, sessions and aggregates into a warehouse: replays never double a row; run
 * against DuckDB ({@link EventLoaderTest}) and Snowflake ({@link EventLoaderSnowflakeIT}).
 */
public abstract class EventLoaderContract {
  private static final String EVENTS = "ns.p.validated";
  private static final String SESSIONS = "ns.p.sessions";

  private JdbcWarehouse warehouse;

  /** A new, empty warehouse of the implementation under test. */
  protected abstract JdbcWarehouse openWarehouse();

  private EventLoader loader;
  private long offset;

  @BeforeEach
  void open() {
    warehouse = openWarehouse();
    loader =
        new EventLoader(
            warehouse,
            "load.ns.p",
            List.of(
                new EventLoader.Target(
                    EVENTS,
                    new TableId("VALIDATED", "PRODUCT_EVENTS"),
                    List.of("event_id"),
                    "occurred_at"),
                new EventLoader.Target(
                    SESSIONS, new TableId("CURATED", "SESSIONS"), List.of(), null)));
  }

  @AfterEach
  void close() {
    warehouse.close();
  }

  @Test
  void replayedEventsAreLoadedOnce() {
    List<ConsumerRecord<String, String>> batch =
        List.of(event("e1", "2026-11-27T01:00:00Z"), event("e2", "2026-11-27T01:00:05Z"));
    EventLoader.Report report = loader.load(batch);
    assertThatThrownBy(() -> loader.load(batch))
        .isInstanceOf(WarehouseException.class)
        .hasMessageContaining("ns.p.validated-0 from offset 0 are already loaded")
        .hasMessageContaining("restart the loader");
    assertThat(report.maxEventTimes())
        .containsEntry(
            new TableId("VALIDATED", "PRODUCT_EVENTS"), Instant.parse("2026-11-27T01:00:05Z"));
    assertThat(
            warehouse.query("SELECT \"EVENT_ID\" FROM \"VALIDATED\".\"PRODUCT_EVENTS\" ORDER BY 1"))
        .extracting(r -> r.get("EVENT_ID"))
        .containsExactly("e1", "e2");
    assertThat(warehouse.offsets("load.ns.p")).containsExactly(new SourceOffset(EVENTS, 0, offset));
  }

  /**
   * The sink's append mode inserts without a MERGE: a repeat of an event id in a later batch (one
   * that escaped validate's dedup window) is a second row, and the stored offsets keep a replayed
   * batch out; within one batch the newest record of an id still wins.
   */
  @Test
  void appendInsertsWithoutMergingAndRefusesAReplay() {
    TableId table = new TableId("VALIDATED", "APPENDED");
    EventLoader appender =
        new EventLoader(
            warehouse,
            "load.ns.append",
            List.of(
                new EventLoader.Target(EVENTS, table, List.of("event_id"), "occurred_at", true)));
    List<ConsumerRecord<String, String>> first =
        List.of(
            event("e1", "2026-11-27T01:00:00Z"),
            event("e2", "2026-11-27T01:00:01Z"),
            event("e2", "2026-11-27T01:00:02Z"));
    appender.load(first);
    appender.load(List.of(event("e1", "2026-11-27T01:00:03Z")));
    assertThatThrownBy(() -> appender.load(first)).isInstanceOf(WarehouseException.class);

    assertThat(
            warehouse.query(
                "SELECT \"EVENT_ID\", \"OCCURRED_AT\" FROM \"VALIDATED\".\"APPENDED\" ORDER BY 2"))
        .extracting(r -> r.get("EVENT_ID"), r -> r.get("OCCURRED_AT"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("e1", "2026-11-27T01:00:00Z"),
            org.assertj.core.groups.Tuple.tuple("e2", "2026-11-27T01:00:02Z"),
            org.assertj.core.groups.Tuple.tuple("e1", "2026-11-27T01:00:03Z"));
    assertThat(warehouse.offsets("load.ns.append"))
        .containsExactly(new SourceOffset(EVENTS, 0, offset));
  }

  @Test
  void sessionsAreMergedOnTheRecordKeyNewestWins() {
    loader.load(List.of(session("s1", 3), session("s2", 1), session("s1", 4)));
    loader.load(List.of(session("s1", 6)));
    assertThat(warehouse.query("SELECT * FROM \"CURATED\".\"SESSIONS\" ORDER BY \"SESSION_ID\""))
        .extracting(r -> r.get("SESSION_ID"), r -> r.get("EVENTS"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("s1", 6L),
            org.assertj.core.groups.Tuple.tuple("s2", 1L));
  }

  @Test
  void aTombstoneDeletesTheSessionItsKeyNames() {
    loader.load(List.of(session("s1", 3), session("s2", 1)));
    // s1 merged into s3: Kafka Streams sends s3 and a tombstone for s1, in one batch or across
    // batches; s2 is re-created after its tombstone within one batch and must survive.
    loader.load(List.of(session("s3", 5), tombstone("s1"), tombstone("s2"), session("s2", 2)));
    loader.load(List.of(tombstone("s1"), tombstone("never-loaded")));
    assertThat(warehouse.query("SELECT * FROM \"CURATED\".\"SESSIONS\" ORDER BY \"SESSION_ID\""))
        .extracting(r -> r.get("SESSION_ID"), r -> r.get("EVENTS"))
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("s2", 2L),
            org.assertj.core.groups.Tuple.tuple("s3", 5L));
    assertThat(warehouse.query("SELECT count(*) AS N FROM \"OPS\".\"QUARANTINE\""))
        .extracting(r -> ((Number) r.get("N")).longValue())
        .containsExactly(0L);
  }

  @Test
  void recordsThatCannotLoadAreQuarantinedWithTheReason() {
    loader.load(
        List.of(
            new ConsumerRecord<>(EVENTS, 0, offset++, null, "not json"),
            new ConsumerRecord<>(EVENTS, 0, offset++, null, "{\"type\": \"click\"}"),
            new ConsumerRecord<>("ns.p.unknown", 0, 0, null, "{}")));
    assertThat(
            warehouse.query(
                "SELECT \"REASON\" FROM \"OPS\".\"QUARANTINE\" ORDER BY \"TOPIC\", \"KAFKA_OFFSET\""))
        .extracting(r -> r.get("REASON"))
        .containsExactlyInAnyOrder(
            "record value is not JSON",
            "record has no value for key field event_id",
            "no table is configured for topic ns.p.unknown");
  }

  @Test
  void nullCountsAreWhatALoaderSeedsItsQualityBaselineWith() {
    TableId table = new TableId("VALIDATED", "PRODUCT_EVENTS");
    assertThat(warehouse.nullCount(table, "type")).isEqualTo(new Warehouse.NullCount(0, 0));
    loader.load(
        List.of(
            event("e1", "2026-11-27T01:00:00Z"),
            new ConsumerRecord<>(
                EVENTS,
                0,
                offset++,
                "e2",
                "{\"event_id\": \"e2\", \"occurred_at\": \"2026-11-27T01:00:01Z\", \"type\": null}"),
            event("e3", "2026-11-27T01:00:02Z")));

    assertThat(warehouse.nullCount(table, "type")).isEqualTo(new Warehouse.NullCount(3, 1));
    assertThat(warehouse.nullCount(table, "absent")).isEqualTo(new Warehouse.NullCount(3, 3));
  }

  private ConsumerRecord<String, String> event(String id, String at) {
    return new ConsumerRecord<>(
        EVENTS,
        0,
        offset++,
        id,
        "{\"event_id\": \"" + id + "\", \"occurred_at\": \"" + at + "\", \"type\": \"click\"}");
  }

  private ConsumerRecord<String, String> tombstone(String id) {
    return new ConsumerRecord<>(SESSIONS, 0, offset++, "{\"session_id\": \"" + id + "\"}", null);
  }

  private ConsumerRecord<String, String> session(String id, long events) {
    return new ConsumerRecord<>(
        SESSIONS,
        0,
        offset++,
        "{\"session_id\": \"" + id + "\"}",
        "{\"user_id\": \"u1\", \"events\": " + events + "}");
  }
}
