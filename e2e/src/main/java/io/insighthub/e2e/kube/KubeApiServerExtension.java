package io.insighthub.e2e.kube;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real control plane ({@link KubeApiServer}: the API server, the
 * controller-manager and the scheduler) with the project's and Strimzi's CRDs installed. One server
 * is started per test run and stopped when the run ends, also when tests fail; each test class gets
 * its own namespace. Tests declare parameters of type {@link KubeApiServer}, {@link
 * KubernetesClient} or {@link TestNamespace}.
 */
public final class KubeApiServerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(KubeApiServerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == KubeApiServer.class
        || type == KubernetesClient.class
        || type == TestNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    KubeApiServer server = server(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == KubernetesClient.class) {
      return server.client();
    }
    if (type == TestNamespace.class) {
      return namespace(context, server);
    }
    return server;
  }

  /** The run-wide server, started on first use and closed by JUnit when the run ends. */
  public static KubeApiServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent("server", key -> StartedServer.start(), StartedServer.class)
        .serverOrThrow();
  }

  private static KubeApiServer startWithCrds() {
    Path repoRoot =
        Path.of(System.getProperty("insighthub.repoRoot", "..")).toAbsolutePath().normalize();
    Path workDir = Path.of("target", "test-bed", "kube-apiserver").toAbsolutePath();
    KubeApiServer server = KubeApiServer.start(repoRoot, workDir);
    try {
      server.installProjectCrds();
      server.installStrimziCrds();
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private static TestNamespace namespace(ExtensionContext context, KubeApiServer server) {
    ExtensionContext classContext =
        context.getTestMethod().isPresent() ? context.getParent().orElseThrow() : context;
    return classContext
        .getStore(STORE)
        .getOrComputeIfAbsent(
            "namespace",
            key -> TestNamespace.create(server.client(), namespaceName(classContext)),
            TestNamespace.class);
  }

  private static String namespaceName(ExtensionContext context) {
    String base =
        context
            .getRequiredTestClass()
            .getSimpleName()
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]", "");
    String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1 << 20), 36);
    return (base.length() > 40 ? base.substring(0, 40) : base) + "-" + suffix;
  }

  /**
   * The outcome of the one start attempt of a run: later tests fail fast with the same cause
   * instead of starting again. Closes the server when JUnit discards the root store.
   */
  private record StartedServer(KubeApiServer server, RuntimeException failure)
      implements AutoCloseable {
    static StartedServer start() {
      try {
        return new StartedServer(startWithCrds(), null);
      } catch (RuntimeException e) {
        return new StartedServer(null, e);
      }
    }

    KubeApiServer serverOrThrow() {
      if (failure != null) {
        throw new IllegalStateException("the test API server could not start", failure);
      }
      return server;
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
    }
  }
}
