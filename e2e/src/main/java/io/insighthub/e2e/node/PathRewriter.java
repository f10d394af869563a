package io.insighthub.e2e.node;

import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a container's mount paths to the local directories standing in for them: a process of
 * the local node shares the host's file system, so {@code /etc/insighthub/config.json} in its args,
 * environment and mounted text files becomes the file in the Pod's volume directory. A path is
 * rewritten only as a whole path element: it starts the text or follows a quote, blank, {@code =},
 * {@code :} or {@code ,}, and ends the text or is followed by {@code /}, a quote, blank or {@code
 * ,}; so {@code s3://bucket/tmp/x} keeps its {@code /tmp}.
 */
final class PathRewriter {
  private final Pattern pattern;
  private final Map<String, Path> mounts;

  PathRewriter(Map<String, Path> mounts) {
    this.mounts = Map.copyOf(mounts);
    // Longest first, so /var/run/secrets/x wins over /var/run.
    String alternatives =
        mounts.keySet().stream()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .map(Pattern::quote)
            .reduce((a, b) -> a + "|" + b)
            .orElse(null);
    this.pattern =
        alternatives == null
            ? null
            : Pattern.compile("(?<=^|[\"'\\s=:,])(" + alternatives + ")(?=/|\"|'|\\s|,|$)");
  }

  String rewrite(String text) {
    if (pattern == null || text == null) {
      return text;
    }
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** The local directory of a container path under one of the mounts, if it is under one. */
  Path local(String containerPath) {
    String rewritten = rewrite(containerPath);
    return rewritten.equals(containerPath) ? null : Path.of(rewritten);
  }
}
