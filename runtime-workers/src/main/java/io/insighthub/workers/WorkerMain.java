package io.insighthub.workers;

import io.insighthub.crds.worker.WorkerConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime-workers executable: {@code worker <subcommand> [--config FILE] [--metrics-port N]}.
 * Reads the configuration the operator rendered, serves metrics and health, and runs one stage.
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
    Map<String, Subcommand> commands =
        available.stream().collect(Collectors.toMap(Subcommand::name, Function.identity()));
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      out.print(usage(commands));
      return args.length == 0 ? EXIT_USAGE : EXIT_OK;
    }
    Subcommand command = commands.get(args[0]);
    if (command == null) {
      err.printf("unknown subcommand '%s'%n%s", args[0], usage(commands));
      return EXIT_USAGE;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      err.print(help(command));
      return EXIT_USAGE;
    }
    if (options.help()) {
      out.print(help(command));
      return EXIT_OK;
    }
    WorkerConfig config;
    try {
      config = ConfigLoader.load(options.config(), command);
    } catch (ConfigLoader.InvalidConfigException e) {
      err.println(e.getMessage());
      return EXIT_USAGE;
    }
    return start(command, config, options.metricsPort());
  }

  private static int start(Subcommand command, WorkerConfig config, int metricsPort) {
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

  private static String usage(Map<String, Subcommand> commands) {
    StringBuilder text =
        new StringBuilder(
            "usage: worker <subcommand> [--config FILE] [--metrics-port N]\n\nsubcommands:\n");
    commands.values().stream()
        .sorted(java.util.Comparator.comparing(Subcommand::name))
        .forEach(c -> text.append(String.format("  %-14s %s%n", c.name(), c.summary())));
    text.append("\nRun 'worker <subcommand> --help' for its options.\n");
    return text.toString();
  }

  private static String help(Subcommand command) {
    return String.format(
        "usage: worker %s [--config FILE] [--metrics-port N]%n%n%s%n%n"
            + "  --config FILE       worker configuration rendered by the operator (default %s)%n"
            + "  --metrics-port N    port of /metrics, /healthz and /readyz (default %d, 0 = any)%n",
        command.name(), command.summary(), DEFAULT_CONFIG, WorkerConfig.METRICS_PORT);
  }

  /** The command-line options common to every subcommand. */
  record Options(Path config, int metricsPort, boolean help) {
    static Options parse(String[] args) {
      Path config = Path.of(DEFAULT_CONFIG);
      int port = WorkerConfig.METRICS_PORT;
      boolean help = false;
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--help", "-h" -> help = true;
          case "--config" -> config = Path.of(value(args, ++i, "--config"));
          case "--metrics-port" -> port = port(value(args, ++i, "--metrics-port"));
          default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
        }
      }
      return new Options(config, port, help);
    }

    private static String value(String[] args, int i, String option) {
      return Optional.of(i)
          .filter(index -> index < args.length)
          .map(index -> args[index])
          .orElseThrow(() -> new IllegalArgumentException(option + " needs a value"));
    }

    private static int port(String text) {
      try {
        int port = Integer.parseInt(text);
        if (port < 0 || port > 65535) {
          throw new NumberFormatException();
        }
        return port;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--metrics-port must be a port number, got '" + text + "'");
      }
    }
  }
}
