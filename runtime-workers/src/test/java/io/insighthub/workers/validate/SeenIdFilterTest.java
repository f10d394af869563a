package io.insighthub.workers.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Bloom filter in front of the dedup store: never a false "no", few false "maybe"s. */
class SeenIdFilterTest {
  private static final long WINDOW = 600_000;

  @Test
  void everyAddedIdIsFoundAnywhereWithinTheWindow() {
    SeenIdFilter filter = new SeenIdFilter(WINDOW);
    long base = 1_795_000_000_000L;
    for (int i = 0; i < 300_000; i++) {
      filter.add("ev-" + i, base + i * 5L);
    }
    for (int i = 0; i < 300_000; i += 7) {
      long time = base + i * 5L;
      assertThat(filter.mightContain("ev-" + i, time)).isTrue();
      assertThat(filter.mightContain("ev-" + i, time - WINDOW)).isTrue();
      assertThat(filter.mightContain("ev-" + i, time + WINDOW)).isTrue();
    }
  }

  @Test
  void newIdsAreMostlyAnsweredNoAsTheBucketsGrow() {
    SeenIdFilter filter = new SeenIdFilter(WINDOW);
    long base = 1_795_000_000_000L;
    int maybe = 0;
    for (int i = 0; i < 500_000; i++) {
      long time = base + i;
      if (filter.mightContain("ev-" + i, time)) {
        maybe++;
      }
      filter.add("ev-" + i, time);
    }
    // 500,000 ids in one window: the layers grew; about 1% false positives per layer probed.
    assertThat(maybe).isLessThan(500_000 / 20);
  }

  @Test
  void pastTheMemoryCapItAnswersMaybeMoreOftenButNeverForgetsAnId() {
    SeenIdFilter filter = new SeenIdFilter(WINDOW, 1 << 18);
    long base = 1_795_000_000_000L;
    for (int i = 0; i < 200_000; i++) {
      filter.add("ev-" + i, base + i);
    }
    // First layer 2^17 bits, the second (2^18) would pass the cap: one saturated layer.
    assertThat(filter.bits()).isEqualTo(1 << 17);
    for (int i = 0; i < 200_000; i += 3) {
      assertThat(filter.mightContain("ev-" + i, base + i)).isTrue();
    }
    filter.expireBefore(base + 10 * WINDOW);
    assertThat(filter.bits()).isZero();
  }

  @Test
  void bucketsNoLookupCanReachAreForgotten() {
    SeenIdFilter filter = new SeenIdFilter(WINDOW);
    filter.add("old", 0);
    filter.add("new", 3 * WINDOW);
    assertThat(filter.buckets()).isEqualTo(2);
    filter.expireBefore(WINDOW - 1);
    assertThat(filter.buckets()).isEqualTo(2);
    assertThat(filter.mightContain("old", WINDOW - 1)).isTrue();
    filter.expireBefore(WINDOW);
    assertThat(filter.buckets()).isEqualTo(1);
    assertThat(filter.mightContain("new", 3 * WINDOW)).isTrue();
  }
}
