package io.insighthub.workers.aggregate;

/** An output row (or tombstone, {@code json} null) and the output it goes to. */
record AggregateRow(boolean session, String key, byte[] json) {
  static AggregateRow session(String key, byte[] json) {
    return new AggregateRow(true, key, json);
  }

  static AggregateRow usage(String key, byte[] json) {
    return new AggregateRow(false, key, json);
  }
}
