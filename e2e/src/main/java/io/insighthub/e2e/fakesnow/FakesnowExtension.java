package io.insighthub.e2e.fakesnow;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real fakesnow server: one per test run, stopped when the run
 * ends. Tests declare a {@link FakesnowServer} parameter and take a database each through {@link
 * FakesnowServer#connection()}.
 */
public final class FakesnowExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(FakesnowExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == FakesnowServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  /** The run-wide server, started on first use. */
  public static FakesnowServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            "fakesnow",
            key -> {
              Path repoRoot =
                  Path.of(System.getProperty("insighthub.repoRoot", ".."))
                      .toAbsolutePath()
                      .normalize();
              return new Started(
                  FakesnowServer.start(
                      repoRoot, Path.of("target", "test-bed", "fakesnow").toAbsolutePath()));
            },
            Started.class)
        .server();
  }

  /** Stops the server when JUnit discards the root store at the end of the run. */
  private record Started(FakesnowServer server) implements AutoCloseable {
    @Override
    public void close() {
      server.close();
    }
  }
}
