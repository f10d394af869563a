package io.insighthub.workers;

import io.insighthub.crds.worker.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The runtime-workers executable: {@code worker <subcommand> [--config FILE] [--metrics-port N]
 * [options of the subcommand]}. Reads the configuration the operator rendered, serves metrics and
 * health, and runs one stage.
 */
public final class WorkerMain {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  private static final Logger LOG = LoggerFactory.getLogger(WorkerMain.class);
  private static final String DEFAULT_CONFIG =
      WorkerConfig.MOUNT_PATH + "/" + WorkerConfig.FILE_NAME;

  private WorkerMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, Subcommands.all());
  }

  static int run(String[] args, PrintStream out, PrintStream err, List<Subcommand> available) {
    CommandLine worker = new CommandLine(new Worker());
    for (Subcommand stage : available) {
      CommandLine line = new CommandLine(new Stage(stage));
      line.getCommandSpec().usageMessage().description(stage.summary());
      if (stage.options() != null) {
        line.addMixin("options", stage.options());
      }
      worker.addSubcommand(stage.name(), line);
    }
    worker.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
    worker.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
    worker.setParameterExceptionHandler(WorkerMain::usageError);
    return worker.execute(args);
  }

  private static int usageError(CommandLine.ParameterException e, String[] args) {
    CommandLine line = e.getCommandLine();
    PrintWriter err = line.getErr();
    if (e instanceof CommandLine.UnmatchedArgumentException && line.getParent() == null) {
      err.printf("unknown subcommand '%s'%n", args[0]);
    } else {
      err.println(e.getMessage());
    }
    line.usage(err);
    return EXIT_USAGE;
  }

  /** The top-level command: lists the subcommands. */
  @Command(
      name = "worker",
      synopsisSubcommandLabel = "<subcommand>",
      description =
          "Runs one InsightHub pipeline stage with the configuration the operator rendered.",
      footer = "%nRun 'worker <subcommand> --help' for its options.")
  static final class Worker implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "print this help and exit")
    boolean help;

    @Override
    public Integer call() {
      spec.commandLine().usage(spec.commandLine().getErr());
      return EXIT_USAGE;
    }
  }

  /** One subcommand: the options every stage takes, then the stage's own, then the run. */
  @Command(sortOptions = false)
  static final class Stage implements Callable<Integer> {
    private final Subcommand command;
    @Spec CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "print this subcommand's help and exit")
    boolean help;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "worker configuration rendered by the operator (default: ${DEFAULT-VALUE})")
    Path config = Path.of(DEFAULT_CONFIG);

    @Option(
        names = "--metrics-port",
        paramLabel = "N",
        converter = PortConverter.class,
        description = "port of /metrics, /healthz and /readyz (default: ${DEFAULT-VALUE}, 0 = any)")
    int metricsPort = WorkerConfig.METRICS_PORT;

    Stage(Subcommand command) {
      this.command = command;
    }

    @Override
    public Integer call() {
      WorkerConfig loaded;
      try {
        loaded = ConfigLoader.load(config, command);
      } catch (ConfigLoader.InvalidConfigException e) {
        spec.commandLine().getErr().println(e.getMessage());
        return EXIT_USAGE;
      }
      return start(command, loaded, metricsPort);
    }
  }

  /** A TCP port, 0 meaning any free one. */
  static final class PortConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String text) {
      try {
        int port = Integer.parseInt(text);
        if (port >= 0 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new CommandLine.TypeConversionException(
          "must be a port number (0-65535), got '" + text + "'");
    }
  }

  private static int start(Subcommand command, WorkerConfig config, int metricsPort) {
    if (command.printsResult()) {
      ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME))
          .setLevel(ch.qos.logback.classic.Level.WARN);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("stage", command.name());
    WorkerContext context =
        new WorkerContext(config, registry, new WorkerContext.Health(), new CountDownLatch(1));
    Thread main = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  context.stopRequested().countDown();
                  try {
                    finished.await();
                  } catch (InterruptedException e) {
                    main.interrupt();
                  }
                },
                "worker-shutdown"));
    try (WorkerHttpServer http = new WorkerHttpServer(metricsPort, registry, context.health())) {
      LOG.info(
          "starting {} for {}/{} (metrics on :{})",
          command.name(),
          config.namespace(),
          config.pipeline(),
          http.port());
      int exit = command.run(context);
      LOG.info("{} stopped with exit code {}", command.name(), exit);
      return exit;
    } catch (Exception e) {
      LOG.error("{} failed: {}", command.name(), e.toString(), e);
      return EXIT_FAILED;
    } finally {
      finished.countDown();
    }
  }
}
