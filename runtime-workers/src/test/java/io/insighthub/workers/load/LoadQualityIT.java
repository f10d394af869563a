package io.insighthub.workers.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.worker.QualityCheck;
import io.insighthub.crds.worker.QualityResult;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.e2e.kafka.KafkaBroker;
import io.insighthub.e2e.kafka.KafkaBrokerExtension;
import io.insighthub.workers.quality.QualityChecks;
import io.insighthub.workers.testing.RunningStage;
import io.insighthub.workers.testing.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The load stage evaluating QualityRule checks on a real broker and DuckDB: the null ratio of each
 * committed batch and the rows per closed volume interval, published with the watermarks.
 */
@ExtendWith(KafkaBrokerExtension.class)
class LoadQualityIT {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void aBatchWithTooManyNullsFailsTheRuleAndAGoodBatchPassesIt(KafkaBroker broker)
      throws Exception {
    String prefix = "lq-nulls";
    QualityCheck nulls = QualityChecks.nullSpike("acct-nulls", null, "account_id", 0.2, null);
    try (RunningStage stage = start(broker, prefix, List.of(nulls));
        Topics.Reader watermarks = Topics.reader(broker, prefix + ".watermarks")) {
      await().atMost(WAIT).until(stage::isReady);
      produce(broker, prefix, 0, 10, true);
      List<QualityResult> bad = awaitResults(watermarks, "acct-nulls", 10);

      assertThat(bad).allSatisfy(r -> assertThat(r.passed()).isFalse());
      assertThat(bad).allSatisfy(r -> assertThat(r.table()).isEqualTo("VALIDATED.EVENTS"));
      assertThat(bad.stream().mapToLong(QualityResult::violations).sum()).isEqualTo(10);
      assertThat(bad.getFirst().message())
          .startsWith("null ratio of account_id 1 > max 0.2 on VALIDATED.EVENTS");
      // The table's watermark carries its failures.
      Watermark mark = watermark(watermarks.records().getLast());
      assertThat(mark.table()).isEqualTo("VALIDATED.EVENTS");
      assertThat(mark.qualityFailures()).isEqualTo(1);

      produce(broker, prefix, 10, 10, false);
      List<QualityResult> all = awaitResults(watermarks, "acct-nulls", 20);
      List<QualityResult> good = all.subList(bad.size(), all.size());

      assertThat(good).allSatisfy(r -> assertThat(r.passed()).isTrue());
      assertThat(good.stream().mapToLong(QualityResult::violations).sum()).isZero();
      assertThat(all.stream().mapToLong(QualityResult::rows).sum()).isEqualTo(20);
      // Counts and ratios only: no value of the data travels with the results.
      assertThat(watermarks.records())
          .allSatisfy(
              r ->
                  assertThat(new String(r.value(), StandardCharsets.UTF_8))
                      .doesNotContain("acct-1"));
    }
  }

  @Test
  void aRestartedLoaderTakesItsBaselineFromTheTable(KafkaBroker broker) throws Exception {
    String prefix = "lq-baseline";
    QualityCheck spike = QualityChecks.nullSpike("acct-spike", null, "account_id", null, 3.0);
    int before;
    try (RunningStage stage = start(broker, prefix, List.of(spike));
        Topics.Reader watermarks = Topics.reader(broker, prefix + ".watermarks")) {
      await().atMost(WAIT).until(stage::isReady);
      // 100 rows, 10 of them without an account, in one batch: the table's first, so there is
      // no baseline yet and the factor cannot be applied.
      produce(broker, prefix, List.of(rows(0, 90, false), rows(90, 10, true)));
      await().atMost(WAIT).until(() -> loaded(watermarks) >= 100);
      before = results(watermarks, "acct-spike").size();
    }
    try (RunningStage stage = start(broker, prefix, List.of(spike), false);
        Topics.Reader watermarks = Topics.reader(broker, prefix + ".watermarks")) {
      await().atMost(WAIT).until(stage::isReady);
      produce(broker, prefix, 100, 10, true);
      await().atMost(WAIT).until(() -> loaded(watermarks) >= 110);
      List<QualityResult> results = results(watermarks, "acct-spike");
      List<QualityResult> after = results.subList(before, results.size());

      // The table's 10% of nulls is the baseline the new process starts from.
      assertThat(after).isNotEmpty().allSatisfy(r -> assertThat(r.passed()).isFalse());
      assertThat(after.getFirst().threshold()).isCloseTo(0.3, within(1e-9));
      assertThat(after.getFirst().message())
          .isEqualTo("null ratio of account_id 1 > 3x baseline 0.1 on VALIDATED.EVENTS");
    }
  }

