package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Per-layer storage: the four Kafka topics of a Pipeline and its curated tables. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Layers {
  @Default("{}")
  @JsonPropertyDescription("Raw topic <namespace>.<pipeline>.raw: events as received.")
  public RawLayer raw = new RawLayer();

  @Default("{}")
  @JsonPropertyDescription(
      "Validated topic <namespace>.<pipeline>.validated: checked, deduplicated, PII-minimized.")
  public ValidatedLayer validated = new ValidatedLayer();

  @Default("{}")
  @JsonPropertyDescription("Dead-letter topic <namespace>.<pipeline>.dlq: rejects with reasons.")
  public DlqLayer dlq = new DlqLayer();

  @Default("{}")
  @JsonPropertyDescription("Late topic <namespace>.<pipeline>.late: events past allowed lateness.")
  public LateLayer late = new LateLayer();

  @Default("{}")
  @JsonPropertyDescription("Curated warehouse tables.")
  public CuratedLayer curated = new CuratedLayer();
}
