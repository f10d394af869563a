package io.insighthub.e2e.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
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
