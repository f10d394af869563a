package io.insighthub.workers.validate;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/** Wires raw → {@link ValidateProcessor} → validated, DLQ and late sinks, with its dedup store. */
final class ValidateTopology {
  /** Deeper JSON is rejected as malformed instead of risking the parser's stack. */
  static final int MAX_NESTING_DEPTH = 64;

  private ValidateTopology() {}

  static Topology build(ValidateSettings settings, ValidateMetrics metrics) {
    ObjectMapper json = eventMapper();
    DriftReporter drift = new DriftReporter(metrics);
    Topology topology = new Topology();
    topology.addSource(
        "raw", new ByteArrayDeserializer(), new ByteArrayDeserializer(), settings.rawTopic());
    topology.addProcessor(
        "validate", () -> new ValidateProcessor(settings, metrics, drift, json), "raw");
    long window = settings.dedupWindow().toMillis();
    long retention = window + settings.allowedLateness().toMillis();
    topology.addStateStore(
        Stores.windowStoreBuilder(
            Stores.persistentWindowStore(
                ValidateProcessor.DEDUP_STORE,
                java.time.Duration.ofMillis(retention),
                java.time.Duration.ofMillis(window),
                false),
            Serdes.String(),
            Serdes.Long()),
        "validate");
    ByteArraySerializer bytes = new ByteArraySerializer();
    topology.addSink(
        ValidateProcessor.TO_VALIDATED, settings.validatedTopic(), bytes, bytes, "validate");
    topology.addSink(ValidateProcessor.TO_DLQ, settings.dlqTopic(), bytes, bytes, "validate");
    topology.addSink(ValidateProcessor.TO_LATE, settings.lateTopic(), bytes, bytes, "validate");
    return topology;
  }

  /** The parser for events: bounded nesting and string sizes, duplicate keys rejected. */
  static ObjectMapper eventMapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    mapper.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    // Emoji and other supplementary characters stay UTF-8, not escaped surrogate pairs.
    mapper
        .getFactory()
        .enable(
            com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8
                .mappedFeature());
    return mapper;
  }
}
