package io.insighthub.e2e.node;

import java.util.List;
import java.util.Map;

/**
 * How a container's declared port reaches its process. Every Pod of the local node shares the
 * host's loopback address, so two Pods declaring port 9404 would clash: the node gives each Pod's
 * port a free host port and passes it as the image takes it, here a command-line option or an
 * environment variable. Probes and {@link LocalNode#hostPort} use the host port.
 *
 * @param option the command-line option carrying the port (its value is replaced, or the option
 *     appended), or null
 * @param variable the environment variable carrying the port, or null
 */
public record PortBinding(String option, String variable) {
  public static final PortBinding NONE = new PortBinding(null, null);

  public static PortBinding option(String option) {
    return new PortBinding(option, null);
  }

  public static PortBinding variable(String variable) {
    return new PortBinding(null, variable);
  }

  public boolean binds() {
    return option != null || variable != null;
  }

  /** Passes {@code hostPort} to the process through {@code command} or {@code env}. */
  void apply(int hostPort, List<String> command, Map<String, String> env) {
    if (option != null) {
      int at = command.indexOf(option);
      if (at >= 0 && at + 1 < command.size()) {
        command.set(at + 1, String.valueOf(hostPort));
      } else {
        command.add(option);
        command.add(String.valueOf(hostPort));
      }
    }
    if (variable != null) {
      env.put(variable, String.valueOf(hostPort));
    }
  }
}
