package io.insighthub.workers.rows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.insighthub.crds.v1alpha1.PiiField;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hash, drop and mask: keyed, stable, and leaving none of the raw value behind. */
class PiiMinimizerTest {
  private static final byte[] KEY = "test-hmac-key".getBytes(StandardCharsets.UTF_8);
  private final ObjectMapper json = new ObjectMapper();

  private ObjectNode minimize(String event, List<PiiField> fields, byte[] key) throws Exception {
    ObjectNode node = (ObjectNode) json.readTree(event);
    new PiiMinimizer(fields, key).apply(node);
    return node;
  }

  @Test
  void hashIsHmacSha256HexOfTheValue() throws Exception {
    ObjectNode out =
        minimize(
            "{\"email\":\"alice@example.com\"}",
            List.of(new PiiField("email", PiiField.Action.HASH)),
            KEY);
    // Reference value: printf %s alice@example.com | openssl dgst -sha256 -hmac test-hmac-key
    assertThat(out.get("email").asText())
        .isEqualTo("8df8e8864a4751b45a354fa27eb3c45201e1af4b7b61529febd57ae6e3fafe07");
  }

  @Test
  void hashIsStableAcrossInstancesAndDependsOnTheKey() throws Exception {
    List<PiiField> fields = List.of(new PiiField("email", PiiField.Action.HASH));
    String event = "{\"email\":\"bob@example.com\"}";
    String first = minimize(event, fields, KEY).get("email").asText();
    String second = minimize(event, fields, KEY.clone()).get("email").asText();
    String otherKey =
        minimize(event, fields, "another".getBytes(StandardCharsets.UTF_8)).get("email").asText();
    assertThat(first).isEqualTo(second).isNotEqualTo(otherKey);
  }

  @Test
  void dropRemovesTheFieldAndMaskKeepsOnlyTheEmailDomain() throws Exception {
    ObjectNode out =
        minimize(
            "{\"ip\":\"10.1.2.3\",\"contact\":\"carol@corp.example\",\"phone\":\"+1 555 0100\"}",
            List.of(
                new PiiField("ip", PiiField.Action.DROP),
                new PiiField("contact", PiiField.Action.MASK),
                new PiiField("phone", PiiField.Action.MASK)),
            null);
    assertThat(out.has("ip")).isFalse();
    assertThat(out.get("contact").asText()).isEqualTo("***@corp.example");
    assertThat(out.get("phone").asText()).isEqualTo("***");
  }

  @Test
  void nestedPathsAndNonStringValuesAreMinimized() throws Exception {
    ObjectNode out =
        minimize(
            "{\"user\":{\"ssn\":123456789,\"name\":\"Dave\"}}",
            List.of(
                new PiiField("user.ssn", PiiField.Action.HASH),
                new PiiField("user.name", PiiField.Action.MASK)),
            KEY);
    assertThat(out.toString()).doesNotContain("123456789").doesNotContain("Dave");
    assertThat(out.at("/user/ssn").asText()).isEqualTo(hmac("123456789"));
  }

  @Test
  void absentAndNullFieldsAreLeftAlone() throws Exception {
    ObjectNode out =
        minimize(
            "{\"email\":null}",
            List.of(
                new PiiField("email", PiiField.Action.HASH),
                new PiiField("missing.deep", PiiField.Action.DROP)),
            KEY);
    assertThat(out.toString()).isEqualTo("{\"email\":null}");
  }

  @Test
  void hashOfBytesInPlaceEqualsTheHashOfTheirText() throws Exception {
    PiiMinimizer pii = new PiiMinimizer(List.of(new PiiField("e", PiiField.Action.HASH)), KEY);
    for (String text : List.of("", "alice@example.com", "Grüße 👋 مرحبا", "x".repeat(300))) {
      byte[] bytes = ("<<" + text + ">>").getBytes(StandardCharsets.UTF_8);
      int length = text.getBytes(StandardCharsets.UTF_8).length;
      byte[] out = "#".repeat(70).getBytes(StandardCharsets.US_ASCII);
      pii.hashHex(bytes, 2, length, out, 3);
      assertThat(new String(out, StandardCharsets.US_ASCII))
          .as(text)
          .isEqualTo("###" + hmac(text) + "###")
          .isEqualTo("###" + pii.hash(text) + "###");
    }
  }

  @Test
  void hashingWithoutAKeyIsRefused() {
    assertThatThrownBy(
            () -> new PiiMinimizer(List.of(new PiiField("email", PiiField.Action.HASH)), null))
        .hasMessageContaining("HMAC key");
  }

  private static String hmac(String text) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
    return java.util.HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
  }
}
