package io.insighthub.e2e.node;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One run of a container: its process, started with exactly the environment it is given (plus
 * {@code PATH}), its output appended to the container's log file after a line marking the start.
 * Stopping is a kubelet's: SIGTERM, then SIGKILL to it and its descendants once the grace period
 * ends; it never blocks, the caller {@link #tick}s it.
 */
final class ContainerProcess {
  private final Process process;
  private final Path log;
  private final long logOffset;
  private final Instant startedAt;
  private Instant killAt;

  private ContainerProcess(Process process, Path log, long logOffset, Instant startedAt) {
    this.process = process;
    this.log = log;
    this.logOffset = logOffset;
    this.startedAt = startedAt;
  }

  static ContainerProcess start(
      List<String> command, Map<String, String> env, Path workDir, Path log, String header)
      throws IOException {
    Files.createDirectories(log.getParent());
    Files.createDirectories(workDir);
    Files.writeString(
        log,
        "==== " + Instant.now() + " " + header + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    long offset = Files.size(log);
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
    Map<String, String> environment = builder.environment();
    String path = environment.get("PATH");
    environment.clear();
    environment.put("PATH", path == null ? "/usr/local/bin:/usr/bin:/bin" : path);
    environment.putAll(env);
    builder
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    return new ContainerProcess(builder.start(), log, offset, Instant.now());
  }

  long pid() {
    return process.pid();
  }

  Instant startedAt() {
    return startedAt;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The exit code once the process has exited: 128 + the signal's number if a signal ended it. */
  int exitCode() {
    return process.exitValue();
  }

  boolean stopping() {
    return killAt != null;
  }

  /** Sends SIGTERM now and schedules SIGKILL after {@code grace} (at once for zero). */
  void terminate(Duration grace) {
    if (killAt != null && !Instant.now().plus(grace).isBefore(killAt)) {
      return;
    }
    killAt = Instant.now().plus(grace);
    if (grace.isZero()) {
      kill();
    } else {
      process.destroy();
    }
  }

  /** Sends SIGKILL to a process whose grace period has ended. */
  void tick() {
    if (killAt != null && process.isAlive() && !Instant.now().isBefore(killAt)) {
      kill();
    }
  }

  /** SIGKILL to the process and everything it started (a container's cgroup stops as a whole). */
  void kill() {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  /** Sends a signal by name (STOP, CONT, ...) to the process. */
  void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The end of this run's output, as the kubelet's {@code FallbackToLogsOnError} keeps it: at most
   * the last 80 lines and 2048 bytes.
   */
  String tail() {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long end = file.length();
      long from = Math.max(logOffset, end - 2048);
      byte[] bytes = new byte[(int) (end - from)];
      file.seek(from);
      file.readFully(bytes);
      String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
      int first = Math.max(0, lines.length - 81);
      return String.join("\n", java.util.Arrays.copyOfRange(lines, first, lines.length)).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
