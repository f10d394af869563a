package io.insighthub.e2e.kube;

/** Exit code and output of a command the test bed ran (kubectl, helm, a script). */
public record CommandResult(String command, int exitCode, String stdout, String stderr) {
  public boolean succeeded() {
    return exitCode == 0;
  }

  /** Returns this result, or throws with the command's output when it failed. */
  public CommandResult orThrow() {
    if (!succeeded()) {
      throw new IllegalStateException(
          "`%s` exited %d%nstdout:%n%s%nstderr:%n%s".formatted(command, exitCode, stdout, stderr));
    }
    return this;
  }
}
