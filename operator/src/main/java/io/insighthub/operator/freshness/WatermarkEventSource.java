package io.insighthub.operator.freshness;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.insighthub.operator.freshness.WatermarkConsumer.PipelineRef;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.Collection;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A JOSDK event source fed by the watermark consumer: when the tables of a Pipeline or CdcSource
 * got new watermarks (at most once per flush interval), the resources that report on them are
 * queued for a reconcile, which evaluates freshness and patches status. Nothing is written from the
 * consumer's thread. Starting the source starts the shared consumer; stopping the last one stops
 * it.
 */
public final class WatermarkEventSource<P extends HasMetadata> extends SimpleInboundEventSource<P>
    implements ResourceEventAware<P> {
  private final FreshnessTracking tracking;
  private final Function<PipelineRef, Collection<ResourceID>> targets;
  private final Consumer<P> onDeleted;
  private final Consumer<Set<PipelineRef>> listener = this::changed;

  /**
   * @param targets the primary resources to reconcile when one watermark owner's tables changed
   * @param onDeleted runs when a primary resource is deleted (its gauges are dropped)
   */
  WatermarkEventSource(
      String name,
      FreshnessTracking tracking,
      Function<PipelineRef, Collection<ResourceID>> targets,
      Consumer<P> onDeleted) {
    super(name);
    this.tracking = tracking;
    this.targets = targets;
    this.onDeleted = onDeleted;
  }

  @Override
  public void start() {
    super.start();
    tracking.subscribe(listener);
  }

  @Override
  public void stop() {
    tracking.unsubscribe(listener);
    super.stop();
  }

  private void changed(Set<PipelineRef> owners) {
    owners.stream()
        .flatMap(owner -> targets.apply(owner).stream())
        .distinct()
        .forEach(this::propagateEvent);
  }

  @Override
  public void onResourceDeleted(P resource) {
    onDeleted.accept(resource);
  }
}
