package dev.tally.engine.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FingerprintIndexTest {

  @Test
  void aPutPositionIsOfferedForItsFingerprint() {
    FingerprintIndex index = new FingerprintIndex();
    index.put(42, 1_000);

    assertThat(index.anyMatch(42, p -> p == 1_000)).isTrue();
    assertThat(index.anyMatch(42, p -> false)).isFalse();
    assertThat(index.anyMatch(43, p -> true)).isFalse();
    assertThat(index.size()).isEqualTo(1);
  }

  @Test
  void everyPositionSharingAFingerprintIsOfferedUntilOneVerifies() {
    FingerprintIndex index = new FingerprintIndex();
    index.put(7, 100);
    index.put(7, 200);
    index.put(7, 300);
    index.put(8, 400);

    assertThat(offered(index, 7)).containsExactlyInAnyOrder(100L, 200L, 300L);
    assertThat(index.anyMatch(7, p -> p == 200)).isTrue();
    assertThat(index.size()).isEqualTo(4);
  }

  @Test
  void puttingTheSamePairTwiceStoresItOnce() {
    FingerprintIndex index = new FingerprintIndex();
    index.put(7, 100);
    index.put(7, 100);

    assertThat(index.size()).isEqualTo(1);
    assertThat(offered(index, 7)).containsExactly(100L);
  }

  @Test
  void fingerprintZeroIsStoredAndFound() {
    FingerprintIndex index = new FingerprintIndex();
    index.put(0, 5);
    index.put(1, 6);

    assertThat(index.anyMatch(0, p -> p == 5)).isTrue();
    assertThat(offered(index, 0)).containsExactly(5L);
    assertThat(index.size()).isEqualTo(2);
    assertThat(index.removeIf(p -> p == 5)).isEqualTo(1);
    assertThat(index.anyMatch(0, p -> true)).isFalse();
  }

  @Test
  void findsEverythingAfterGrowingPastManyResizes() {
    FingerprintIndex index = new FingerprintIndex();
    long initialBytes = index.memoryBytes();
    int n = 1_000_000;
    SplittableRandom random = new SplittableRandom(1);
    long[] fingerprints = new long[n];
    for (int i = 0; i < n; i++) {
      fingerprints[i] = random.nextLong();
      index.put(fingerprints[i], i);
    }

    assertThat(index.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      long expected = i;
      assertThat(index.anyMatch(fingerprints[i], p -> p == expected)).isTrue();
    }
    assertThat(index.memoryBytes()).isGreaterThan(initialBytes << 16);
    // 2^21 slots of 16 bytes: 32 MiB for 1M entries, load 0.48.
    assertThat(index.memoryBytes()).isEqualTo(16L << 21);
  }

  @Test
  void sequentialFingerprintsDoNotDegradeIntoOneLongRun() {
    FingerprintIndex index = new FingerprintIndex();
    for (int i = 1; i <= 200_000; i++) {
      index.put(i, i);
    }
    for (int i = 1; i <= 200_000; i++) {
      long expected = i;
      assertThat(index.anyMatch(i, p -> p == expected)).isTrue();
    }
  }

  @Test
  void removeIfKeepsTheOthersFindable() {
    FingerprintIndex index = new FingerprintIndex();
    SplittableRandom random = new SplittableRandom(2);
    int n = 100_000;
    long[] fingerprints = new long[n];
    for (int i = 0; i < n; i++) {
      // few distinct fingerprints in part of the range, so runs and collisions are long
      fingerprints[i] = i % 3 == 0 ? random.nextLong(50) : random.nextLong();
      index.put(fingerprints[i], i);
    }

    int removed = index.removeIf(p -> p % 2 == 0);

    assertThat(removed).isEqualTo(n / 2);
    assertThat(index.size()).isEqualTo(n / 2);
    for (int i = 0; i < n; i++) {
      long expected = i;
      assertThat(index.anyMatch(fingerprints[i], p -> p == expected)).isEqualTo(i % 2 == 1);
    }
  }

  @Test
  void removeIfCanEmptyTheIndexAndItStaysUsable() {
    FingerprintIndex index = new FingerprintIndex();
    for (int i = 0; i < 1_000; i++) {
      index.put(i % 10, i);
    }
    assertThat(index.removeIf(p -> true)).isEqualTo(1_000);
    assertThat(index.size()).isZero();
    assertThat(index.anyMatch(3, p -> true)).isFalse();
    index.put(3, 9);
    assertThat(offered(index, 3)).containsExactly(9L);
  }

  @Test
  void writeToThenReadFromRoundTrips() {
    FingerprintIndex index = new FingerprintIndex();
    SplittableRandom random = new SplittableRandom(3);
    List<long[]> pairs = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      long fp = i == 0 ? 0 : random.nextLong(10_000);
      pairs.add(new long[] {fp, i});
      index.put(fp, i);
    }

    FingerprintIndex copy = FingerprintIndex.readFrom(
        new DataInputStream(new ByteArrayInputStream(serialise(index))));

    assertThat(copy.size()).isEqualTo(index.size());
    for (long[] pair : pairs) {
      assertThat(copy.anyMatch(pair[0], p -> p == pair[1])).isTrue();
    }
    assertThat(FingerprintIndex.readFrom(new DataInputStream(
        new ByteArrayInputStream(serialise(new FingerprintIndex())))).size()).isZero();
  }

  @Test
  void readFromRejectsADamagedCheckpoint() {
    FingerprintIndex index = new FingerprintIndex();
    for (int i = 0; i < 100; i++) {
      index.put(i * 31L, i);
    }
    byte[] bytes = serialise(index);
    bytes[12 + 16 * 50 + 3] ^= 1;

    assertThatThrownBy(() -> FingerprintIndex.readFrom(
        new DataInputStream(new ByteArrayInputStream(bytes))))
        .isInstanceOf(UncheckedIOException.class)
        .hasCauseInstanceOf(StreamCorruptedException.class)
        .hasMessageContaining("checksum");
    byte[] truncated = java.util.Arrays.copyOf(serialise(index), 40);
    assertThatThrownBy(() -> FingerprintIndex.readFrom(
        new DataInputStream(new ByteArrayInputStream(truncated))))
        .isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void fingerprintSeparatesFieldBoundaries() {
    assertThat(fp("ab", "c", "")).isNotEqualTo(fp("a", "bc", ""));
    assertThat(fp("a", "b", "c")).isNotEqualTo(fp("ab", "", "c"));
    assertThat(fp("", "", "abc")).isNotEqualTo(fp("abc", "", ""));
    assertThat(fp("t1", "cust", "evt-1")).isEqualTo(fp("t1", "cust", "evt-1"));
    assertThat(fp("t1", "cust", "evt-1")).isNotEqualTo(fp("t1", "cust", "evt-2"));
  }

  @Test
  void fingerprintsOfManyDistinctIdsDoNotCollide() {
    Set<Long> seen = new HashSet<>();
    byte[] tenant = "tenant".getBytes(StandardCharsets.UTF_8);
    byte[] customer = "customer".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < 200_000; i++) {
      seen.add(FingerprintIndex.fingerprint(tenant, customer,
          ("evt-" + i).getBytes(StandardCharsets.UTF_8)));
    }
    assertThat(seen).hasSize(200_000);
  }

  private static long fp(String a, String b, String c) {
    return FingerprintIndex.fingerprint(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8), c.getBytes(StandardCharsets.UTF_8));
  }

  static List<Long> offered(FingerprintIndex index, long fingerprint) {
    List<Long> out = new ArrayList<>();
    index.anyMatch(fingerprint, p -> {
      out.add(p);
      return false;
    });
    return out;
  }

  static byte[] serialise(FingerprintIndex index) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    index.writeTo(new DataOutputStream(bytes));
    return bytes.toByteArray();
  }

    @Test
    void addingAnIncrementalCheckpointToASmallerIndexKeepsProbesShort() {
        // a restart reads the base (sized for its pairs), then adds a delta written in the slot order of the larger
        // table that wrote it: added to a table that grew on the way, those pairs piled into its first slots
        SplittableRandom random = new SplittableRandom(7);
        FingerprintIndex live = new FingerprintIndex();
        FingerprintIndex early = new FingerprintIndex();
        int base = 100_000;
        for (int i = 0; i < 800_000; i++) {
            long key = random.nextLong();
            live.put(key, i);
            if (i < base) {
                early.put(key, i);
            }
        }
        ByteArrayOutputStream baseBytes = new ByteArrayOutputStream();
        early.writeTo(new DataOutputStream(baseBytes));
        ByteArrayOutputStream delta = new ByteArrayOutputStream();
        live.writeTo(new DataOutputStream(delta), p -> p >= base);

        FingerprintIndex restored = FingerprintIndex.readFrom(
                new DataInputStream(new ByteArrayInputStream(baseBytes.toByteArray())));
        restored.putAll(new DataInputStream(new ByteArrayInputStream(delta.toByteArray())));

        assertThat(restored.size()).isEqualTo(live.size());
        // about one probe per pair at a load under 0.7; piled up, it was hundreds per pair
        assertThat(restored.probedOnLastRead()).isLessThan(10L * (live.size() - base));
    }
}
