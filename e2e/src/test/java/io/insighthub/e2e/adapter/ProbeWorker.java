package io.insighthub.e2e.adapter;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in worker for testing {@link DeploymentRunner} itself (not the product's workers): it
 * writes what its pod would show it (args, an env var, the file named by {@code --config}) to
 * {@code seen.txt} in its working directory and serves {@code /readyz} on {@code --metrics-port}.
 */
public final class ProbeWorker {
  private ProbeWorker() {}

  public static void main(String[] args) throws Exception {
    int port = 0;
    Path config = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--metrics-port")) {
        port = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--config")) {
        config = Path.of(args[++i]);
      }
    }
    List<String> seen = new ArrayList<>();
    seen.add("args=" + String.join(" ", args));
    seen.add("STATE_DIR=" + System.getenv("STATE_DIR"));
    seen.add("TOKEN=" + System.getenv("TOKEN"));
    String text = Files.readString(config);
    seen.add("config=" + text.strip());
    // The config names a Secret file by its mount path; rewritten, it must be readable.
    String secretFile = text.strip().replace("secret-file=", "");
    seen.add("secret=" + Files.readString(Path.of(secretFile)).strip());
    Files.write(Path.of("seen.txt"), seen, StandardCharsets.UTF_8);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/readyz",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    Thread.currentThread().join();
  }
}
