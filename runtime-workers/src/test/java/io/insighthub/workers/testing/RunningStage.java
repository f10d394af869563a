package io.insighthub.workers.testing;

import io.insighthub.crds.worker.WorkerConfig;
import io.insighthub.workers.Subcommand;
import io.insighthub.workers.WorkerContext;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** A stage run in the test's JVM on its own thread, with a registry the test can read. */
public final class RunningStage implements AutoCloseable {
  private final WorkerContext context;
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();

  private RunningStage(WorkerContext context) {
    this.context = context;
  }

  public static RunningStage start(Subcommand stage, WorkerConfig config) {
    RunningStage running =
        new RunningStage(
            new WorkerContext(
                config,
                new SimpleMeterRegistry(),
                new WorkerContext.Health(),
                new CountDownLatch(1)));
    Thread thread =
        new Thread(
            () -> {
              try {
                running.exit.complete(stage.run(running.context));
              } catch (Throwable e) {
                running.exit.completeExceptionally(e);
              }
            },
            stage.name() + "-stage");
    thread.setDaemon(true);
    thread.start();
    return running;
  }

  public SimpleMeterRegistry metrics() {
    return (SimpleMeterRegistry) context.metrics();
  }

  /** The sum of a counter over all its tags, 0 when absent. */
  public double count(String name) {
    return metrics().find(name).counters().stream().mapToDouble(c -> c.count()).sum();
  }

  public double count(String name, String tag, String value) {
    return metrics().find(name).tag(tag, value).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  public boolean isReady() {
    return context.health().isReady();
  }

  /** The exit code once the stage returned on its own, within {@code limit}. */
  public int awaitExit(Duration limit) throws Exception {
    return exit.get(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean hasExited() {
    return exit.isDone();
  }

  /** Asks the stage to stop, as SIGTERM does, and waits for it. */
  @Override
  public void close() {
    context.stopRequested().countDown();
    try {
      exit.get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the stage did not stop cleanly", e);
    }
  }
}
