package io.insighthub.operator.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ApiRequestMetricsTest {
  @Test
  void namesTheKubernetesVerbAndResourceOfARequest() {
    assertThat(
            ApiRequestMetrics.classify(
                "PATCH", "/apis/data.insighthub.io/v1alpha1/namespaces/a/pipelines/p1/status", ""))
        .containsExactly("patch", "pipelines/status");
    assertThat(ApiRequestMetrics.classify("GET", "/api/v1/namespaces/a/secrets/warehouse", ""))
        .containsExactly("get", "secrets");
    assertThat(
            ApiRequestMetrics.classify(
                "GET", "/apis/kafka.strimzi.io/v1/namespaces/a/kafkatopics", "labelSelector=x"))
        .containsExactly("list", "kafkatopics");
    assertThat(
            ApiRequestMetrics.classify(
                "GET", "/apis/apps/v1/namespaces/a/deployments", "resourceVersion=5&watch=true"))
        .containsExactly("watch", "deployments");
    assertThat(ApiRequestMetrics.classify("POST", "/api/v1/namespaces/a/events", ""))
        .containsExactly("create", "events");
    assertThat(ApiRequestMetrics.classify("GET", "/api/v1/namespaces/a", ""))
        .containsExactly("get", "namespaces");
    assertThat(ApiRequestMetrics.classify("GET", "/apis/apps/v1/deployments", ""))
        .containsExactly("list", "deployments");
  }
}
