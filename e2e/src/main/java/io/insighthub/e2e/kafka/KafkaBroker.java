package io.insighthub.e2e.kafka;

import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) from the {@code
 * kafka_2.13} jars, run as its own {@code java} process on free loopback ports, so tests can kill
 * it like a real one. Data and the broker's log live under the work directory.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  private final Path workDir;
  private final int port;
  private final Path config;
  private Process process;

  private KafkaBroker(Path workDir, int port, Path config) {
    this.workDir = workDir;
    this.port = port;
    this.config = config;
  }

  /** Formats a fresh log directory under {@code workDir} and starts the broker on it. */
  public static KafkaBroker start(Path workDir) {
    try {
      LocalProcesses.deleteRecursively(workDir);
      Files.createDirectories(workDir);
      int port = LocalProcesses.freePort();
      int controllerPort = LocalProcesses.freePort();
      Path config = workDir.resolve("server.properties");
      Files.writeString(config, serverProperties(workDir.resolve("data"), port, controllerPort));
      KafkaBroker broker = new KafkaBroker(workDir, port, config);
      broker.format();
      broker.launch();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the Kafka broker in " + workDir, e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** CPU time the broker process has used so far, for benchmarks (zero if not reported). */
  public Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The broker's process id, e.g. to read its threads' CPU in a benchmark. */
  public long pid() {
    return process.pid();
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      LocalProcesses.stop(process, Duration.ofSeconds(20));
    }
  }

  private void format() throws IOException {
    Process format =
        java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                Uuid.randomUuid().toString(),
                "-c",
                config.toString())
            .redirectOutput(workDir.resolve("format.log").toFile())
            .start();
    try {
      if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
        throw new IllegalStateException(
            "kafka-storage format failed; see " + workDir.resolve("format.log"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while formatting Kafka storage", e);
    }
  }

  private void launch() throws IOException {
    long started = System.nanoTime();
    process =
        java("kafka.Kafka", config.toString())
            .redirectOutput(workDir.resolve("broker.log").toFile())
            .start();
    try (Admin admin = admin()) {
      long deadline = System.nanoTime() + START_LIMIT.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Kafka broker exited with "
                  + process.exitValue()
                  + "; see "
                  + workDir.resolve("broker.log"));
        }
        try {
          admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
          break;
        } catch (Exception notYet) {
          if (System.nanoTime() > deadline) {
            close();
            throw new IllegalStateException(
                "Kafka broker not ready after "
                    + START_LIMIT
                    + "; see "
                    + workDir.resolve("broker.log"),
                notYet);
          }
        }
      }
    }
    LOG.info(
        "Kafka broker ready at {} in {} ms (log {})",
        bootstrapServers(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
        workDir.resolve("broker.log"));
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> command =
        LocalProcesses.javaCommand(
            List.of("-Xms256m", "-Xmx1g", "-XX:+UseG1GC"), mainClass, List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true);
  }

  private static String serverProperties(Path dataDir, int port, int controllerPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", "1");
    p.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    p.setProperty(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    p.setProperty("log.dirs", dataDir.toString());
    p.setProperty("num.partitions", "1");
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "10");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "10");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    p.setProperty("auto.create.topics.enable", "true");
    p.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    return LocalProcesses.propertiesText("written by KafkaBroker for tests", p);
  }
}
