package io.insighthub.e2e.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** What every process of the test bed needs: a free loopback port, and a stop that never hangs. */
public final class LocalProcesses {
  private LocalProcesses() {}

  /** A port nothing listens on right now, for a process about to bind it. */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /**
   * The command line of a {@code java} process running {@code mainClass} from this JVM's own
   * classpath, which carries the test bed's components (Kafka, Connect, Debezium, the workers).
   */
  public static List<String> javaCommand(
      List<String> jvmOptions, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(args);
    return command;
  }

  /** Deletes {@code dir} and everything below it; nothing happens when it does not exist. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** A Java properties file's text, keys sorted so the file reads (and diffs) stably. */
  public static String propertiesText(String header, Properties properties) {
    StringBuilder text = new StringBuilder("# ").append(header).append('\n');
    properties.stringPropertyNames().stream()
        .sorted()
        .forEach(k -> text.append(k).append('=').append(properties.getProperty(k)).append('\n'));
    return text.toString();
  }

  /**
   * Asks {@code process} to stop (SIGTERM), kills it (SIGKILL) if it is still alive after {@code
   * grace}, and returns its exit code.
   */
  public static int stop(Process process, Duration grace) {
    process.destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      return -1;
    }
  }
}
