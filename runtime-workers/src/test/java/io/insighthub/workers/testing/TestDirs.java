package io.insighthub.workers.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Work directories for tests, under the module's target/. */
public final class TestDirs {
  private TestDirs() {}

  /** An empty directory {@code target/<name>}, its previous content removed. */
  public static Path fresh(String name) {
    Path dir = Path.of("target", name).toAbsolutePath();
    try {
      if (Files.exists(dir)) {
        try (var paths = Files.walk(dir)) {
          for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(path);
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
