package io.insighthub.e2e.adapter;

import io.fabric8.kubernetes.api.model.Secret;
import io.strimzi.api.kafka.model.common.Condition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** What the test bed's stand-ins for Strimzi and the kubelet share. */
public final class StrimziStatus {
  private StrimziStatus() {}

  /** Strimzi's {@code Ready} condition, transitioned now. */
  public static Condition ready(String status, String reason, String message) {
    Condition condition = new Condition();
    condition.setType("Ready");
    condition.setStatus(status);
    condition.setReason(reason);
    condition.setMessage(message);
    condition.setLastTransitionTime(Instant.now().toString());
    return condition;
  }

  /** A Secret's keys and decoded values ({@code data}, then {@code stringData}). */
  static Map<String, String> decoded(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    Optional.ofNullable(secret.getData())
        .orElse(Map.of())
        .forEach(
            (k, v) ->
                values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    Optional.ofNullable(secret.getStringData()).ifPresent(values::putAll);
    return values;
  }
}
