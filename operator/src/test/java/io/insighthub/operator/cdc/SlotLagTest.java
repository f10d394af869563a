package io.insighthub.operator.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlotLagTest {
  @Test
  void readsLikeAKubernetesQuantity() {
    assertThat(SlotLag.format(0)).isEqualTo("0");
    assertThat(SlotLag.format(1023)).isEqualTo("1023");
    assertThat(SlotLag.format(1024)).isEqualTo("1Ki");
    assertThat(SlotLag.format(1536L << 10)).isEqualTo("1.5Mi");
    assertThat(SlotLag.format(120L << 20)).isEqualTo("120Mi");
    assertThat(SlotLag.format(10L << 30)).isEqualTo("10Gi");
  }
}
