package io.insighthub.operator.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Golden files of rendered children under src/test/resources/golden, as YAML a user would read. Run
 * with {@code -Dgolden.update=true} to rewrite them after an intended change, then review the diff.
 */
public final class Golden {
  private Golden() {}

  public static Path file(String name) {
    return Samples.repoRoot().resolve("operator/src/test/resources/golden").resolve(name);
  }

  public static String yaml(List<? extends HasMetadata> resources) {
    return resources.stream().map(Serialization::asYaml).collect(Collectors.joining());
  }

  public static void assertMatches(String name, List<? extends HasMetadata> resources) {
    String actual = yaml(resources);
    Path file = file(name);
    try {
      boolean missing = !Files.exists(file);
      if (Boolean.getBoolean("golden.update") || missing) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual);
      }
      assertThat(missing).as("%s did not exist: written now, review and commit it", file).isFalse();
      assertThat(actual)
          .as("rendered children differ from %s (rerun with -Dgolden.update=true to accept)", file)
          .isEqualTo(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
