package io.insighthub.workers.cdc;

import io.insighthub.workers.warehouse.ColumnType;
import io.insighthub.workers.warehouse.Position;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Debezium change, decoded: the source table, the primary key, the row after the change (the
 * row before it, for a delete) with each column's type, and its source position.
 *
 * @param sourceTable schema.table in PostgreSQL
 * @param op r (snapshot read), c, u or d
 * @param key primary-key columns and values, in key order
 * @param row column values (Java values, not yet converted to the warehouse column types)
 * @param types the type each column has in the event
 * @param unchanged columns Debezium did not send because their TOAST value did not change
 * @param position LSN, transaction order, Kafka offset
 * @param sourceTime commit time in the source
 * @param oldKey for the create half of a primary-key change, the row's previous key (Debezium's
 *     {@code __debezium.oldkey} header); otherwise null
 */
public record ChangeEvent(
    String sourceTable,
    String op,
    LinkedHashMap<String, Object> key,
    LinkedHashMap<String, Object> row,
    Map<String, ColumnType> types,
    Set<String> unchanged,
    Position position,
    Instant sourceTime,
    LinkedHashMap<String, Object> oldKey) {

  public boolean isDelete() {
    return op.equals("d");
  }
}
