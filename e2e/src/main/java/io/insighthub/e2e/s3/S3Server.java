package io.insighthub.e2e.s3;

import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-compatible server for tests and the local stack: SeaweedFS's {@code weed mini} (one
 * process with master, volume, filer and S3 gateway) as its own process, every port on a free
 * loopback port, with one access key that may do everything. The binary comes from {@code
 * e2e/bin/provision-s3.sh} (built from its Go module, cached under {@code ~/.cache/insighthub}).
 * Clients reach it with the AWS SDK v2 through {@link #client()}, or with {@link #endpoint()},
 * {@link #accessKeyId()} and {@link #secretAccessKey()} and path-style addressing.
 */
public final class S3Server implements AutoCloseable {
  /** The region clients sign for; the server accepts any. */
  public static final String REGION = "us-east-1";

  private static final Logger LOG = LoggerFactory.getLogger(S3Server.class);
  private static final Duration PROVISION_LIMIT = Duration.ofMinutes(20);
  private static final Duration START_LIMIT = Duration.ofSeconds(90);

  private final Process process;
  private final URI endpoint;
  private final String accessKeyId;
  private final String secretAccessKey;
  private final AtomicInteger buckets = new AtomicInteger();
  private final String bucketPrefix;

  private S3Server(Process process, URI endpoint, String accessKeyId, String secretAccessKey) {
    this.process = process;
    this.endpoint = endpoint;
    this.accessKeyId = accessKeyId;
    this.secretAccessKey = secretAccessKey;
    this.bucketPrefix = "it-" + UUID.randomUUID().toString().substring(0, 8) + "-";
  }

  /**
   * Provisions the binary (once; the script returns at once when cached), then starts the server
   * with its data and log under {@code workDir}, emptied first.
   */
  public static S3Server start(Path repoRoot, Path workDir) {
    try {
      LocalProcesses.deleteRecursively(workDir);
      Path data = Files.createDirectories(workDir.resolve("data"));
      Path weed = provision(repoRoot, workDir.resolve("provision.log"));
      String accessKeyId = "AKIH" + random(16).toUpperCase(Locale.ROOT);
      String secretAccessKey = random(40);
      Path config = workDir.resolve("s3-identities.json");
      Files.writeString(config, identities(accessKeyId, secretAccessKey));
      int s3Port = LocalProcesses.freePort();
      List<String> command = new ArrayList<>();
      command.add(weed.toString());
      command.add("mini");
      command.add("-dir=" + data);
      command.add("-ip=127.0.0.1");
      command.add("-ip.bind=127.0.0.1");
      command.add("-s3.port=" + s3Port);
      command.add("-s3.config=" + config);
      // Every other listener on a port of its own, so several servers (test runs, the local stack)
      // share a machine; components the tests do not use are off, and so is the telemetry report.
      for (String port :
          List.of(
              "master.port",
              "master.port.grpc",
              "volume.port",
              "volume.port.grpc",
              "filer.port",
              "filer.port.grpc",
              "s3.port.grpc",
              "admin.port",
              "admin.port.grpc")) {
        command.add("-" + port + "=" + LocalProcesses.freePort());
      }
      command.addAll(
          List.of(
              "-s3.port.iceberg=0",
              "-s3.port.lance=0",
              "-admin.port.legacy=0",
              "-admin.ui=false",
              "-webdav=false",
              "-master.telemetry=false",
              "-master.volumeSizeLimitMB=64"));
      Path log = workDir.resolve("weed.log");
      Process process =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      S3Server server =
          new S3Server(
              process, new URI("http://127.0.0.1:" + s3Port), accessKeyId, secretAccessKey);
      long started = System.nanoTime();
      server.awaitReady(log);
      LOG.info(
          "S3 server (SeaweedFS) ready at {} in {} ms (log {})",
          server.endpoint,
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started),
          log);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the S3 server in " + workDir, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The S3 endpoint, e.g. {@code http://127.0.0.1:41681}; address buckets path-style. */
  public URI endpoint() {
    return endpoint;
  }

  public String accessKeyId() {
    return accessKeyId;
  }

  public String secretAccessKey() {
    return secretAccessKey;
  }

  /** A new client of this server (path-style, the server's credentials); close it when done. */
  public S3Client client() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of(REGION))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, secretAccessKey)))
        .build();
  }

  /** Creates a bucket no other test of this run uses and returns its name. */
  public String createBucket() {
    String name = bucketPrefix + buckets.incrementAndGet();
    createBucket(name);
    return name;
  }

  /** Creates the named bucket; an existing bucket of that name is kept. */
  public void createBucket(String name) {
    try (S3Client s3 = client()) {
      if (s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(name))) {
        s3.createBucket(b -> b.bucket(name));
      }
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      LocalProcesses.stop(process, Duration.ofSeconds(10));
    }
  }

  private static String identities(String accessKeyId, String secretAccessKey) {
    return """
        {"identities": [{"name": "insighthub-test",
          "credentials": [{"accessKey": "%s", "secretKey": "%s"}],
          "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
        """
        .formatted(accessKeyId, secretAccessKey);
  }

  /**
   * Ready when the gateway answers an unsigned request (with AccessDenied) and a signed bucket
   * listing succeeds: the gateway starts before the filer and volume server behind it.
   */
  private void awaitReady(Path log) throws IOException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    String last = "no answer";
    try {
      while (!process.waitFor(200, TimeUnit.MILLISECONDS)) {
        try {
          http.send(
              HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(2)).build(),
              HttpResponse.BodyHandlers.discarding());
          try (S3Client s3 = client()) {
            s3.listBuckets();
            return;
          } catch (RuntimeException e) {
            last = e.getMessage();
          }
        } catch (IOException e) {
          last = e.toString();
        }
        if (System.nanoTime() > deadline) {
          close();
          throw new IllegalStateException(
              "the S3 server is not ready after " + START_LIMIT + " (" + last + "); see " + log);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IllegalStateException("interrupted while starting the S3 server", e);
    }
    throw new IllegalStateException(
        "the S3 server exited with " + process.exitValue() + ": " + tail(log));
  }

  private static Path provision(Path repoRoot, Path log) throws IOException {
    Path script = repoRoot.resolve("e2e/bin/provision-s3.sh");
    Path stdout = log.resolveSibling("provision.out");
    Process process =
        new ProcessBuilder(script.toString())
            .directory(repoRoot.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(log.toFile())
            .start();
    try {
      if (!process.waitFor(PROVISION_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(script + " did not finish in " + PROVISION_LIMIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while provisioning the S3 server", e);
    }
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          script + " failed (exit " + process.exitValue() + "): " + tail(log));
    }
    List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
    if (lines.isEmpty() || !Files.isExecutable(Path.of(lines.getLast().strip()))) {
      throw new IllegalStateException(script + " printed no weed executable: " + lines);
    }
    return Path.of(lines.getLast().strip());
  }

  private static String random(int chars) {
    StringBuilder text = new StringBuilder();
    while (text.length() < chars) {
      text.append(UUID.randomUUID().toString().replace("-", ""));
    }
    return text.substring(0, chars);
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }
}
