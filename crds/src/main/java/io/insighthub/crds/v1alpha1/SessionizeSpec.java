package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;

/**
 * Sessionization options: who a session belongs to and when it ends. Transforms are list items, so
 * defaults are applied by the operator (and stated in each description), not by the API server.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SessionizeSpec {
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription("Inactivity after which a session ends (default 30m).")
  public String inactivityGap = "30m";

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription("Field identifying a signed-in user (default user_id).")
  public String userField = "user_id";

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription(
      "Field identifying an anonymous device, used when the user is absent (default device_id).")
  public String deviceField = "device_id";

  @Size(max = 128)
  @Pattern(Validation.FIELD_PATH_PATTERN)
  @JsonPropertyDescription("Field identifying the customer account (default account_id).")
  public String accountField = "account_id";

  @Size(max = 128)
  @JsonPropertyDescription(
      "Event type counted as a page view, which also decides the bounce flag (default page_view).")
  public String pageViewType = "page_view";
}
