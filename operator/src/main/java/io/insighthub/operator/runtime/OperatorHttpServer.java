package io.insighthub.operator.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * The operator's one small HTTP server: {@code /healthz} (the process serves), {@code /readyz} (the
 * operator started and its informers are healthy) and {@code /metrics} (Prometheus text).
 */
public final class OperatorHttpServer implements AutoCloseable {
  private final HttpServer server;

  private OperatorHttpServer(HttpServer server) {
    this.server = server;
  }

  public static OperatorHttpServer start(
      int port, BooleanSupplier ready, PrometheusMeterRegistry registry) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n", "text/plain"));
      server.createContext(
          "/readyz",
          exchange ->
              respond(
                  exchange,
                  ready.getAsBoolean() ? 200 : 503,
                  ready.getAsBoolean() ? "ready\n" : "not ready\n",
                  "text/plain"));
      server.createContext(
          "/metrics",
          exchange ->
              respond(
                  exchange, 200, registry.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
      server.setExecutor(Executors.newSingleThreadExecutor(r -> new Thread(r, "http")));
      server.start();
      return new OperatorHttpServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port, e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String body, String type)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
