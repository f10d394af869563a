package io.insighthub.workers.warehouse;

/** A column of a warehouse table; every column the loader adds is nullable. */
public record Column(String name, ColumnType type) {
  public Column {
    name = Identifiers.normalize(name);
  }

  public String sql() {
    return Identifiers.quote(name);
  }
}
