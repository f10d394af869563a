package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One probe of one container, run as the kubelet's prober runs it: the first attempt after {@code
 * initialDelaySeconds}, then every {@code periodSeconds}, each within {@code timeoutSeconds}; the
 * result turns after {@code successThreshold} or {@code failureThreshold} consecutive attempts.
 * HTTP (2xx and 3xx pass, certificates not verified), TCP and exec probes; ports by name or number,
 * on the host port the node gave the container's port.
 */
final class Probes {
  /** What a probe attempt found; the message as the kubelet's "Unhealthy" event words it. */
  record Attempt(boolean passed, String message) {}

  /** Resolves a probe's port (a name or number of the container's ports) to the host port. */
  interface Ports extends Function<IntOrString, Integer> {}

  private final Probe probe;
  private final String kind;
  private final Ports ports;
  private final Function<List<String>, Attempt> exec;
  private Instant due;
  private int successes;
  private int failures;
  private Boolean result;
  private String lastMessage = "";

  /**
   * @param kind Liveness, Readiness or Startup, for messages
   * @param initial the result before the first attempt decides (readiness false, liveness true,
   *     startup null: not yet started)
   */
  Probes(
      Probe probe,
      String kind,
      Instant started,
      Boolean initial,
      Ports ports,
      Function<List<String>, Attempt> exec) {
    this.probe = probe;
    this.kind = kind;
    this.ports = ports;
    this.exec = exec;
    this.result = initial;
    this.due = started.plusSeconds(value(probe.getInitialDelaySeconds(), 0));
  }

  /** The current verdict: true passing, false failing, null undecided. */
  Boolean result() {
    return result;
  }

  String kind() {
    return kind;
  }

  String lastMessage() {
    return lastMessage;
  }

  /** Runs an attempt if one is due; returns true when the verdict changed (to {@link #result}). */
  boolean tick(Instant now) {
    if (now.isBefore(due)) {
      return false;
    }
    due = now.plusSeconds(Math.max(1, value(probe.getPeriodSeconds(), 10)));
    Attempt attempt = attempt();
    lastMessage = attempt.message();
    Boolean before = result;
    if (attempt.passed()) {
      failures = 0;
      if (++successes >= Math.max(1, value(probe.getSuccessThreshold(), 1))) {
        result = true;
      }
    } else {
      successes = 0;
      if (++failures >= Math.max(1, value(probe.getFailureThreshold(), 3))) {
        result = false;
      }
    }
    return !Objects.equals(before, result);
  }

  Duration timeout() {
    return Duration.ofSeconds(Math.max(1, value(probe.getTimeoutSeconds(), 1)));
  }

  private Attempt attempt() {
    try {
      if (probe.getHttpGet() != null) {
        return http();
      }
      if (probe.getTcpSocket() != null) {
        int port = ports.apply(probe.getTcpSocket().getPort());
        try (Socket socket = new Socket()) {
          socket.connect(new InetSocketAddress(LocalNode.IP, port), (int) timeout().toMillis());
          return new Attempt(true, "");
        }
      }
      if (probe.getExec() != null) {
        return exec.apply(probe.getExec().getCommand());
      }
      return new Attempt(false, kind + " probe of an unsupported type (grpc)");
    } catch (IOException | RuntimeException e) {
      return new Attempt(false, kind + " probe failed: " + e.getMessage());
    }
  }

  private Attempt http() throws IOException {
    var get = probe.getHttpGet();
    int port = ports.apply(get.getPort());
    String scheme = get.getScheme() == null ? "http" : get.getScheme().toLowerCase();
    String path = get.getPath() == null ? "/" : get.getPath();
    URI uri = URI.create(scheme + "://" + LocalNode.IP + ":" + port + path);
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    if (connection instanceof HttpsURLConnection https) {
      https.setSSLSocketFactory(TRUST_ALL.getSocketFactory());
      https.setHostnameVerifier((host, session) -> true);
    }
    connection.setConnectTimeout((int) timeout().toMillis());
    connection.setReadTimeout((int) timeout().toMillis());
    connection.setInstanceFollowRedirects(false);
    if (get.getHttpHeaders() != null) {
      get.getHttpHeaders().forEach(h -> connection.setRequestProperty(h.getName(), h.getValue()));
    }
    try {
      int status = connection.getResponseCode();
      return status >= 200 && status < 400
          ? new Attempt(true, "")
          : new Attempt(
              false, kind + " probe failed: HTTP probe failed with statuscode: " + status);
    } catch (IOException e) {
      return new Attempt(false, kind + " probe failed: Get \"" + uri + "\": " + e.getMessage());
    } finally {
      connection.disconnect();
    }
  }

  /** Runs an exec probe's command as a process of the container, within the probe's timeout. */
  static Attempt exec(
      String kind, List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
      String path = builder.environment().get("PATH");
      builder.environment().clear();
      builder.environment().put("PATH", path == null ? "/usr/bin:/bin" : path);
      builder.environment().putAll(env);
      Process process = builder.start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        return new Attempt(false, kind + " probe errored: command timed out");
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      return process.exitValue() == 0
          ? new Attempt(true, "")
          : new Attempt(false, kind + " probe failed: " + output);
    } catch (IOException e) {
      return new Attempt(false, kind + " probe errored: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Attempt(false, kind + " probe interrupted");
    }
  }

  private static int value(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  private static final SSLContext TRUST_ALL = trustAll();

  private static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      TrustManager all =
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String auth) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String auth) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          };
      context.init(null, new TrustManager[] {all}, new SecureRandom());
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
