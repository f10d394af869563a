package io.insighthub.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.crds.worker.WorkerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: usage, per-subcommand help, and configuration errors that name the field. */
class WorkerMainTest {
  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final RecordingStage stage = new RecordingStage();

  @Test
  void helpListsSubcommands() {
    assertThat(run("--help")).isEqualTo(WorkerMain.EXIT_OK);
    assertThat(out())
        .contains("Usage: worker [-h] <subcommand>")
        .contains("echo")
        .contains("records its config");
  }

  @Test
  void subcommandHelpNamesItsOptions() {
    assertThat(run("echo", "--help")).isEqualTo(WorkerMain.EXIT_OK);
    assertThat(out())
        .contains("Usage: worker echo")
        .contains("--config=FILE")
        .contains("--metrics-port=N")
        .contains("--table=NAME")
        .contains("table the echo stage names");
  }

  @Test
  void stageOptionsReachTheStage() throws IOException {
    Path config = write(valid());
    assertThat(run("echo", "--config", config.toString(), "--metrics-port", "0", "--table", "T1"))
        .isEqualTo(WorkerMain.EXIT_OK);
    assertThat(stage.options.table).isEqualTo("T1");
  }

  @Test
  void unknownOptionIsAUsageErrorNamingIt() {
    assertThat(run("echo", "--tabel", "T1")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err()).contains("Unknown options: '--tabel'").contains("Usage: worker echo");
  }

  @Test
  void unknownSubcommandIsAUsageError() {
    assertThat(run("transmogrify")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err()).contains("unknown subcommand 'transmogrify'");
  }

  @Test
  void missingConfigFileSaysWhichFileAndHowToPassOne() {
    assertThat(run("echo", "--config", dir.resolve("absent.json").toString()))
        .isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err()).contains("absent.json does not exist").contains("--config");
  }

  @Test
  void wrongTypeNamesTheField() throws IOException {
    Path config =
        write(
            "{\"version\": 1, \"namespace\": \"ns\", \"pipeline\": \"p\", \"kafka\": \"k:9092\"}");
    assertThat(run("echo", "--config", config.toString())).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err()).contains("config.kafka has the wrong type");
  }

  @Test
  void missingFieldsAreAllReported() throws IOException {
    Path config = write("{\"version\": 7, \"pipeline\": \"p\"}");
    assertThat(run("echo", "--config", config.toString())).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err())
        .contains("config.version is 7 but this worker reads version 1")
        .contains("config.namespace is missing")
        .contains("config.kafka.bootstrapServers is missing");
    assertThat(stage.ran).isEmpty();
  }

  @Test
  void stageProblemsAreReportedBeforeItRuns() throws IOException {
    Path config = write(valid().replace("\"pipeline\": \"p\"", "\"pipeline\": \"reject-me\""));
    assertThat(run("echo", "--config", config.toString())).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err()).contains("config.pipeline: echo refuses reject-me");
  }

  @Test
  void validConfigRunsTheStageWithMetricsServed() throws IOException {
    Path config = write(valid());
    assertThat(run("echo", "--config", config.toString(), "--metrics-port", "0"))
        .isEqualTo(WorkerMain.EXIT_OK);
    assertThat(stage.ran).singleElement().extracting(WorkerConfig::pipeline).isEqualTo("p");
  }

  @Test
  void badPortIsAUsageError() {
    assertThat(run("echo", "--metrics-port", "http")).isEqualTo(WorkerMain.EXIT_USAGE);
    assertThat(err())
        .contains("'--metrics-port'")
        .contains("must be a port number (0-65535), got 'http'");
  }

  private static String valid() {
    return "{\"version\": 1, \"namespace\": \"ns\", \"pipeline\": \"p\","
        + " \"kafka\": {\"bootstrapServers\": \"127.0.0.1:9092\"}}";
  }

  private Path write(String json) throws IOException {
    return Files.writeString(dir.resolve("config.json"), json);
  }

  private int run(String... args) {
    return WorkerMain.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        List.of(stage));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** A stage that only records the configuration it was started with. */
  private static final class RecordingStage implements Subcommand {
    final List<WorkerConfig> ran = new ArrayList<>();
    final EchoOptions options = new EchoOptions();

    /** The test stage's own option. */
    static final class EchoOptions {
      @picocli.CommandLine.Option(
          names = "--table",
          paramLabel = "NAME",
          description = "table the echo stage names")
      String table;
    }

    @Override
    public Object options() {
      return options;
    }

    @Override
    public String name() {
      return "echo";
    }

    @Override
    public String summary() {
      return "records its config (test stage)";
    }

    @Override
    public List<String> checkConfig(WorkerConfig config) {
      return config.pipeline().equals("reject-me")
          ? List.of("config.pipeline: echo refuses reject-me")
          : List.of();
    }

    @Override
    public int run(WorkerContext context) {
      ran.add(context.config());
      return WorkerMain.EXIT_OK;
    }
  }
}
