package io.insighthub.e2e.node;

import io.fabric8.kubernetes.api.model.Container;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the local node runs a container of one image: the host command that stands in for the image's
 * entry point, and how the container's declared port reaches the process.
 */
public sealed interface LocalImage {
  /**
   * The command line of the container's process: the image's entry point (or, for a host-command
   * image, the program the container names) followed by the container's args.
   *
   * @throws NotRunnable when this image cannot run the container as declared
   */
  List<String> command(Container container, Launch launch) throws NotRunnable;

  /** How the container's port is passed to the process; {@link PortBinding#NONE} if it is not. */
  PortBinding port();

  /** What the node says it runs for the image, in messages. */
  String describe();

  /** What the node knows of the pod when it starts the container. */
  record Launch(Path tmpDir, long memoryLimitBytes, double cpuLimit) {}

  /**
   * A Java image: its main class from a classpath on this machine (the jar the image ships is the
   * module's artifact on that classpath), with the image's JVM options. The container's memory
   * limit becomes {@code -XX:MaxRAM}, so the JVM sizes its heap and picks its collector as it would
   * inside the container, and its CPU limit {@code -XX:ActiveProcessorCount}.
   *
   * @param defaultArgs the image's CMD, used when the container declares no args
   */
  record Java(
      String mainClass,
      String classPath,
      List<String> jvmOptions,
      List<String> defaultArgs,
      PortBinding port)
      implements LocalImage {
    @Override
    public List<String> command(Container container, Launch launch) throws NotRunnable {
      if (container.getCommand() != null && !container.getCommand().isEmpty()) {
        throw new NotRunnable(
            "container "
                + container.getName()
                + " sets command "
                + container.getCommand()
                + "; the local node runs image "
                + container.getImage()
                + " only through its entry point ("
                + mainClass
                + "), give the arguments as args");
      }
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      if (launch.memoryLimitBytes() > 0) {
        command.add("-XX:MaxRAM=" + launch.memoryLimitBytes());
      }
      if (launch.cpuLimit() > 0) {
        command.add("-XX:ActiveProcessorCount=" + (int) Math.ceil(launch.cpuLimit()));
      }
      command.addAll(jvmOptions);
      command.add("-Djava.io.tmpdir=" + launch.tmpDir());
      command.add("-cp");
      command.add(classPath);
      command.add(mainClass);
      List<String> args = container.getArgs();
      command.addAll(args == null || args.isEmpty() ? defaultArgs : args);
      return command;
    }

    @Override
    public String describe() {
      return "java " + mainClass;
    }
  }

  /**
   * An image whose programs this machine has, such as {@code psql} of a {@code postgres} image: the
   * container's command names the program, which runs from its path here.
   */
  record HostCommands(Map<String, Path> programs) implements LocalImage {
    @Override
    public List<String> command(Container container, Launch launch) throws NotRunnable {
      List<String> declared = container.getCommand();
      String program = declared == null || declared.isEmpty() ? null : declared.getFirst();
      Path local =
          Optional.ofNullable(program)
              .map(p -> programs.get(Path.of(p).getFileName().toString()))
              .orElseThrow(
                  () ->
                      new NotRunnable(
                          "container "
                              + container.getName()
                              + " runs "
                              + (program == null ? "the image's entry point" : program)
                              + "; the local node runs image "
                              + container.getImage()
                              + " only as one of "
                              + programs.keySet()
                              + " named in command"));
      List<String> command = new ArrayList<>();
      command.add(local.toString());
      command.addAll(declared.subList(1, declared.size()));
      if (container.getArgs() != null) {
        command.addAll(container.getArgs());
      }
      return command;
    }

    @Override
    public PortBinding port() {
      return PortBinding.NONE;
    }

    @Override
    public String describe() {
      return "host programs " + programs.keySet();
    }
  }

  /** The container cannot run on this node as declared; the reason is shown in its status. */
  final class NotRunnable extends Exception {
    private static final long serialVersionUID = 1L;

    public NotRunnable(String message) {
      super(message);
    }
  }
}
