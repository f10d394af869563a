package io.insighthub.workers;

/** One stage of the worker executable, e.g. {@code validate}; runs until stopped or done. */
public interface Subcommand {
  /** The name on the command line. */
  String name();

  /** One line for {@code --help}. */
  String summary();

  /**
   * The subcommand's own command-line options: an object whose picocli {@code @Option} and
   * {@code @Parameters} fields are filled in before {@link #checkConfig} and {@link #run}, and
   * which {@code worker <subcommand> --help} describes. Null when the subcommand takes none beyond
   * {@code --config} and {@code --metrics-port}.
   */
  default Object options() {
    return null;
  }

  /**
   * Whether the subcommand prints its result (a report) on standard output, where the INFO log
   * lines would mix with it: only warnings and errors are logged then.
   */
  default boolean printsResult() {
    return false;
  }

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
