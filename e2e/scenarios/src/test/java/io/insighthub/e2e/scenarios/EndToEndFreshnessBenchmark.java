package io.insighthub.e2e.scenarios;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.worker.Watermark;
import io.insighthub.crds.worker.WorkerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * End-to-end freshness of the product-events Pipeline under a steady load, on the whole local
 * system (operator, validate, aggregate and load workers, DuckDB): events are produced with their
 * event time set to the moment they are sent, and every load of {@code VALIDATED.PRODUCT_EVENTS}
 * publishes a watermark (newest event time loaded, load time). Per load, the newest event waited
 * {@code loadTime - maxEventTime} (a lower bound for the batch's rows) and the oldest at most
 * {@code loadTime - previous maxEventTime} (an upper bound). Beside them: the lag the operator
 * reports in status and on its metrics endpoint. Not a test: {@code -Pbenchmark}.
 */
class EndToEndFreshnessBenchmark {
  private static final String TABLE = "VALIDATED.PRODUCT_EVENTS";
  private static final List<Pipelines.Stage> STAGES =
      Pipelines.eventStages(Kubectl.NS, "product-events", List.of("sessions", "account-usage"));
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  @Test
  void steadyLoad() throws Exception {
    int rate = Integer.getInteger("bench.rate", 2000);
    int seconds = Integer.getInteger("bench.seconds", 60);
    try (InsightHubStack stack = Kubectl.startStack("freshness-benchmark", false);
        EventGenerator events =
            new EventGenerator(stack.broker().bootstrapServers(), Kubectl.NS, 11);
        KafkaConsumer<String, byte[]> watermarks = watermarkConsumer(stack);
        Admin admin = stack.broker().admin()) {
      Kubectl kubectl = Kubectl.on(stack);
      stack.applySamples(
          List.of("10-pipeline-product-events.yaml", "20-qualityrules-product-events.yaml"));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofSeconds(2))
          .until(
              () -> kubectl.condition("pipeline", "product-events", "Ready", "status"),
              "True"::equals);
      // Warm-up at the measured rate: the JVMs' compilation and the first batches (RocksDB,
      // table creation) are not measured; then the stages catch up before the measured window.
      int warmup = Integer.getInteger("bench.warmupSeconds", 20);
      Instant warmupStart = Instant.now();
      for (long tick = 0; tick < Math.max(1, warmup * 10L); tick++) {
        sleepUntil(warmupStart.plusMillis(tick * 100));
        events.send(Math.max(1, rate / 10), Instant.now(), 0);
      }
      Pipelines.awaitCaughtUp(admin, STAGES, Duration.ofMinutes(3));
      drainToEnd(watermarks, new ArrayList<>());

      List<Watermark> marks = new ArrayList<>();
      List<Long> statusLags = new ArrayList<>();
      List<Double> metricLags = new ArrayList<>();
      Instant start = Instant.now();
      Map<Long, Duration> cpuAtStart = perProcessCpu();
      long sent = 0;
      int perTick = Math.max(1, rate / 10);
      for (long tick = 0; tick < seconds * 10L; tick++) {
        sleepUntil(start.plusMillis(tick * 100));
        events.send(perTick, Instant.now(), 0);
        sent += perTick;
        if (tick % 50 == 49) {
          String lag =
              kubectl.run(
                  "get",
                  "pipeline",
                  "product-events",
                  "-o",
                  "jsonpath={.status.freshness[?(@.table==\"" + TABLE + "\")].lagSeconds}");
          if (!lag.isBlank()) {
            statusLags.add(Long.parseLong(lag));
          }
          Double metric = metricLag(stack);
          if (metric != null) {
            metricLags.add(metric);
          }
        }
        drain(watermarks, marks);
      }
      Duration took = Duration.between(start, Instant.now());
      Map<Long, Duration> cpuAtEnd = perProcessCpu();
      Duration cpu = total(cpuAtEnd).minus(total(cpuAtStart));
      String busiest = busiest(cpuAtStart, cpuAtEnd, took);
      Pipelines.awaitCaughtUp(admin, STAGES, Duration.ofMinutes(2));
      drainToEnd(watermarks, marks);

      List<Long> lower = new ArrayList<>();
      List<Long> upper = new ArrayList<>();
      long rows = 0;
      Instant previous = null;
      for (Watermark mark : marks) {
        if (mark.maxEventTime() == null) {
          continue;
        }
        lower.add(Duration.between(mark.maxEventTime(), mark.loadTime()).toMillis());
        if (previous != null) {
          upper.add(Duration.between(previous, mark.loadTime()).toMillis());
        }
        previous = mark.maxEventTime();
        rows += mark.rows();
      }
      System.out.printf(
          "%nEND-TO-END FRESHNESS: %d events sent at %.0f/s for %d s; %d loads, %d rows loaded"
              + " (incl. the catch-up after the run)%n"
              + "  newest event of each load, event time -> load (lower bound): p50 %s  p99 %s"
              + "  max %s%n"
              + "  oldest event of each load, at most (upper bound):             p50 %s  p99 %s"
              + "  max %s%n"
              + "  operator status lagSeconds, sampled every 5 s: %s%n"
              + "  operator insighthub_pipeline_freshness_seconds, sampled every 5 s: %s%n"
              + "  CPU of the whole stack (this JVM and every process it started) while sending:"
              + " %.0f s over %.0f s, %.2f cores busy on average of %d, %.1f us per event%n"
              + "  busiest processes (cores on average): %s%n",
          sent,
          sent / (took.toMillis() / 1000.0),
          seconds,
          marks.size(),
          rows,
          ms(percentile(lower, 50)),
          ms(percentile(lower, 99)),
          ms(percentile(lower, 100)),
          ms(percentile(upper, 50)),
          ms(percentile(upper, 99)),
          ms(percentile(upper, 100)),
          statusLags,
          metricLags,
          cpu.toMillis() / 1000.0,
          took.toMillis() / 1000.0,
          (double) cpu.toMillis() / took.toMillis(),
          Runtime.getRuntime().availableProcessors(),
          cpu.toNanos() / 1e3 / sent,
          busiest);
    }
  }

  /** CPU time of this JVM and of every process it started (API server, broker, workers...). */
  private static Map<Long, Duration> perProcessCpu() {
    Map<Long, Duration> cpu = new java.util.HashMap<>();
    java.util.stream.Stream.concat(
            java.util.stream.Stream.of(ProcessHandle.current()),
            ProcessHandle.current().descendants())
        .forEach(p -> p.info().totalCpuDuration().ifPresent(d -> cpu.put(p.pid(), d)));
    return cpu;
  }

  private static Duration total(Map<Long, Duration> cpu) {
    return cpu.values().stream().reduce(Duration.ZERO, Duration::plus);
  }

  /** The processes that used the most CPU in the window, named by executable or main class. */
  private static String busiest(
      Map<Long, Duration> before, Map<Long, Duration> after, Duration took) {
    return after.entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(),
                    e.getValue().minus(before.getOrDefault(e.getKey(), Duration.ZERO)).toMillis()
                        / (double) took.toMillis()))
        .sorted(Map.Entry.<Long, Double>comparingByValue().reversed())
        .limit(10)
        .map(e -> String.format("%s %.2f", processName(e.getKey()), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static String processName(long pid) {
    if (pid == ProcessHandle.current().pid()) {
      return "benchmark-jvm";
    }
    String[] args;
    try {
      args =
          new String(
                  java.nio.file.Files.readAllBytes(
                      java.nio.file.Path.of("/proc/" + pid + "/cmdline")),
                  java.nio.charset.StandardCharsets.UTF_8)
              .split("\0");
    } catch (java.io.IOException | RuntimeException e) {
      return "pid " + pid;
    }
    String name = args[0].substring(args[0].lastIndexOf('/') + 1);
    if (!name.equals("java")) {
      return name;
    }
    // A Java process is named by its main class (or -jar file) and first argument.
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("-cp") || args[i].equals("-classpath") || args[i].equals("-p")) {
        i++;
      } else if (args[i].equals("-jar") && i + 1 < args.length) {
        return args[i + 1].substring(args[i + 1].lastIndexOf('/') + 1);
      } else if (!args[i].startsWith("-")) {
        String main = args[i].substring(args[i].lastIndexOf('.') + 1);
        return i + 1 < args.length ? main + " " + args[i + 1] : main;
      }
    }
    return name;
  }

  private static KafkaConsumer<String, byte[]> watermarkConsumer(InsightHubStack stack) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.broker().bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        consumer.partitionsFor(WorkerConfig.WATERMARK_TOPIC).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    return consumer;
  }

  /**
   * {@link #drain} until the consumer has read every watermark written so far: one short poll can
   * return part of them, and the last loads (the catch-up after the run) are the slowest.
   */
  private static void drainToEnd(KafkaConsumer<String, byte[]> consumer, List<Watermark> into)
      throws Exception {
    Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
    Instant limit = Instant.now().plusSeconds(30);
    while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (Instant.now().isAfter(limit)) {
        throw new IllegalStateException("the watermarks could not be read to their end offsets");
      }
      for (var record : consumer.poll(Duration.ofMillis(200))) {
        add(record, into);
      }
    }
    into.sort((a, b) -> a.loadTime().compareTo(b.loadTime()));
  }

  private static void add(
      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record, List<Watermark> into)
      throws Exception {
    Watermark mark = JSON.readValue(record.value(), Watermark.class);
    if (mark.pipeline().equals("product-events") && mark.table().equals(TABLE)) {
      into.add(mark);
    }
  }

  private static void drain(KafkaConsumer<String, byte[]> consumer, List<Watermark> into)
      throws Exception {
    for (var record : consumer.poll(Duration.ofMillis(1))) {
      add(record, into);
    }
    into.sort((a, b) -> a.loadTime().compareTo(b.loadTime()));
  }

  private static Double metricLag(InsightHubStack stack) throws Exception {
    String body =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(stack.operatorMetricsUrl())).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return body.lines()
        .filter(l -> l.startsWith("insighthub_pipeline_freshness_seconds{"))
        .filter(l -> l.contains("pipeline=\"product-events\"") && l.contains(TABLE))
        .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(null);
  }

  private static long percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return -1;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  private static String ms(long millis) {
    return millis < 0 ? "n/a" : String.format("%.2f s", millis / 1000.0);
  }

  /** Paces the generator: sleeps until {@code due} (a tick of the send rate, not a condition). */
  private static void sleepUntil(Instant due) throws InterruptedException {
    long wait = Duration.between(Instant.now(), due).toMillis();
    if (wait > 0) {
      Thread.sleep(wait);
    }
  }
}
