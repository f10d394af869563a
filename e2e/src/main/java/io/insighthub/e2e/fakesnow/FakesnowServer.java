package io.insighthub.e2e.fakesnow;

import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fakesnow server (PyPI {@code fakesnow[server]}: Snowflake's REST protocol over DuckDB) as its
 * own process on a free loopback port, for the real {@code net.snowflake:snowflake-jdbc} driver.
 * The venv comes from {@code e2e/bin/provision-fakesnow.sh} (cached under {@code
 * ~/.cache/insighthub}). Databases live in the server's memory; {@link #connection()} hands each
 * caller a database of its own.
 */
public final class FakesnowServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FakesnowServer.class);
  private static final Duration PROVISION_LIMIT = Duration.ofMinutes(10);
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Process process;
  private final int port;
  private final AtomicInteger databases = new AtomicInteger();

  private FakesnowServer(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** The driver's connection to one of this server's databases. */
  public record Connection(String url, Properties properties) {}

  /**
   * Provisions the venv (once; the script returns at once when cached), then starts the server with
   * its log in {@code workDir}.
   */
  public static FakesnowServer start(Path repoRoot, Path workDir) {
    try {
      Files.createDirectories(workDir);
      Path python = provision(repoRoot, workDir.resolve("provision.log"));
      int port = LocalProcesses.freePort();
      Path log = workDir.resolve("fakesnow.log");
      Process process =
          new ProcessBuilder(
                  python.toString(),
                  "-m",
                  "fakesnow",
                  "-s",
                  "--host",
                  "127.0.0.1",
                  "-p",
                  String.valueOf(port))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      FakesnowServer server = new FakesnowServer(process, port);
      server.awaitReady(log);
      LOG.info("fakesnow ready on 127.0.0.1:{} (log {})", port, log);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start fakesnow in " + workDir, e);
    }
  }

  public int port() {
    return port;
  }

  /**
   * A connection to a fresh database ({@code TEST_<n>}, created by fakesnow on login): the URL
   * without TLS and the properties snowflake-jdbc needs (fakesnow accepts any user and password).
   */
  public Connection connection() {
    Properties properties = new Properties();
    properties.setProperty("account", "fakesnow");
    properties.setProperty("user", "fake");
    properties.setProperty("password", "snow");
    properties.setProperty("db", "TEST_" + databases.incrementAndGet());
    // A statement fakesnow fails answers HTTP 500, which the driver would retry for minutes.
    properties.setProperty("maxHttpRetries", "1");
    return new Connection("jdbc:snowflake://127.0.0.1:" + port + "/?ssl=off", properties);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      LocalProcesses.stop(process, Duration.ofSeconds(10));
    }
  }

  private void awaitReady(Path log) throws IOException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!accepts(port)) {
      try {
        if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "fakesnow exited with " + process.exitValue() + ": " + tail(log));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new IllegalStateException("interrupted while starting fakesnow", e);
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("fakesnow not ready after " + START_LIMIT + "; see " + log);
      }
    }
  }

  private static Path provision(Path repoRoot, Path log) throws IOException {
    Path script = repoRoot.resolve("e2e/bin/provision-fakesnow.sh");
    Path stdout = log.resolveSibling("provision.out");
    Process process =
        new ProcessBuilder(script.toString())
            .directory(repoRoot.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(log.toFile())
            .start();
    try {
      if (!process.waitFor(PROVISION_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(script + " did not finish in " + PROVISION_LIMIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while provisioning fakesnow", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          script + " failed (exit " + process.exitValue() + "): " + tail(log));
    }
    List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !Files.isExecutable(Path.of(lines.getLast().strip()))) {
      throw new IllegalStateException(script + " printed no python executable: " + lines);
    }
    return Path.of(lines.getLast().strip());
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
