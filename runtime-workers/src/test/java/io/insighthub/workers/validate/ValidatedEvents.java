package io.insighthub.workers.validate;

import io.insighthub.crds.worker.WorkerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Raw events turned into what the validate stage writes to the validated topic, by the stage's own
 * {@link Validator} (checks, dedup, PII minimization), without a broker: for benchmarks of the
 * stages after validate. Fails on any event the stage would not accept.
 */
public final class ValidatedEvents implements UnaryOperator<byte[]> {
  private final Validator validator;
  private final SeenIds seen;

  public ValidatedEvents(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    ValidateSettings settings = ValidateSettings.from(config, problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    this.validator =
        new Validator(
            settings,
            new DriftReporter(
                new ValidateMetrics(
                    new io.micrometer.core.instrument.simple.SimpleMeterRegistry())));
    this.seen =
        new SeenIds(settings.dedupWindow().toMillis(), settings.allowedLateness().toMillis());
  }

  @Override
  public byte[] apply(byte[] raw) {
    if (validator.classify(raw, seen) instanceof Validator.Accept accepted) {
      return accepted.value();
    }
    throw new IllegalArgumentException("the validate stage would not accept this event");
  }
}
