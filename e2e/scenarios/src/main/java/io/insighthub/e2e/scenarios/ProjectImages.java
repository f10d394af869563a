package io.insighthub.e2e.scenarios;

import io.insighthub.e2e.node.Images;
import io.insighthub.e2e.node.LocalImage;
import io.insighthub.e2e.node.PortBinding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The images the local node runs for the product: the worker and operator images as their main
 * classes, with the JVM options of their Dockerfiles, from this module's classpath (which holds the
 * runtime-workers and operator jars and their dependencies); the {@code postgres} image of the
 * drop-slot Job as this machine's {@code psql}. Each image's port: the worker's {@code
 * --metrics-port}, the operator's {@code INSIGHTHUB_HTTP_PORT}.
 */
public final class ProjectImages {
  public static final String WORKER = "ghcr.io/insighthub/runtime-workers";
  public static final String OPERATOR = "ghcr.io/insighthub/operator";
  public static final String POSTGRES = "postgres";

  private ProjectImages() {}

  public static Images local() {
    String classPath = System.getProperty("java.class.path");
    Images.Builder images =
        Images.builder()
            .add(
                WORKER,
                new LocalImage.Java(
                    "io.insighthub.workers.WorkerMain",
                    classPath,
                    List.of("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError"),
                    List.of("--help"),
                    PortBinding.option("--metrics-port")))
            .add(
                OPERATOR,
                new LocalImage.Java(
                    "io.insighthub.operator.runtime.OperatorMain",
                    classPath,
                    List.of("-XX:MaxRAMPercentage=70", "-XX:+ExitOnOutOfMemoryError"),
                    List.of(),
                    PortBinding.variable("INSIGHTHUB_HTTP_PORT")));
    onPath("psql")
        .ifPresent(psql -> images.add(POSTGRES, new LocalImage.HostCommands(Map.of("psql", psql))));
    return images.build();
  }

  private static Optional<Path> onPath(String program) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
    for (String dir : path.split(":")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
