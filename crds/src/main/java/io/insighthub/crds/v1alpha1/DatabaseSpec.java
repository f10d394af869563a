package io.insighthub.crds.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Where the captured PostgreSQL database is, and the Secret with its credentials. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DatabaseSpec {
  /** libpq sslmode values Debezium accepts. */
  public enum SslMode {
    @JsonProperty("disable")
    DISABLE,
    @JsonProperty("prefer")
    PREFER,
    @JsonProperty("require")
    REQUIRE,
    @JsonProperty("verify-ca")
    VERIFY_CA,
    @JsonProperty("verify-full")
    VERIFY_FULL
  }

  @Required
  @Size(min = 1, max = 253)
  @JsonPropertyDescription("Host name of the PostgreSQL server (or its primary).")
  public String host;

  @Min(1)
  @Max(65535)
  @Default("5432")
  @JsonPropertyDescription("Port of the PostgreSQL server.")
  public Integer port = 5432;

  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[A-Za-z_][A-Za-z0-9_$-]*$")
  @JsonPropertyDescription("Database name.")
  public String name;

  @Default("require")
  @JsonPropertyDescription("TLS mode: disable, prefer, require, verify-ca or verify-full.")
  public SslMode sslMode = SslMode.REQUIRE;

  @Required
  @JsonPropertyDescription(
      "Secret with keys 'username' and 'password' of a role with REPLICATION; read by Kafka"
          + " Connect through Strimzi's secret config provider, never copied.")
  public ObjectRef credentialsSecretRef;
}
