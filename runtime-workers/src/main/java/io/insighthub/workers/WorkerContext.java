package io.insighthub.workers;

import io.insighthub.crds.worker.WorkerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CountDownLatch;

/**
 * What a running stage gets: its configuration, the metrics registry served on /metrics, the health
 * it reports on /readyz, and a latch that opens when the process is asked to stop.
 */
public record WorkerContext(
    WorkerConfig config, MeterRegistry metrics, Health health, CountDownLatch stopRequested) {

  /** Readiness of the stage, set by the stage, read by the /readyz endpoint. */
  public static final class Health {
    private volatile boolean ready;
    private volatile String reason = "starting";

    public void ready() {
      ready = true;
      reason = "ready";
    }

    public void notReady(String why) {
      ready = false;
      reason = why;
    }

    public boolean isReady() {
      return ready;
    }

    public String reason() {
      return reason;
    }
  }
}
