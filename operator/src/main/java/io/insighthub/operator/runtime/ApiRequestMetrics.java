package io.insighthub.operator.runtime;

import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts the operator's requests to the API server by verb and resource, as the metric {@code
 * insighthub_kubernetes_requests_total{verb,resource}}: the measure of what one Pipeline costs the
 * API server and proof that a resync writes nothing. Only the verb and the resource kind are labels
 * (never names or namespaces), so the label set stays small.
 */
public final class ApiRequestMetrics implements Interceptor {
  public static final String METRIC = "insighthub.kubernetes.requests";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  public ApiRequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    String[] verbAndResource =
        classify(request.method(), request.uri().getRawPath(), query(request));
    counters
        .computeIfAbsent(
            verbAndResource[0] + " " + verbAndResource[1],
            key ->
                Counter.builder(METRIC)
                    .description("Requests the operator sent to the Kubernetes API server")
                    .tag("verb", verbAndResource[0])
                    .tag("resource", verbAndResource[1])
                    .register(registry))
        .increment();
  }

  private static String query(HttpRequest request) {
    String query = request.uri().getRawQuery();
    return query == null ? "" : query;
  }

  /**
   * The Kubernetes verb (get, list, watch, create, patch, update, delete) and the resource, with
   * its subresource after a slash (e.g. {@code pipelines/status}), of a request to {@code path}.
   */
  static String[] classify(String method, String path, String query) {
    List<String> segments =
        java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
    // /api/v1/... or /apis/<group>/<version>/...; then optional namespaces/<ns>/
    int i = segments.isEmpty() ? 0 : ("api".equals(segments.get(0)) ? 2 : 3);
    if (segments.size() > i + 2 && "namespaces".equals(segments.get(i))) {
      i += 2;
    }
    String resource = segments.size() > i ? segments.get(i) : "other";
    boolean named = segments.size() > i + 1;
    if (segments.size() > i + 2) {
      resource = resource + "/" + segments.get(i + 2);
    }
    String verb =
        switch (method.toUpperCase(Locale.ROOT)) {
          case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> "delete";
          default -> method.toLowerCase(Locale.ROOT);
        };
    return new String[] {verb, resource};
  }
}
