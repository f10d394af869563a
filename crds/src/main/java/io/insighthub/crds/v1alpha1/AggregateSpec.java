package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Account-usage aggregation options. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AggregateSpec {
  /** Tumbling window sizes. */
  public enum Window {
    @JsonProperty("hour")
    HOUR,
    @JsonProperty("day")
    DAY
  }

  @Size(min = 1, max = 2)
  @JsonPropertyDescription("Windows to aggregate over: hour, day or both (default hour, day).")
  public List<Window> windows = new ArrayList<>(List.of(Window.HOUR, Window.DAY));

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription(
      "Field grouping the aggregates, normally the account (default account_id).")
  public String groupBy = "account_id";

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription(
      "Field whose values split the event counts by type (default event_type).")
  public String eventTypeField = "event_type";

  @Size(max = 128)
  @JsonPropertyDescription("Event type counted as an API call (default api_call).")
  public String apiCallType = "api_call";
}
