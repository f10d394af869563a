package io.insighthub.e2e.connect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka Connect worker in distributed mode, from the {@code connect-runtime} jars on the
 * caller's classpath (with the connectors it carries, e.g. Debezium PostgreSQL), run as its own
 * {@code java} process; connectors are managed through its REST API as Strimzi would.
 */
public final class KafkaConnect implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaConnect.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final Duration START_LIMIT = Duration.ofSeconds(120);

  private static final String SECRETS = "secrets";

  private final int port;
  private final Process process;
  private final Path secrets;
  private final HttpClient http = HttpClient.newHttpClient();

  private KafkaConnect(int port, Process process, Path secrets) {
    this.port = port;
    this.process = process;
    this.secrets = secrets;
  }

  /**
   * Starts a worker of group {@code name} against the broker; its internal topics are named after
   * {@code name}, so workers of different tests never share state.
   */
  public static KafkaConnect start(Path workDir, String bootstrapServers, String name) {
    try {
      Files.createDirectories(workDir);
      int port = LocalProcesses.freePort();
      Properties p = new Properties();
      p.setProperty("bootstrap.servers", bootstrapServers);
      p.setProperty("group.id", name);
      p.setProperty("config.storage.topic", name + ".configs");
      p.setProperty("offset.storage.topic", name + ".offsets");
      p.setProperty("status.storage.topic", name + ".status");
      p.setProperty("config.storage.replication.factor", "1");
      p.setProperty("offset.storage.replication.factor", "1");
      p.setProperty("status.storage.replication.factor", "1");
      p.setProperty("offset.storage.partitions", "1");
      p.setProperty("status.storage.partitions", "1");
      p.setProperty("offset.flush.interval.ms", "1000");
      // Connect's source producers keep one request in flight per broker (acks=all), so each
      // round trip carries at most one batch per partition: with the default 16 KiB batches,
      // about ten JSON change events with their schema. The CDC freshness benchmark fell behind
      // at 500 rows/s with that (BENCHMARKS.md); these are the settings a production Connect
      // cluster carrying Debezium's JSON runs with as well.
      p.setProperty("producer.batch.size", String.valueOf(512 * 1024));
      p.setProperty("producer.linger.ms", "5");
      p.setProperty("producer.compression.type", "lz4");
      p.setProperty("key.converter", "org.apache.kafka.connect.json.JsonConverter");
      p.setProperty("value.converter", "org.apache.kafka.connect.json.JsonConverter");
      p.setProperty("listeners", "http://127.0.0.1:" + port);
      p.setProperty("rest.advertised.host.name", "127.0.0.1");
      p.setProperty("plugin.discovery", "only_scan");
      // Stand-in for Strimzi's KubernetesSecretConfigProvider: ${secrets:<ns>/<secret>:<key>}
      // reads the file secrets/<ns>/<secret>/<key> (the worker runs in workDir; see putSecret).
      p.setProperty("config.providers", "secrets");
      p.setProperty(
          "config.providers.secrets.class",
          "org.apache.kafka.common.config.provider.DirectoryConfigProvider");
      Path config = workDir.resolve("connect.properties");
      Files.writeString(
          config, LocalProcesses.propertiesText("written by KafkaConnect for tests", p));
      List<String> command =
          LocalProcesses.javaCommand(
              List.of("-Xms128m", "-Xmx768m", "-XX:+UseG1GC"),
              "org.apache.kafka.connect.cli.ConnectDistributed",
              List.of(config.toString()));
      Path log = workDir.resolve("connect.log");
      Process process =
          new ProcessBuilder(command)
              .directory(Files.createDirectories(workDir.resolve(SECRETS)).toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      KafkaConnect connect = new KafkaConnect(port, process, workDir.resolve(SECRETS));
      connect.awaitReady(log);
      return connect;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Kafka Connect in " + workDir, e);
    }
  }

  /**
   * Makes a Secret's keys resolvable by the connector configs this worker runs, as Strimzi's config
   * provider does from a Kubernetes Secret: {@code ${secrets:<ns>/<name>:<key>}}.
   */
  public void putSecret(String namespace, String name, Map<String, String> data) {
    try {
      Path dir = Files.createDirectories(secrets.resolve(namespace).resolve(name));
      for (Map.Entry<String, String> entry : data.entrySet()) {
        Files.writeString(dir.resolve(entry.getKey()), entry.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the test Secret " + namespace + "/" + name, e);
    }
  }

  /** Creates or updates a connector. */
  public void putConnector(String name, Map<String, String> config) {
    send("PUT", "/connectors/" + name + "/config", config);
  }

  /** The connector's state and its tasks' states, e.g. {@code RUNNING [RUNNING]}. */
  public String status(String name) {
    JsonNode status = send("GET", "/connectors/" + name + "/status", null);
    if (status == null || !status.has("connector")) {
      return "ABSENT";
    }
    List<String> tasks = new ArrayList<>();
    for (JsonNode task : status.path("tasks")) {
      tasks.add(
          task.path("state").asText()
              + (task.has("trace")
                  ? ": " + task.get("trace").asText().lines().findFirst().orElse("")
                  : ""));
    }
    return status.path("connector").path("state").asText() + " " + tasks;
  }

  public void deleteConnector(String name) {
    send("DELETE", "/connectors/" + name, null);
  }

  /** The connector's config as Connect holds it, or null when the connector does not exist. */
  public Map<String, String> connectorConfig(String name) {
    JsonNode config = send("GET", "/connectors/" + name + "/config", null);
    return config == null ? null : JSON.convertValue(config, STRING_MAP);
  }

  /** Connect's status document of the connector ({@code connector}, {@code tasks}), or null. */
  public Map<String, Object> connectorStatus(String name) {
    JsonNode status = send("GET", "/connectors/" + name + "/status", null);
    return status == null || !status.has("connector") ? null : JSON.convertValue(status, MAP);
  }

  /** Moves the connector to {@code running}, {@code paused} or {@code stopped}. */
  public void setState(String name, String state) {
    String action =
        switch (state) {
          case "running" -> "resume";
          case "paused" -> "pause";
          case "stopped" -> "stop";
          default -> throw new IllegalArgumentException("unknown connector state " + state);
        };
    send("PUT", "/connectors/" + name + "/" + action, null);
  }

  /** Restarts the connector's failed instance and failed tasks. */
  public void restartFailed(String name) {
    send("POST", "/connectors/" + name + "/restart?includeTasks=true&onlyFailed=true", null);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      LocalProcesses.stop(process, Duration.ofSeconds(30));
    }
  }

  private void awaitReady(Path log) {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (true) {
      try {
        JsonNode root = send("GET", "/connectors", null);
        if (root != null) {
          LOG.info("Kafka Connect ready on 127.0.0.1:{} (log {})", port, log);
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      try {
        if (process.waitFor(500, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "Kafka Connect exited with " + process.exitValue() + "; see " + log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting Kafka Connect", e);
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(
            "Kafka Connect not ready after " + START_LIMIT + "; see " + log);
      }
    }
  }

  private JsonNode send(String method, String path, Object body) {
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(30))
              .header("Content-Type", "application/json");
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == 404) {
        return null;
      }
      if (response.statusCode() >= 300) {
        throw new IllegalStateException(
            method + " " + path + " answered " + response.statusCode() + ": " + response.body());
      }
      return response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
