package io.insighthub.workers.warehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The embedded default warehouse: a DuckDB database file, one writer process at a time. Stage
 * tables are temporary tables filled with batched binds.
 */
public final class DuckDbWarehouse extends JdbcWarehouse {
  private DuckDbWarehouse(java.sql.Connection connection) {
    super(connection);
  }

  /** Opens (creating when missing) the database file and its schemas. */
  public static DuckDbWarehouse open(Path file) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      DuckDbWarehouse warehouse =
          new DuckDbWarehouse(DriverManager.getConnection("jdbc:duckdb:" + file.toAbsolutePath()));
      warehouse.init();
      return warehouse;
    } catch (SQLException e) {
      throw new WarehouseException("cannot open DuckDB at " + file + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  String stageName(int n) {
    return "\"STAGE_" + n + "\"";
  }
}
