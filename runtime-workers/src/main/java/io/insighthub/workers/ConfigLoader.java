package io.insighthub.workers;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.insighthub.crds.worker.WorkerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads the worker configuration the operator rendered ({@code config.json}) and checks the parts
 * every stage needs; a problem is reported with the field's path and the fix, and the worker does
 * not start.
 */
public final class ConfigLoader {
  /** The JSON mapper of the contract, shared with the stages for their own JSON. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private ConfigLoader() {}

  /** Loads and checks the configuration for {@code stage}; throws with every problem found. */
  public static WorkerConfig load(Path file, Subcommand stage) {
    WorkerConfig config = parse(file);
    List<String> problems = new ArrayList<>(common(config));
    if (problems.isEmpty()) {
      problems.addAll(stage.checkConfig(config));
    }
    if (!problems.isEmpty()) {
      throw new InvalidConfigException(
          file + " cannot run " + stage.name() + ":\n  - " + String.join("\n  - ", problems));
    }
    return config;
  }

  private static WorkerConfig parse(Path file) {
    try {
      return JSON.readValue(Files.readString(file), WorkerConfig.class);
    } catch (NoSuchFileException e) {
      throw new InvalidConfigException(
          "configuration file " + file + " does not exist; pass --config <path to config.json>");
    } catch (InvalidFormatException e) {
      throw new InvalidConfigException(
          file
              + ": config."
              + path(e)
              + " has an invalid value "
              + e.getValue()
              + ": "
              + e.getOriginalMessage());
    } catch (MismatchedInputException e) {
      throw new InvalidConfigException(file + ": config." + path(e) + " has the wrong type");
    } catch (IOException e) {
      throw new InvalidConfigException(file + " is not valid JSON: " + e.getMessage());
    }
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static List<String> common(WorkerConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.version() != WorkerConfig.CURRENT_VERSION) {
      problems.add(
          "config.version is "
              + config.version()
              + " but this worker reads version "
              + WorkerConfig.CURRENT_VERSION
              + "; run a worker image that matches the operator");
    }
    if (blank(config.namespace())) {
      problems.add("config.namespace is missing");
    }
    if (blank(config.pipeline())) {
      problems.add("config.pipeline is missing");
    }
    if (config.kafka() == null || blank(config.kafka().bootstrapServers())) {
      problems.add("config.kafka.bootstrapServers is missing: set the Kafka bootstrap servers");
    }
    return problems;
  }

  static boolean blank(String value) {
    return value == null || value.isBlank();
  }

  /** A configuration the worker cannot start with; the message says what to fix. */
  public static final class InvalidConfigException extends RuntimeException {
    public InvalidConfigException(String message) {
      super(message);
    }
  }
}
