package io.insighthub.workers;

import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A worker stage run as its own {@code java} process, as in a pod, so crash tests can kill it with
 * SIGKILL (no shutdown hook, no close) and start it again.
 */
public final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final int metricsPort;
  private final Path log;

  private WorkerProcess(Process process, int metricsPort, Path log) {
    this.process = process;
    this.metricsPort = metricsPort;
    this.log = log;
  }

  /** Starts {@code worker <subcommand> --config <config>}, output appended to {@code log}. */
  public static WorkerProcess start(String subcommand, Path config, Path log) {
    return start(subcommand, config, log, java.util.Map.of());
  }

  /** As {@link #start(String, Path, Path)}, with extra environment variables for the process. */
  public static WorkerProcess start(
      String subcommand, Path config, Path log, java.util.Map<String, String> env) {
    return start(subcommand, config, log, env, List.of());
  }

  /** As above, with the subcommand's own options after the common ones. */
  public static WorkerProcess start(
      String subcommand,
      Path config,
      Path log,
      java.util.Map<String, String> env,
      List<String> options) {
    int port = LocalProcesses.freePort();
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                subcommand, "--config", config.toString(), "--metrics-port", String.valueOf(port)));
    args.addAll(options);
    List<String> command =
        LocalProcesses.javaCommand(List.of("-Xmx512m"), WorkerMain.class.getName(), args);
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(env);
      Process process = builder.start();
      return new WorkerProcess(process, port, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start worker " + subcommand, e);
    }
  }

  /** The stage's Prometheus text, or empty while it does not answer yet. */
  public String metrics() {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? response.body() : "";
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  /** Kills the process as a node failure would: SIGKILL, nothing flushed or closed. */
  public void kill() {
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(30));
  }

  /** Asks the process to stop (SIGTERM) and waits; returns its exit code. */
  public int stop(Duration limit) {
    process.destroy();
    return waitForExit(limit);
  }

  /** Waits for the process to end on its own; returns its exit code. */
  public int waitForExit(Duration limit) {
    try {
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      stop(Duration.ofSeconds(20));
    }
  }
}
