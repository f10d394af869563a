package io.insighthub.e2e.kafka;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real Kafka broker: one per test run, stopped when the run ends.
 * Tests declare a {@link KafkaBroker} parameter and use their own topic names.
 */
public final class KafkaBrokerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(KafkaBrokerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker(context);
  }

  /** The run-wide broker, started on first use. */
  public static KafkaBroker broker(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(STORE)
        .getOrComputeIfAbsent(
            "broker",
            key ->
                new Started(
                    KafkaBroker.start(Path.of("target", "test-bed", "kafka").toAbsolutePath())),
            Started.class)
        .broker();
  }

  /** Stops the broker when JUnit discards the root store at the end of the run. */
  private record Started(KafkaBroker broker) implements AutoCloseable {
    @Override
    public void close() {
      broker.close();
    }
  }
}
