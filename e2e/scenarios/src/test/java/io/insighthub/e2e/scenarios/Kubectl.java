package io.insighthub.e2e.scenarios;

import java.nio.file.Path;

/** The scenarios' way in: the real kubectl against the stack's API server, in one namespace. */
final class Kubectl {
  static final String NS = "insighthub";

  private final InsightHubStack stack;

  private Kubectl(InsightHubStack stack) {
    this.stack = stack;
  }

  /** Starts a stack for one scenario class, its work directory under target/scenarios. */
  static InsightHubStack startStack(String scenario, boolean withCdc) {
    return InsightHubStack.start(
        repoRoot(),
        Path.of("target", "scenarios", scenario).toAbsolutePath(),
        NS,
        withCdc,
        line -> System.out.println("[stack] " + line));
  }

  /** The repository checkout (samples, chart). */
  static Path repoRoot() {
    return Path.of(System.getProperty("insighthub.repoRoot", "../..")).toAbsolutePath();
  }

  static Kubectl on(InsightHubStack stack) {
    return new Kubectl(stack);
  }

  /** Runs kubectl in the namespace; fails with kubectl's error when it does. */
  String run(String... args) {
    String[] full = new String[args.length + 2];
    full[0] = "-n";
    full[1] = NS;
    System.arraycopy(args, 0, full, 2, args.length);
    return stack.api().kubectl(full).orThrow().stdout().strip();
  }

  /** A field ({@code status}, {@code reason}, {@code message}) of a condition of a resource. */
  String condition(String kind, String name, String type, String field) {
    return run(
        "get",
        kind,
        name,
        "-o",
        "jsonpath={.status.conditions[?(@.type==\"" + type + "\")]." + field + "}");
  }

  /** Merge-patches {@code spec.suspend} of a resource. */
  void suspend(String kind, String name, boolean suspend) {
    run("patch", kind, name, "--type", "merge", "-p", "{\"spec\":{\"suspend\":" + suspend + "}}");
  }
}
