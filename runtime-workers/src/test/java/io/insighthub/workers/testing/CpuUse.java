package io.insighthub.workers.testing;

import io.insighthub.e2e.kafka.KafkaBroker;
import java.time.Duration;

/** CPU time used by this JVM and by the broker process since {@link #start}, for benchmarks. */
public final class CpuUse {
  private final KafkaBroker broker;
  private Duration jvm;
  private Duration brokerCpu;

  public CpuUse(KafkaBroker broker) {
    this.broker = broker;
  }

  public CpuUse start() {
    jvm = jvmCpu();
    brokerCpu = broker.cpuTime();
    return this;
  }

  /** e.g. "CPU per event: this JVM 12.1 us, broker 3.4 us". */
  public String perEvent(long events) {
    double jvmUs = jvmCpu().minus(jvm).toNanos() / 1e3 / events;
    double brokerUs = broker.cpuTime().minus(brokerCpu).toNanos() / 1e3 / events;
    return String.format("CPU per event: this JVM %.1f us, broker %.1f us", jvmUs, brokerUs);
  }

  private static Duration jvmCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }
}
