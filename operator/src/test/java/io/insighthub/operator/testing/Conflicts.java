package io.insighthub.operator.testing;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Retries a test's read-modify-write of a resource the operator may update at the same moment (a
 * 409 Conflict), as any client of a live object must.
 */
public final class Conflicts {
  private Conflicts() {}

  public static void retry(Runnable edit) {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptionsMatching(
            e -> e instanceof KubernetesClientException k && k.getCode() == 409)
        .until(
            () -> {
              edit.run();
              return true;
            });
  }

  /** Changes the live {@code resource} with {@code change} and writes it back, retried on 409. */
  public static <T> void edit(Resource<T> resource, Consumer<T> change) {
    retry(
        () ->
            resource.edit(
                live -> {
                  change.accept(live);
                  return live;
                }));
  }
}
