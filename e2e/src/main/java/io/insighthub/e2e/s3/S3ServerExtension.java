package io.insighthub.e2e.s3;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real S3-compatible server: one per test run, stopped when the
 * run ends. Tests declare an {@link S3Server} parameter and take a bucket each through {@link
 * S3Server#createBucket()}.
 */
public final class S3ServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(S3ServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == S3Server.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  /** The run-wide server, started on first use. */
  public static S3Server server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            "s3",
            key -> {
              Path repoRoot =
                  Path.of(System.getProperty("insighthub.repoRoot", ".."))
                      .toAbsolutePath()
                      .normalize();
              return new Started(
                  S3Server.start(repoRoot, Path.of("target", "test-bed", "s3").toAbsolutePath()));
            },
            Started.class)
        .server();
  }

  /** Stops the server when JUnit discards the root store at the end of the run. */
  private record Started(S3Server server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
