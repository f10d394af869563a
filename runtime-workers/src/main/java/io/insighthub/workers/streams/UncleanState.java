package io.insighthub.workers.streams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Clears, before Kafka Streams starts, the local task directories an exactly-once stage left behind
 * when it was killed: those without a {@code .checkpoint} file.
 *
 * <p>Under {@code exactly_once_v2} Kafka Streams deletes a task's checkpoint while it processes and
 * writes it back only on a clean close, so after a SIGKILL no task directory has one, and Kafka
 * Streams would discard their stores anyway and restore them from the changelogs. Left in place,
 * they made the restarted aggregate worker stall: Kafka Streams (4.3) opens the task directories it
 * finds at start-up before the first rebalance; the stateful ones then failed with {@code
 * TaskCorruptedException} (a second rebalance), and even with those removed the stateless source
 * tasks whose empty directories remained were reported "restored and ready to run" while their
 * input partitions were never fetched: the process ran, committed and logged no error, and {@code
 * records_consumed_total} for the input topic stayed 0 (4 of 4 runs with the test pinned to one
 * core). With every uncheckpointed directory removed, the restart is a plain restore from the
 * changelogs and the crash test passes. Nothing committed is lost: the changelogs hold every
 * committed update and the killed instance's open transaction is aborted.
 *
 * <p>The process id file ({@code kafka-streams-process-metadata}) stays, so the restarted instance
 * keeps its transactional id and fences the killed one's open transaction at once.
 */
public final class UncleanState {
  /** Kafka Streams' task directories: subtopology_partition, optionally with a topology prefix. */
  private static final Pattern TASK_DIRECTORY = Pattern.compile("([A-Za-z0-9._-]+__)?\\d+_\\d+");

  private static final String CHECKPOINT = ".checkpoint";

  private UncleanState() {}

  /**
   * Deletes the task directories under {@code stateDir/applicationId} that have no checkpoint;
   * returns their names.
   */
  public static List<String> discard(Path stateDir, String applicationId) {
    Path appDir = stateDir.resolve(applicationId);
    List<String> discarded = new ArrayList<>();
    if (!Files.isDirectory(appDir)) {
      return discarded;
    }
    try (Stream<Path> children = Files.list(appDir)) {
      for (Path task : children.sorted().toList()) {
        String name = task.getFileName().toString();
        if (Files.isDirectory(task)
            && TASK_DIRECTORY.matcher(name).matches()
            && !Files.exists(task.resolve(CHECKPOINT))) {
          deleteTree(task);
          discarded.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clear the unclean state under " + appDir, e);
    }
    return discarded;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
