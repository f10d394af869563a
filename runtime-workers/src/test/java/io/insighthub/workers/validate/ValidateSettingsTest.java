package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.v1alpha1.SchemaDriftCheck;
import io.insighthub.crds.worker.WorkerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The validate stage refuses a configuration it cannot run, naming each field to fix. */
class ValidateSettingsTest {
  @TempDir Path dir;

  @Test
  void validConfigurationIsReadWithQualityOverrides() throws Exception {
    Path key = Files.writeString(dir.resolve("hmac-key"), "secret\n");
    List<String> problems = new ArrayList<>();
    ValidateSettings settings =
        ValidateSettings.from(
            TestSchemas.config("k:9092", "p", SchemaDriftCheck.Policy.QUARANTINE, key), problems);
    assertThat(problems).isEmpty();
    assertThat(settings.allowedLateness()).isEqualTo(Duration.ofHours(1));
    assertThat(settings.dedupWindow()).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.driftPolicy()).isEqualTo(SchemaDriftCheck.Policy.QUARANTINE);
    assertThat(new String(settings.hmacKey(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("secret");
  }

  @Test
  void missingTopicsAndKeyFileAreNamed() {
    WorkerConfig base =
        TestSchemas.config(
            "k:9092", "p", SchemaDriftCheck.Policy.EVOLVE, dir.resolve("absent-key"));
    WorkerConfig config =
        new WorkerConfig(
            base.version(),
            base.namespace(),
            base.pipeline(),
            new WorkerConfig.Kafka("k:9092", "p.raw", null, "p.dlq", "p.late", null),
            base.events(),
            null,
            null,
            base.pii(),
            base.transforms(),
            null,
            new WorkerConfig.Quality(null, "soon", null, List.of()),
            null);
    List<String> problems = new ArrayList<>();
    ValidateSettings.from(config, problems);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("config.kafka.validated is missing"))
        .anySatisfy(p -> assertThat(p).startsWith("config.quality.allowedLateness must be"))
        .anySatisfy(p -> assertThat(p).contains("config.pii.hashKeyFile").contains("absent-key"));
  }

  @Test
  void missingSchemaIsNamed() {
    WorkerConfig base =
        TestSchemas.config("k:9092", "p", SchemaDriftCheck.Policy.EVOLVE, dir.resolve("k"));
    WorkerConfig config =
        new WorkerConfig(
            1, "ns", "p", base.kafka(), null, null, null, null, null, null, null, null);
    List<String> problems = new ArrayList<>();
    ValidateSettings.from(config, problems);
    assertThat(problems).singleElement().asString().startsWith("config.events is missing");
  }
}
