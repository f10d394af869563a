package io.insighthub.e2e.crds;

import static org.assertj.core.api.Assertions.assertThat;

import io.insighthub.e2e.kube.CommandResult;
import io.insighthub.e2e.kube.KubeApiServer;
import io.insighthub.e2e.kube.KubeApiServerExtension;
import io.insighthub.e2e.kube.TestNamespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a user sees through the real kubectl: samples apply, printer columns, explain. */
@ExtendWith(KubeApiServerExtension.class)
class KubectlIT {

  @Test
  void everySampleAppliesWithServerSideDryRun(KubeApiServer server, TestNamespace ns)
      throws IOException {
    CommandResult result =
        server.kubectl("apply", "--dry-run=server", "-n", ns.name(), "-f", "samples/").orThrow();

    long documents = sampleDocuments(server.repoRoot());
    assertThat(result.stdout().lines().filter(l -> l.endsWith("(server dry run)")))
        .as("one line per sample document:%n%s", result.stdout())
        .hasSize((int) documents);
    assertThat(documents).isGreaterThanOrEqualTo(10);
  }

  @Test
  void getInsighthubShowsEveryKindWithPrinterColumns(KubeApiServer server, TestNamespace ns) {
    server.kubectl("apply", "-n", ns.name(), "-f", "samples/").orThrow();
    server
        .kubectl(
            "patch",
            "pipeline",
            "product-events",
            "-n",
            ns.name(),
            "--subresource=status",
            "--type=merge",
            "-p",
            """
            {"status": {"worstLag": "43s", "sla": "2m", "conditions": [
              {"type": "Ready", "status": "True", "reason": "AllReady", "message": "ok",
               "lastTransitionTime": "2026-01-01T00:00:00Z"},
              {"type": "FreshnessSLAMet", "status": "True", "reason": "WithinSla",
               "message": "events: lag 43s within SLA 120s",
               "lastTransitionTime": "2026-01-01T00:00:00Z"}]}}""")
        .orThrow();

    String out = server.kubectl("get", "insighthub", "-n", ns.name()).orThrow().stdout();

    assertThat(out)
        .contains("pipeline.data.insighthub.io/product-events")
        .contains("cdcsource.data.insighthub.io/billing-db")
        .contains("qualityrule.data.insighthub.io/")
        .contains("backfill.data.insighthub.io/");
    assertThat(headerOf(out, "pipeline.data.insighthub.io/"))
        .containsExactly("NAME", "READY", "FRESH", "FRESHNESS", "SLA", "AGE");
    assertThat(headerOf(out, "backfill.data.insighthub.io/"))
        .containsExactly("NAME", "PIPELINE", "PHASE", "PROGRESS", "AGE");
    assertThat(headerOf(out, "cdcsource.data.insighthub.io/"))
        .containsExactly("NAME", "READY", "CONNECTOR", "SLOT-LAG", "LAST-EVENT", "AGE");
    assertThat(rowOf(out, "pipeline.data.insighthub.io/product-events"))
        .containsSubsequence("True", "True", "43s", "2m");
  }

  @Test
  void explainTeachesTheResource(KubeApiServer server) {
    String spec = server.kubectl("explain", "pipeline.spec").orThrow().stdout();
    assertThat(spec)
        .contains("GROUP:      data.insighthub.io")
        .contains("source\t<Object> -required-")
        .contains("exactly one of events")
        .contains("pii\t<Object>")
        .contains("Personal data minimization");

    String pii = server.kubectl("explain", "pipeline.spec.pii.fields.action").orThrow().stdout();
    assertThat(pii).contains("hash").contains("drop").contains("mask");

    String slot = server.kubectl("explain", "cdcsource.spec.slotName").orThrow().stdout();
    assertThat(slot).contains("Immutable");

    String disk =
        server.kubectl("explain", "pipeline.spec.workers.validate.stateStorage").orThrow().stdout();
    assertThat(disk.replaceAll("\\s+", " "))
        .contains("ephemeral-storage request")
        .contains("(allowed lateness + dedup window) x 50-70 bytes");
  }

  @Test
  void chartLintsAndShipsTheCrds(KubeApiServer server) {
    CommandResult lint = server.helm("lint", "charts/insighthub-operator").orThrow();
    assertThat(lint.stdout()).contains("1 chart(s) linted, 0 chart(s) failed");

    String rendered =
        server
            .helm("template", "insighthub", "charts/insighthub-operator", "--include-crds")
            .orThrow()
            .stdout();
    assertThat(rendered)
        .contains("name: \"pipelines.data.insighthub.io\"")
        .contains("name: \"cdcsources.data.insighthub.io\"")
        .contains("name: \"qualityrules.data.insighthub.io\"")
        .contains("name: \"backfills.data.insighthub.io\"");
  }

  private static long sampleDocuments(Path repoRoot) throws IOException {
    try (Stream<Path> files = Files.list(repoRoot.resolve("samples"))) {
      long count = 0;
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        count +=
            Stream.of(Files.readString(file).split("(?m)^---\\s*$"))
                .filter(doc -> doc.lines().anyMatch(l -> l.startsWith("kind:")))
                .count();
      }
      return count;
    }
  }

  /** The header row of the table printed just before the first row whose name starts so. */
  private static List<String> headerOf(String out, String namePrefix) {
    List<String> lines = out.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(namePrefix)) {
        int header = i;
        while (header > 0 && !lines.get(header).startsWith("NAME")) {
          header--;
        }
        return List.of(lines.get(header).trim().split("\\s{2,}"));
      }
    }
    throw new AssertionError("no row starting with " + namePrefix + " in:\n" + out);
  }

  private static List<String> rowOf(String out, String name) {
    return out.lines()
        .filter(l -> l.startsWith(name + " "))
        .findFirst()
        .map(l -> List.of(l.trim().split("\\s+")))
        .orElseThrow(() -> new AssertionError("no row " + name + " in:\n" + out));
  }
}
