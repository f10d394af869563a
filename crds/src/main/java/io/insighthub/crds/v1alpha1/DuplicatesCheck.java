package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/** Records repeating the same key within a window. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DuplicatesCheck {
  @Required
  @Size(min = 1, max = 8)
  @JsonPropertyDescription("Fields whose combined value must be unique within the window.")
  public List<@Size(max = 128) String> keyFields = new ArrayList<>();

  @Default("1h")
  @Size(max = 32)
  @Pattern(Validation.DURATION_PATTERN)
  @JsonPropertyDescription("Window, e.g. 1h.")
  public String window = "1h";
}
