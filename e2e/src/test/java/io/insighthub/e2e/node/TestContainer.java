package io.insighthub.e2e.node;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The program of the node ITs' test image (not a product worker): what it does is its first
 * argument.
 *
 * <ul>
 *   <li>{@code report FILE...}: writes its args, environment and the named files to {@code
 *       report.txt} in its working directory, then exits 0;
 *   <li>{@code exit N}: prints a line and exits with code N;
 *   <li>{@code serve}: serves {@code /healthz} (failing once {@code UNHEALTHY_AFTER} seconds have
 *       passed, if set) and {@code /readyz} (passing while the file {@code READY_FILE} exists) on
 *       {@code PORT}, until stopped;
 *   <li>{@code sleep}: waits until stopped;
 *   <li>{@code fail-index I}: for an Indexed Job, exits 1 on the first attempt of index I ({@code
 *       FAILURES}, from the Pod's {@code job-index-failure-count} annotation, is 0) and 0
 *       otherwise;
 *   <li>{@code fill BYTES FILE}: writes BYTES bytes to FILE, then waits until stopped.
 * </ul>
 *
 * On SIGTERM it prints {@code SIGTERM received}; with {@code IGNORE_SIGTERM=true} it then keeps
 * running until SIGKILL.
 */
public final class TestContainer {
  private TestContainer() {}

  public static void main(String[] args) throws Exception {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.out.println("SIGTERM received");
                  System.out.flush();
                  if ("true".equals(System.getenv("IGNORE_SIGTERM"))) {
                    try {
                      Thread.sleep(Duration.ofHours(1));
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                  }
                }));
    System.out.println("started: " + String.join(" ", args));
    switch (args[0]) {
      case "report" -> report(args);
      case "exit" -> {
        System.out.println("exiting with " + args[1]);
        Runtime.getRuntime().halt(Integer.parseInt(args[1]));
      }
      case "serve" -> serve();
      case "sleep" -> Thread.currentThread().join();
      case "fail-index" -> {
        boolean fail =
            args[1].equals(System.getenv("JOB_COMPLETION_INDEX"))
                && "0".equals(System.getenv("FAILURES"));
        System.out.println(
            "index " + System.getenv("JOB_COMPLETION_INDEX") + (fail ? " fails" : " succeeds"));
        Runtime.getRuntime().halt(fail ? 1 : 0);
      }
      case "fill" -> {
        Files.write(Path.of(args[2]), new byte[Integer.parseInt(args[1])]);
        Thread.currentThread().join();
      }
      default -> throw new IllegalArgumentException("unknown mode " + args[0]);
    }
  }

  private static void report(String[] args) throws Exception {
    List<String> lines = new ArrayList<>();
    lines.add("args=" + String.join(" ", args));
    new TreeMap<>(System.getenv()).forEach((k, v) -> lines.add("env " + k + "=" + v));
    for (int i = 1; i < args.length; i++) {
      lines.add("file " + args[i] + "=" + Files.readString(Path.of(args[i])).strip());
    }
    Files.write(Path.of("report.txt"), lines, StandardCharsets.UTF_8);
    Runtime.getRuntime().halt(0);
  }

  private static void serve() throws Exception {
    Instant started = Instant.now();
    String unhealthyAfter = System.getenv("UNHEALTHY_AFTER");
    HttpServer server =
        HttpServer.create(
            new InetSocketAddress(
                InetAddress.getLoopbackAddress(), Integer.parseInt(System.getenv("PORT"))),
            0);
    server.createContext(
        "/healthz",
        exchange -> {
          boolean healthy =
              unhealthyAfter == null
                  || Duration.between(started, Instant.now()).toSeconds()
                      < Long.parseLong(unhealthyAfter);
          exchange.sendResponseHeaders(healthy ? 200 : 500, -1);
          exchange.close();
        });
    server.createContext(
        "/readyz",
        exchange -> {
          String file = System.getenv("READY_FILE");
          exchange.sendResponseHeaders(file != null && Files.exists(Path.of(file)) ? 200 : 503, -1);
          exchange.close();
        });
    server.start();
    System.out.println("serving on " + server.getAddress());
    Thread.currentThread().join();
  }
}
