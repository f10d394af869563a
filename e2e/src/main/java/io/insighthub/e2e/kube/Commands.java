package io.insighthub.e2e.kube;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external command to completion with a time limit, capturing both output streams. */
final class Commands {
  private Commands() {}

  static CommandResult run(
      List<String> command, Path workDir, Map<String, String> env, Duration limit) {
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.PIPE);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    builder.environment().putAll(env);
    String shown = String.join(" ", command);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      CompletableFuture<String> out = drain(process.getInputStream());
      CompletableFuture<String> err = drain(process.getErrorStream());
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        return new CommandResult(
            shown, -1, out.join(), err.join() + "\n(killed after " + limit + ")");
      }
      return new CommandResult(shown, process.exitValue(), out.join(), err.join());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + shown, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + shown, e);
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "(output unreadable: " + e.getMessage() + ")";
          }
        });
  }
}
