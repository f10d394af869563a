package io.insighthub.crds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRD YAML committed to Git (and shipped in the chart) must be exactly what the build generates
 * from the model; otherwise users would install a schema the code does not match.
 */
class CrdYamlUpToDateTest {
  private static final Path REPO = Path.of(System.getProperty("insighthub.repoRoot", ".."));
  private static final Path GENERATED = Path.of("target", "crds");
  private static final String FIX =
      "the committed CRD YAML is stale; regenerate it with"
          + " `./build -pl crds process-test-classes -Pupdate-crds` and commit the result";

  @ParameterizedTest
  @ValueSource(strings = {"crds/generated", "charts/insighthub-operator/crds"})
  void committedCopyEqualsGeneratedYaml(String committedDir) throws IOException {
    Path committed = REPO.resolve(committedDir);
    assertThat(names(committed)).as(FIX).isEqualTo(names(GENERATED));
    for (String name : names(GENERATED)) {
      assertThat(Files.readString(committed.resolve(name)))
          .as("%s/%s: %s", committedDir, name, FIX)
          .isEqualTo(Files.readString(GENERATED.resolve(name)));
    }
  }

  private static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml"))
          .sorted()
          .toList();
    }
  }
}
