package io.insighthub.workers;

/** One stage of the worker executable, e.g. {@code validate}; runs until stopped or done. */
public interface Subcommand {
  /** The name on the command line. */
  String name();

  /** One line for {@code --help}. */
  String summary();

  /**
   * Checks the configuration this stage needs and returns the problems found, each naming the field
   * and the fix; empty when the stage can start.
   */
  java.util.List<String> checkConfig(io.insighthub.crds.worker.WorkerConfig config);

  /**
   * Runs the stage. Returns the process exit code: 0 when it finished (batch stages) or was
   * stopped; non-zero when it had to stop, with the reason logged.
   */
  int run(WorkerContext context) throws Exception;
}
