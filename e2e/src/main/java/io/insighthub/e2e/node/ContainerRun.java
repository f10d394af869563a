package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One container of a Pod on the local node: its current run, restarts with the kubelet's back-off
 * (10 s doubling to 5 min, reset after 10 min of running), probes, and the status the kubelet
 * reports for it (state, last state, ready, started, restart count).
 */
final class ContainerRun {
  static final Duration INITIAL_BACKOFF = Duration.ofSeconds(10);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  static final Duration BACKOFF_RESET = Duration.ofMinutes(10);

  final Container spec;
  final boolean init;
  LocalImage image;
  ContainerProcess process;
  int restartCount;
  int runs;
  ContainerState state;
  ContainerState lastState;
  Instant restartAt;
  Duration backoff = INITIAL_BACKOFF;
  Probes startup;
  Probes liveness;
  Probes readiness;
  boolean started;
  boolean ready;
  int hostPort;

  /** Set when the node ended the run (liveness, deletion): the reason it reports. */
  String stopReason;

  ContainerRun(Container spec, boolean init) {
    this.spec = spec;
    this.init = init;
    this.state = waiting("ContainerCreating", null);
  }

  boolean running() {
    return process != null && process.alive();
  }

  boolean exitedWith(int code) {
    return state.getTerminated() != null && state.getTerminated().getExitCode() == code;
  }

  boolean terminated() {
    return state.getTerminated() != null;
  }

  /** The run ended: records its exit as the kubelet does and returns the exit code. */
  int reap(boolean fallbackToLogs) {
    int code = process.exitCode();
    String reason = code == 0 ? "Completed" : "Error";
    String message = code != 0 && fallbackToLogs ? process.tail() : null;
    state =
        new ContainerStateBuilder()
            .withNewTerminated()
            .withExitCode(code)
            .withReason(reason)
            .withMessage(message == null || message.isEmpty() ? null : message)
            .withStartedAt(time(process.startedAt()))
            .withFinishedAt(time(Instant.now()))
            .withContainerID(containerId())
            .endTerminated()
            .build();
    // A run of ten minutes or more resets the back-off, as the kubelet's does.
    if (Duration.between(process.startedAt(), Instant.now()).compareTo(BACKOFF_RESET) >= 0) {
      backoff = INITIAL_BACKOFF;
    }
    ready = false;
    started = false;
    startup = liveness = readiness = null;
    return code;
  }

  /** The next start waits out the back-off; the state says so (CrashLoopBackOff). */
  void backOff(String pod, String log) {
    restartAt = Instant.now().plus(backoff);
    lastState = state;
    state =
        waiting(
            "CrashLoopBackOff",
            "back-off "
                + backoff.toSeconds()
                + "s restarting failed container="
                + spec.getName()
                + " pod="
                + pod
                + " (log: "
                + log
                + ")");
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
  }

  boolean dueToStart(Instant now) {
    return process == null || (!process.alive() && restartAt != null && !now.isBefore(restartAt));
  }

  void running(ContainerProcess started) {
    if (process != null) {
      restartCount++;
      if (state.getTerminated() != null) {
        lastState = state;
      }
    }
    process = started;
    runs++;
    restartAt = null;
    stopReason = null;
    state =
        new ContainerStateBuilder()
            .withNewRunning()
            .withStartedAt(time(started.startedAt()))
            .endRunning()
            .build();
  }

  ContainerStatus status() {
    return new ContainerStatusBuilder()
        .withName(spec.getName())
        .withImage(spec.getImage())
        .withImageID(image == null ? "" : "local://" + Images.repository(spec.getImage()))
        .withContainerID(process == null ? null : containerId())
        .withReady(ready)
        .withStarted(init ? null : started)
        .withRestartCount(restartCount)
        .withState(state)
        .withLastState(lastState == null ? new ContainerState() : lastState)
        .build();
  }

  private String containerId() {
    return "local://" + process.pid();
  }

  static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder()
        .withNewWaiting()
        .withReason(reason)
        .withMessage(message)
        .endWaiting()
        .build();
  }

  static String time(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
