package io.insighthub.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher.Result;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A dependent resource managing exactly one child (server-side applied, owned by the primary),
 * recording an Event when it creates or updates it.
 *
 * <p>Matching is remembered: JOSDK's server-side-apply matcher converts the child and the desired
 * state to maps and prunes them on every reconcile, which was the largest single cost of a
 * reconcile at 1,000 Pipelines, while most reconciles are caused by a child's status changing
 * (Strimzi marking a topic Ready, a Deployment becoming available), which cannot change whether the
 * fields the operator applies still hold its values. So once a child matched, it is taken to match
 * again while the desired state is the same and the child's own spec and metadata are unchanged:
 * the same generation (a spec edit, by hand too, increases it; objects without one, such as
 * ConfigMaps, compare their resourceVersion), labels, annotations, owner references and finalizers.
 * A remembered match is re-checked in full after {@link #REMEMBER_MATCH}.
 */
public abstract class ChildDependent<R extends HasMetadata, P extends HasMetadata>
    extends CRUDKubernetesDependentResource<R, P> {

  /** How long a full match is trusted without repeating it. */
  static final Duration REMEMBER_MATCH = Duration.ofMinutes(10);

  /** Beyond this many remembered children (deleted ones included), forget them all. */
  static final int MAX_REMEMBERED = 100_000;

  private final Map<String, Matched> matched = new ConcurrentHashMap<>();

  protected ChildDependent(Class<R> type) {
    super(type);
  }

  /**
   * What a match was decided on: the desired state's hash and the child's version of everything but
   * its status.
   */
  private record Matched(int desired, Object child, long at) {}

  @Override
  public Result<R> match(R actual, R desired, P primary, Context<P> context) {
    String uid = actual.getMetadata().getUid();
    // The hash is taken before JOSDK adds the owner reference to the desired state.
    int desiredHash = desired.hashCode();
    Object child = specVersion(actual);
    long now = System.nanoTime();
    Matched last = uid == null ? null : matched.get(uid);
    if (last != null
        && last.desired() == desiredHash
        && last.child().equals(child)
        && now - last.at() < REMEMBER_MATCH.toNanos()) {
      return Result.computed(true, desired);
    }
    Result<R> result = super.match(actual, desired, primary, context);
    if (uid != null) {
      if (result.matched()) {
        remember(uid, desiredHash, child, now);
      } else {
        matched.remove(uid);
      }
    }
    return result;
  }

  /** Everything of the child but its status, as far as the API server versions it. */
  static Object specVersion(HasMetadata child) {
    ObjectMeta meta = child.getMetadata();
    return List.of(
        meta.getGeneration() != null ? meta.getGeneration() : "rv:" + meta.getResourceVersion(),
        mapOrEmpty(meta.getLabels()),
        mapOrEmpty(meta.getAnnotations()),
        listOrEmpty(meta.getOwnerReferences()),
        listOrEmpty(meta.getFinalizers()),
        meta.getDeletionTimestamp() == null ? "" : meta.getDeletionTimestamp());
  }

  private static Map<?, ?> mapOrEmpty(Map<?, ?> map) {
    return map == null ? Map.of() : map;
  }

  private static List<?> listOrEmpty(List<?> list) {
    return list == null ? List.of() : list;
  }

  @Override
  protected void addReferenceHandlingMetadata(R desired, P primary) {
    super.addReferenceHandlingMetadata(desired, primary);
    OwnerReferences.markController(desired, primary);
  }

  @Override
  public R create(R desired, P primary, Context<P> context) {
    int desiredHash = desired.hashCode();
    R created = super.create(desired, primary, context);
    applied(created, desiredHash);
    ChildEvents.created(context, primary, desired);
    return created;
  }

  @Override
  public R update(R actual, R desired, P primary, Context<P> context) {
    int desiredHash = desired.hashCode();
    R updated = super.update(actual, desired, primary, context);
    applied(updated, desiredHash);
    ChildEvents.updated(context, primary, desired);
    return updated;
  }

  /**
   * What the API server answered to an apply of the desired state holds exactly that state, so the
   * next reconcile need not compare it field by field again.
   */
  private void applied(R result, int desiredHash) {
    if (result != null && result.getMetadata() != null && result.getMetadata().getUid() != null) {
      remember(result.getMetadata().getUid(), desiredHash, specVersion(result), System.nanoTime());
    }
  }

  private void remember(String uid, int desiredHash, Object child, long at) {
    if (matched.size() >= MAX_REMEMBERED) {
      matched.clear();
    }
    matched.put(uid, new Matched(desiredHash, child, at));
  }
}
