package io.insighthub.workers.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UncleanStateTest {
  @TempDir Path stateDir;

  @Test
  void discardsTaskDirectoriesWithoutCheckpoint() throws Exception {
    Path app = stateDir.resolve("insighthub.ns.p.aggregate");
    Path killed = Files.createDirectories(app.resolve("1_0/sessions/db"));
    Files.writeString(killed.resolve("000001.sst"), "data");
    Path clean = Files.createDirectories(app.resolve("1_1/sessions"));
    Files.writeString(app.resolve("1_1/.checkpoint"), "0\n1\n");
    Path stateless = Files.createDirectories(app.resolve("0_0"));
    Path metadata = Files.writeString(app.resolve("kafka-streams-process-metadata"), "id");
    Path other = Files.createDirectories(app.resolve("not-a-task/sessions"));

    assertThat(UncleanState.discard(stateDir, "insighthub.ns.p.aggregate"))
        .containsExactly("0_0", "1_0");

    assertThat(app.resolve("1_0")).doesNotExist();
    assertThat(clean).isDirectory();
    assertThat(stateless).doesNotExist();
    assertThat(metadata).exists();
    assertThat(other).isDirectory();
  }

  @Test
  void aMissingStateDirectoryIsNothingToDiscard() {
    assertThat(UncleanState.discard(stateDir.resolve("absent"), "app")).isEmpty();
  }
}
