package io.insighthub.operator.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The state volume's size: its canonical spelling, the request it adds, the spill bound. */
class StateStorageTest {

  @ParameterizedTest(name = "{0} is stored as {1}")
  @CsvSource({
    "20Gi, 20Gi",
    "1024Mi, 1Gi",
    "1.5Gi, 1536Mi",
    "20G, 20G",
    "20000M, 20G",
    "0.5Ti, 512Gi",
    "1536, 1536",
    "3000, 3k",
    "0.5, 1",
    "2Ei, 2Ei",
    "2e9, 2G",
    "1500m, 2",
  })
  void theSizeIsRenderedTheWayTheApiServerStoresIt(String spelled, String canonical) {
    assertThat(StateStorage.of(spelled).quantity().toString()).isEqualTo(canonical);
  }

  @Test
  void aMissingSizeIsNoSizeAndANonPositiveOneIsRefusedNamingTheField() {
    assertThat(StateStorage.of(null)).isNull();
    assertThatThrownBy(() -> StateStorage.of("0Gi"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("stateStorage")
        .hasMessageContaining("'0Gi'");
  }

  @Test
  void theSpillMayFillNinetyPercentOfTheVolumeAtSeventyBytesPerId() {
    // 20 GiB = 21,474,836,480 bytes; 90% = 19,327,352,832; / 70 = 276,105,040.46
    assertThat(StateStorage.of("20Gi").maxSpilledDedupIds()).isEqualTo(276_105_040L);
    assertThat(StateStorage.of("25G").maxSpilledDedupIds()).isEqualTo(321_428_571L);
    assertThat(StateStorage.of("70").maxSpilledDedupIds())
        .as("too small for one id at 90%: 0, which the stage reads as no spill store")
        .isZero();
    assertThat(StateStorage.of("1000000Ei").maxSpilledDedupIds()).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void theRequestIsAddedBesideCpuAndMemoryWithoutChangingTheGivenResources() {
    ResourceRequirements given =
        new ResourceRequirementsBuilder()
            .addToRequests("cpu", new Quantity("2"))
            .addToRequests("memory", new Quantity("2Gi"))
            .addToLimits("memory", new Quantity("3Gi"))
            .build();

    ResourceRequirements rendered = StateStorage.of("1.5Gi").requestedIn(given);

    assertThat(rendered.getRequests())
        .containsEntry("cpu", new Quantity("2"))
        .containsEntry("memory", new Quantity("2Gi"))
        .containsEntry("ephemeral-storage", new Quantity("1536Mi"));
    assertThat(rendered.getLimits()).containsOnlyKeys("memory");
    assertThat(given.getRequests()).doesNotContainKey("ephemeral-storage");
    assertThat(StateStorage.of("1Gi").requestedIn(null).getRequests())
        .containsExactly(java.util.Map.entry("ephemeral-storage", new Quantity("1Gi")));
  }

  @Test
  void anEphemeralStorageRequestOrLimitTheUserSetWins() {
    ResourceRequirements request =
        new ResourceRequirementsBuilder()
            .addToRequests("ephemeral-storage", new Quantity("5Gi"))
            .build();
    ResourceRequirements limit =
        new ResourceRequirementsBuilder()
            .addToLimits("ephemeral-storage", new Quantity("40Gi"))
            .build();

    assertThat(StateStorage.of("20Gi").requestedIn(request)).isSameAs(request);
    assertThat(StateStorage.of("20Gi").requestedIn(limit))
        .as("a limit alone makes the request equal to it")
        .isSameAs(limit);
  }
}
