package io.insighthub.e2e.scenarios;

import io.insighthub.e2e.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

/**
 * The billing database the sample CdcSource captures: accounts, subscriptions and invoices (with a
 * large TOAST-stored notes column), the Debezium signal table and the publication, a replication
 * role, a seed, and a workload of inserts, updates and deletes in multi-table transactions.
 */
public final class BillingDatabase implements AutoCloseable {
  public static final String DATABASE = "billing";
  public static final String USER = "debezium";
  public static final String PASSWORD = "local-stack-only";
  public static final String PUBLICATION = "insighthub_billing";

  private final Connection connection;
  private final Random random = new Random(42);
  private long nextId = 1;

  private BillingDatabase(Connection connection) {
    this.connection = connection;
  }

  /** Creates the database, its tables, the role and publication, and seeds {@code 100} accounts. */
  public static BillingDatabase create(PostgresServer postgres) throws SQLException {
    try (Connection admin = DriverManager.getConnection(postgres.jdbcUrl("postgres"));
        Statement s = admin.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
      s.execute("CREATE ROLE " + USER + " WITH LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
    }
    Connection connection = DriverManager.getConnection(postgres.jdbcUrl(DATABASE));
    try (Statement s = connection.createStatement()) {
      s.execute(
          "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, plan text,"
              + " balance numeric(12,2), created_at timestamptz DEFAULT now())");
      s.execute(
          "CREATE TABLE subscriptions (id bigint PRIMARY KEY, account_id bigint NOT NULL,"
              + " plan text, seats int, price numeric(12,2), active boolean)");
      s.execute(
          "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint NOT NULL,"
              + " amount numeric(12,2), status text, notes text)");
      s.execute("ALTER TABLE invoices ALTER COLUMN notes SET STORAGE EXTERNAL");
      s.execute(
          "CREATE TABLE debezium_signal (id varchar(42) PRIMARY KEY, type varchar(32) NOT NULL,"
              + " data varchar(2048))");
      s.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + USER);
      s.execute("GRANT INSERT ON debezium_signal TO " + USER);
      s.execute(
          "CREATE PUBLICATION "
              + PUBLICATION
              + " FOR TABLE accounts, subscriptions, invoices, debezium_signal");
    }
    BillingDatabase db = new BillingDatabase(connection);
    connection.setAutoCommit(false);
    for (int i = 0; i < 100; i++) {
      db.newAccount();
    }
    connection.commit();
    return db;
  }

  /** One transaction of a few random changes across the three tables. */
  public synchronized void transaction() throws SQLException {
    int changes = 1 + random.nextInt(4);
    for (int i = 0; i < changes; i++) {
      int dice = random.nextInt(100);
      long account = 1 + random.nextInt((int) Math.max(1, nextId - 1));
      if (dice < 20) {
        newAccount();
      } else if (dice < 50) {
        execute(
            "UPDATE accounts SET balance = balance + ? WHERE id = ?",
            random.nextInt(10_000) / 100.0,
            account);
      } else if (dice < 75) {
        // Leaves notes unchanged: Debezium sends the TOAST placeholder for it.
        execute(
            "UPDATE invoices SET status = ? WHERE id = (SELECT min(id) FROM invoices WHERE"
                + " account_id = ?)",
            random.nextBoolean() ? "paid" : "overdue",
            account);
      } else if (dice < 90) {
        execute("UPDATE subscriptions SET seats = seats + 1 WHERE account_id = ?", account);
      } else {
        execute(
            "DELETE FROM invoices WHERE id = (SELECT max(id) FROM invoices WHERE account_id = ?)",
            account);
      }
    }
    connection.commit();
  }

  private void newAccount() throws SQLException {
    long id = nextId++;
    execute(
        "INSERT INTO accounts (id, name, plan, balance) VALUES (?, ?, ?, ?)",
        id,
        "account-" + id,
        random.nextBoolean() ? "team" : "enterprise",
        random.nextInt(100_000) / 100.0);
    execute(
        "INSERT INTO subscriptions (id, account_id, plan, seats, price, active)"
            + " VALUES (?, ?, 'team', ?, ?, true)",
        id,
        id,
        1 + random.nextInt(50),
        random.nextInt(20_000) / 100.0);
    execute(
        "INSERT INTO invoices (id, account_id, amount, status, notes) VALUES (?, ?, ?, 'open', ?)",
        id,
        id,
        random.nextInt(500_000) / 100.0,
        "line items of invoice " + id + ": " + "x".repeat(4000));
  }

  private void execute(String sql, Object... args) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        statement.setObject(i + 1, args[i]);
      }
      statement.executeUpdate();
    }
  }

  /** A read-only connection for comparing the source with the warehouse. */
  public Connection connection() {
    return connection;
  }

  @Override
  public synchronized void close() throws SQLException {
    connection.close();
  }
}
