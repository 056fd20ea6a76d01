package dev.tally.engine.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class FingerprintIndexPropertiesTest {

  /** One step: put(fingerprint, position), or removeIf(position % modulus == remainder). */
  record Op(boolean remove, long fingerprint, long position, int modulus, int remainder) {}

  @Provide
  Arbitrary<Op> ops() {
    // A small fingerprint space forces shared fingerprints and long probe runs; 0 is included.
    Arbitrary<Long> fingerprints = Arbitraries.oneOf(
        Arbitraries.longs().between(0, 40), Arbitraries.longs());
    Arbitrary<Op> put = Combinators.combine(fingerprints, Arbitraries.longs().between(0, 500))
        .as((fp, pos) -> new Op(false, fp, pos, 1, 0));
    Arbitrary<Op> remove = Combinators.combine(
            Arbitraries.integers().between(1, 7), Arbitraries.integers().between(0, 6))
        .as((m, r) -> new Op(true, 0, 0, m, r % m));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(12, put), net.jqwik.api.Tuple.of(1, remove));
  }

  @Property(tries = 300)
  void behavesLikeAMapOfSetsUnderPutsAndRemovals(
      @ForAll @Size(max = 600) List<@net.jqwik.api.From("ops") Op> ops) {
    FingerprintIndex index = new FingerprintIndex();
    Map<Long, Set<Long>> model = new HashMap<>();
    for (Op op : ops) {
      if (op.remove()) {
        int removed = index.removeIf(p -> p % op.modulus() == op.remainder());
        int expectedRemoved = 0;
        for (Set<Long> positions : model.values()) {
          int before = positions.size();
          positions.removeIf(p -> p % op.modulus() == op.remainder());
          expectedRemoved += before - positions.size();
        }
        assertThat(removed).isEqualTo(expectedRemoved);
      } else {
        index.put(op.fingerprint(), op.position());
        model.computeIfAbsent(op.fingerprint(), k -> new HashSet<>()).add(op.position());
      }
    }

    assertAgrees(index, model);
    FingerprintIndex copy = FingerprintIndex.readFrom(new DataInputStream(
        new ByteArrayInputStream(FingerprintIndexTest.serialise(index))));
    assertAgrees(copy, model);
  }

  private static void assertAgrees(FingerprintIndex index, Map<Long, Set<Long>> model) {
    int total = 0;
    for (Map.Entry<Long, Set<Long>> e : model.entrySet()) {
      List<Long> offered = new ArrayList<>(FingerprintIndexTest.offered(index, e.getKey()));
      assertThat(offered).doesNotHaveDuplicates();
      if (e.getKey() == 0 || e.getKey() == FingerprintIndex.ZERO_SUBSTITUTE) {
        assertThat(offered).containsAll(e.getValue()); // 0 shares its slot key with the substitute
      } else {
        assertThat(offered).containsExactlyInAnyOrderElementsOf(e.getValue());
      }
      for (long position : e.getValue()) {
        assertThat(index.anyMatch(e.getKey(), p -> p == position)).isTrue();
      }
      total += e.getValue().size();
    }
    assertThat(index.size()).isEqualTo(total);
    assertThat(index.anyMatch(-12345L, p -> true)).isFalse();
  }
}
