package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;

/** How a CSV file is written: its header, delimiter, quote and escape characters. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CsvFormat {
  @Default("true")
  @JsonPropertyDescription(
      "Whether the first row names the columns (default true). Without a header the columns are"
          + " spec.source.batch.fields, in order.")
  public Boolean header = true;

  @Default("\",\"")
  @Size(min = 1, max = 1)
  @JsonPropertyDescription("The one character between values (default ','; e.g. ';' or a tab).")
  public String delimiter = ",";

  @Default("\"\\\"\"")
  @Size(min = 1, max = 1)
  @JsonPropertyDescription(
      "The character that quotes a value holding delimiters, quotes or line breaks (default"
          + " '\"'); a quote inside a quoted value is written twice.")
  public String quote = "\"";

  @Size(min = 1, max = 1)
  @JsonPropertyDescription(
      "A character that escapes the next one inside a value, e.g. '\\\\'; none by default (quotes"
          + " are doubled instead).")
  public String escape;
}
