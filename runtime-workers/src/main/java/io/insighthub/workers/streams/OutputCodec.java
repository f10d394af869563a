package io.insighthub.workers.streams;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stage's producers compress with its main output topic's codec. When a topic names a codec
 * ({@code compression.type} of a Pipeline layer: lz4, zstd...) and a batch arrives in another one,
 * the broker decompresses and rebuilds every batch: in the end-to-end benchmark that was 13% of the
 * broker's request handling (the validated layer is zstd in the samples, the stages produced lz4).
 * A {@code KAFKA_STREAMS_PRODUCER_COMPRESSION_TYPE} or {@code KAFKA_STREAMS_COMPRESSION_TYPE}
 * override wins; a topic that cannot be read keeps the stage's default.
 */
public final class OutputCodec {
  private static final Logger LOG = LoggerFactory.getLogger(OutputCodec.class);
  private static final Set<String> CODECS = Set.of("gzip", "snappy", "lz4", "zstd");
  private static final String KEY =
      StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG);

  private OutputCodec() {}

  /**
   * Sets {@code producer.compression.type} in {@code properties} to {@code topic}'s codec, unless
   * {@code env} overrides it; returns the codec the stage's producers will use.
   */
  public static String apply(Properties properties, String topic, Map<String, String> env) {
    if (overridden(env)) {
      return current(properties);
    }
    try (Admin admin =
        Admin.create(
            StreamsSettings.clientConfig(
                properties, AdminClientConfig.configNames(), StreamsConfig.ADMIN_CLIENT_PREFIX))) {
      return apply(properties, topic, env, admin);
    }
  }

  /** As {@link #apply(Properties, String, Map)}, with the stage's own {@code admin}. */
  public static String apply(
      Properties properties, String topic, Map<String, String> env, Admin admin) {
    if (!overridden(env)) {
      codec(admin, topic)
          .ifPresent(
              c -> {
                properties.put(KEY, c);
                LOG.info("producing with {}, the codec of {}", c, topic);
              });
    }
    return current(properties);
  }

  private static boolean overridden(Map<String, String> env) {
    Map<String, String> overrides = StreamsSettings.overrides(env);
    return overrides.containsKey(KEY)
        || overrides.containsKey(ProducerConfig.COMPRESSION_TYPE_CONFIG);
  }

  private static String current(Properties properties) {
    return String.valueOf(
        properties.getOrDefault(KEY, properties.get(ProducerConfig.COMPRESSION_TYPE_CONFIG)));
  }

  /**
   * The codec {@code topic} stores batches in, "none" for uncompressed, empty when it keeps any.
   */
  static Optional<String> codec(Admin admin, String topic) {
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    try {
      Config config =
          admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
      String type =
          config.get(TopicConfig.COMPRESSION_TYPE_CONFIG) == null
              ? null
              : config.get(TopicConfig.COMPRESSION_TYPE_CONFIG).value();
      if (type == null || type.equals("producer")) {
        return Optional.empty();
      }
      return Optional.of(CODECS.contains(type) ? type : "none");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("cannot read the codec of {} ({}); keeping the default", topic, e.toString());
      return Optional.empty();
    }
  }
}
