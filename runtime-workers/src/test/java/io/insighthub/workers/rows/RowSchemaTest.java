package io.insighthub.workers.rows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.EventField;
import io.insighthub.workers.validate.TestSchemas;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The schema check: required fields, types, lengths, timestamps, and drift detection. */
class RowSchemaTest {
  private final ObjectMapper json = new ObjectMapper();
  private final RowSchema schema = new RowSchema(TestSchemas.productEvents());

  private RowSchema.Result check(String event) throws Exception {
    return schema.check((ObjectNode) json.readTree(event));
  }

  private static String event(String extra) {
    return "{\"event_id\":\"e1\",\"occurred_at\":\"2026-11-27T01:00:00Z\","
        + "\"event_type\":\"page_view\",\"account_id\":\"a1\""
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  @Test
  void completeEventIsAcceptedWithIdAndTime() throws Exception {
    assertThat(check(event("\"device\":{\"os\":\"ios\"},\"amount\":1.5,\"count\":2")))
        .isEqualTo(
            new RowSchema.Accepted(
                "e1", Instant.parse("2026-11-27T01:00:00Z").toEpochMilli(), java.util.List.of()));
  }

  @Test
  void rowsOfASourceWithoutIdOrTimeAreCheckedOnTheirFieldsAlone() throws Exception {
    RowSchema file =
        new RowSchema(
            List.of(
                new EventField("id", EventField.Type.STRING, true),
                new EventField("amount", EventField.Type.INTEGER, false)),
            null,
            null);
    assertThat(file.check((ObjectNode) json.readTree("{\"id\":\"a\",\"amount\":3}")))
        .isEqualTo(new RowSchema.Accepted(null, RowSchema.NO_TIME, List.of()));
    assertThat(file.check((ObjectNode) json.readTree("{\"amount\":3,\"extra\":1}")))
        .isEqualTo(new RowSchema.Rejected(Reason.MISSING_REQUIRED_FIELD, "id", "is required"));
    assertThat(file.check((ObjectNode) json.readTree("{\"id\":\"a\",\"extra\":1}")))
        .isEqualTo(new RowSchema.Accepted(null, RowSchema.NO_TIME, List.of("extra")));
  }

  @Test
  void missingOrNullRequiredFieldIsNamed() throws Exception {
    assertThat(check("{\"event_id\":\"e1\",\"occurred_at\":1,\"event_type\":\"x\"}"))
        .isEqualTo(
            new RowSchema.Rejected(Reason.MISSING_REQUIRED_FIELD, "account_id", "is required"));
    assertThat(check(event("").replace("\"a1\"", "null")))
        .extracting(r -> ((RowSchema.Rejected) r).field())
        .isEqualTo("account_id");
  }

  @Test
  void wrongTypesAreRejectedWithExpectedAndActualType() throws Exception {
    assertThat(check(event("\"count\":\"2\"")))
        .isEqualTo(
            new RowSchema.Rejected(Reason.WRONG_TYPE, "count", "expected integer, got string"));
    assertThat(check(event("\"count\":2.5")))
        .extracting(r -> ((RowSchema.Rejected) r).reason())
        .isEqualTo(Reason.WRONG_TYPE);
    assertThat(check(event("\"is_test\":1")))
        .extracting(r -> ((RowSchema.Rejected) r).field())
        .isEqualTo("is_test");
    assertThat(check(event("\"tags\":{}")))
        .extracting(r -> ((RowSchema.Rejected) r).field())
        .isEqualTo("tags");
  }

  @Test
  void parentOfDeclaredNestedFieldMustBeAnObject() throws Exception {
    assertThat(check(event("\"device\":\"ios\"")))
        .extracting(r -> ((RowSchema.Rejected) r).reason(), r -> ((RowSchema.Rejected) r).field())
        .containsExactly(Reason.WRONG_TYPE, "device");
  }

  @Test
  void eventTimeAcceptsIsoWithOffsetAndEpochMillis() throws Exception {
    long expected = Instant.parse("2026-11-27T01:00:00Z").toEpochMilli();
    assertThat(
            check(event("").replace("\"2026-11-27T01:00:00Z\"", "\"2026-11-27T02:00:00+01:00\"")))
        .extracting(r -> ((RowSchema.Accepted) r).eventTimeMillis())
        .isEqualTo(expected);
    assertThat(check(event("").replace("\"2026-11-27T01:00:00Z\"", Long.toString(expected))))
        .extracting(r -> ((RowSchema.Accepted) r).eventTimeMillis())
        .isEqualTo(expected);
  }

  @Test
  void unparseableTimesAreInvalidTimestamps() throws Exception {
    for (String bad :
        new String[] {
          "\"yesterday\"",
          "\"2026-13-01T00:00:00Z\"",
          "\"2026-11-27 01:00:00\"",
          "-5",
          "1.5",
          "99999999999999999999"
        }) {
      assertThat(check(event("").replace("\"2026-11-27T01:00:00Z\"", bad)))
          .as(bad)
          .extracting(r -> ((RowSchema.Rejected) r).reason())
          .isIn(Reason.INVALID_TIMESTAMP, Reason.WRONG_TYPE);
    }
  }

  @Test
  void stringLongerThanMaxLengthIsRejected() throws Exception {
    assertThat(check(event("").replace("page_view", "x".repeat(33))))
        .isEqualTo(
            new RowSchema.Rejected(
                Reason.FIELD_TOO_LONG, "event_type", "longer than maxLength 32"));
    // 32 emoji are 64 UTF-16 chars but 32 characters: within the limit.
    assertThat(check(event("").replace("page_view", "😀".repeat(32))))
        .isInstanceOf(RowSchema.Accepted.class);
  }

  @Test
  void undeclaredFieldsAreListedAsDriftIncludingNestedOnes() throws Exception {
    assertThat(check(event("\"plan\":\"pro\",\"device\":{\"os\":\"ios\",\"model\":\"x\"}")))
        .extracting(r -> ((RowSchema.Accepted) r).undeclared())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .containsExactly("plan", "device.model");
  }

  @Test
  void contentsOfDeclaredObjectsAreFreeForm() throws Exception {
    assertThat(check(event("\"properties\":{\"anything\":{\"deep\":[1,2]}}")))
        .extracting(r -> ((RowSchema.Accepted) r).undeclared())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
        .isEmpty();
  }

  @Test
  void eventIdMustBeNonEmptyStringOrInteger() throws Exception {
    assertThat(check(event("").replace("\"e1\"", "\"\"")))
        .extracting(r -> ((RowSchema.Rejected) r).reason())
        .isEqualTo(Reason.WRONG_TYPE);
  }

  @Test
  void plainUtcTimesAreReadWithoutTheParserAsTheParserReadsThem() {
    java.util.Random random = new java.util.Random(3);
    int plain = 0;
    for (int i = 0; i < 200_000; i++) {
      String text = randomTime(random);
      long expected;
      try {
        expected =
            text.length() < 20 || text.length() > 40 || text.charAt(4) != '-'
                ? Long.MIN_VALUE
                : Instant.parse(text).toEpochMilli();
      } catch (java.time.DateTimeException e) {
        expected = Long.MIN_VALUE;
      }
      assertThat(RowSchema.epochMillis(text)).as(text).isEqualTo(expected);
      if (RowSchema.plainUtcMillis(text) != Long.MAX_VALUE) {
        plain++;
        assertThat(RowSchema.plainUtcMillis(text)).as(text).isEqualTo(expected);
      }
    }
    // Most are the plain form; the rest (and the invalid ones) went through the parser.
    assertThat(plain).isBetween(100_000, 190_000);
    assertThat(RowSchema.plainUtcMillis("2026-11-27T01:00:00Z"))
        .isEqualTo(Instant.parse("2026-11-27T01:00:00Z").toEpochMilli());
    assertThat(RowSchema.plainUtcMillis("2024-02-29T23:59:59.999999999Z"))
        .isEqualTo(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli());
    for (String other :
        List.of(
            "2026-02-29T00:00:00Z",
            "2026-11-27T24:00:00Z",
            "2026-12-31T23:59:60Z",
            "2026-11-27t01:00:00z",
            "2026-11-27T01:00:00+02:00",
            "2026-11-27T01:00:00.Z",
            "2026-11-27T01:00:00.1234567890Z",
            "2026-13-01T00:00:00Z")) {
      assertThat(RowSchema.plainUtcMillis(other)).as(other).isEqualTo(Long.MAX_VALUE);
    }
  }

  /** Mostly well-formed UTC times, some with out-of-range fields, other offsets or odd shapes. */
  private static String randomTime(java.util.Random random) {
    String date =
        String.format(
            "%04d-%02d-%02d",
            random.nextInt(10) == 0 ? random.nextInt(10_000) : 1960 + random.nextInt(100),
            random.nextInt(20) == 0 ? random.nextInt(100) : 1 + random.nextInt(12),
            random.nextInt(20) == 0 ? random.nextInt(100) : 1 + random.nextInt(31));
    String time =
        String.format(
            "%02d:%02d:%02d",
            random.nextInt(30) == 0 ? 24 : random.nextInt(24),
            random.nextInt(30) == 0 ? random.nextInt(100) : random.nextInt(60),
            random.nextInt(30) == 0 ? 60 : random.nextInt(60));
    int fraction = random.nextInt(12);
    StringBuilder text = new StringBuilder(date).append('T').append(time);
    if (fraction > 0 && fraction <= 10) {
      text.append('.');
      for (int k = 1; k < fraction; k++) {
        text.append((char) ('0' + random.nextInt(10)));
      }
    }
    text.append(
        switch (random.nextInt(20)) {
          case 0 -> "+02:00";
          case 1 -> "z";
          case 2 -> "-00:30";
          default -> "Z";
        });
    String result = text.toString();
    return random.nextInt(50) == 0 ? result.replace('T', 't') : result;
  }
}