  @Test
  void aVolumeIntervalBelowMinFailsAndOneInRangePasses(KafkaBroker broker) throws Exception {
    String prefix = "lq-volume";
    QualityCheck volume = QualityChecks.volume("volume", 5L, 1000L, "2s");
    try (RunningStage stage = start(broker, prefix, List.of(volume));
        Topics.Reader watermarks = Topics.reader(broker, prefix + ".watermarks")) {
      await().atMost(WAIT).until(stage::isReady);
      // Nothing arrives: every full interval closes with 0 rows, under the min of 5.
      List<QualityResult> empty = awaitResults(watermarks, "volume", 1);
      assertThat(empty.getFirst().passed()).isFalse();
      assertThat(empty.getFirst().rows()).isZero();
      assertThat(empty.getFirst().violations()).isEqualTo(5);
      assertThat(empty.getFirst().message()).isEqualTo("0 rows in 2s < min 5 on VALIDATED.EVENTS");
      assertThat(watermark(watermarks.records().getFirst()).table()).isEqualTo("quality:load");

      int before = results(watermarks, "volume").size();
      produce(broker, prefix, 0, 50, false);
      // The 50 rows land in one or two intervals; their counts add up to 50.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  results(watermarks, "volume").stream()
                          .skip(before)
                          .mapToLong(QualityResult::rows)
                          .sum()
                      == 50);
      assertThat(results(watermarks, "volume").stream().skip(before))
          .anySatisfy(r -> assertThat(r.passed()).isTrue());
    }
  }

  private static RunningStage start(KafkaBroker broker, String prefix, List<QualityCheck> checks)
      throws Exception {
    return start(broker, prefix, checks, true);
  }

  private static RunningStage start(
      KafkaBroker broker, String prefix, List<QualityCheck> checks, boolean fresh)
      throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "load-quality-it", prefix));
    if (fresh) {
      Topics.create(broker, 1, prefix + ".validated", prefix + ".watermarks");
      Files.deleteIfExists(dir.resolve("wh.duckdb"));
    }
    WorkerConfig config =
        LoadConfigs.events(
            broker.bootstrapServers(), prefix, dir, dir.resolve("wh.duckdb"), checks);
    return RunningStage.start(new LoadStage(), config);
  }

  private static long loaded(Topics.Reader watermarks) {
    return watermarks.poll().stream()
        .map(LoadQualityIT::watermark)
        .filter(w -> !w.isQualityOnly())
        .mapToLong(Watermark::rows)
        .sum();
  }

  private static void produce(
      KafkaBroker broker, String prefix, int from, int count, boolean nullAccount) {
    produce(broker, prefix, List.of(rows(from, count, nullAccount)));
  }

  private static void produce(KafkaBroker broker, String prefix, List<List<String>> parts) {
    Topics.produce(
        broker,
        parts.stream()
            .flatMap(List::stream)
            .map(
                json ->
                    new ProducerRecord<byte[], byte[]>(
                        prefix + ".validated", json.getBytes(StandardCharsets.UTF_8)))
            .toList());
  }

  private static List<String> rows(int from, int count, boolean nullAccount) {
    return IntStream.range(from, from + count)
        .mapToObj(
            i ->
                "{\"event_id\":\"e"
                    + i
                    + "\",\"occurred_at\":\"2026-11-27T10:00:00Z\",\"account_id\":"
                    + (nullAccount ? "null" : "\"acct-" + i + "\"")
                    + "}")
        .toList();
  }

  /** Waits until the rule's results cover {@code rows} rows; returns them in publish order. */
  private static List<QualityResult> awaitResults(
      Topics.Reader watermarks, String rule, long rows) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              watermarks.poll();
              List<QualityResult> found = results(watermarks, rule);
              return !found.isEmpty()
                  && (found.getFirst().kind() == QualityCheck.Kind.VOLUME
                      || found.stream().mapToLong(QualityResult::rows).sum() >= rows);
            });
    return results(watermarks, rule);
  }

  private static List<QualityResult> results(Topics.Reader watermarks, String rule) {
    watermarks.poll();
    List<QualityResult> found = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : watermarks.records()) {
      Watermark mark = watermark(record);
      if (mark.quality() != null) {
        mark.quality().stream().filter(r -> r.rule().equals(rule)).forEach(found::add);
      }
    }
    return found;
  }

  private static Watermark watermark(ConsumerRecord<byte[], byte[]> record) {
    try {
      return JSON.readValue(record.value(), Watermark.class);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
