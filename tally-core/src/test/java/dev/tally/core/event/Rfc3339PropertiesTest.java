package dev.tally.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;

/** The hand-written fast path of {@link Rfc3339} agrees with java.time on every timestamp java.time prints. */
class Rfc3339PropertiesTest {

    @Provide
    Arbitrary<Instant> instants() {
        return Arbitraries.longs()
                .between(Instant.parse("1970-01-02T00:00:00Z").getEpochSecond(), Instant.parse("9998-12-30T00:00:00Z").getEpochSecond())
                .flatMap(s -> Arbitraries.oneOf(
                        Arbitraries.just(0), Arbitraries.integers().between(0, 999).map(ms -> ms * 1_000_000),
                        Arbitraries.integers().between(0, 999_999_999))
                        .map(n -> Instant.ofEpochSecond(s, n)));
    }

    @Provide
    Arbitrary<ZoneOffset> offsets() {
        Arbitrary<ZoneOffset> minutes = Arbitraries.integers().between(-18 * 60, 18 * 60)
                .map(m -> ZoneOffset.ofTotalSeconds(m * 60));
        // RFC 3339 offsets are whole minutes (java.time would also print seconds, which RFC 3339 has no syntax for)
        return Arbitraries.frequencyOf(Tuple.of(6, minutes), Tuple.of(2, Arbitraries.just(ZoneOffset.UTC)));
    }

    @Property(tries = 2000)
    void parsesWhatJavaTimePrintsToTheSameInstant(@ForAll("instants") Instant instant,
            @ForAll("offsets") ZoneOffset offset, @ForAll boolean lowerCase) {
        OffsetDateTime local = instant.atOffset(offset);
        String text = local.toString();
        if (local.getSecond() != 0 || local.getNano() != 0) { // else toString drops the seconds; Instant.parse needs them
            assertThat(Instant.parse(text)).isEqualTo(instant);
        }
        assertThat(OffsetDateTime.parse(text).toInstant()).isEqualTo(instant);
        assertThat(Rfc3339.parse(text)).isEqualTo(instant);
        if (lowerCase) {
            assertThat(Rfc3339.parse(text.replace('T', 't').replace('Z', 'z'))).isEqualTo(instant);
        }
    }

    @Property(tries = 1000)
    void everyFractionLengthAgreesWithJavaTime(@ForAll("instants") Instant instant, @ForAll("offsets") ZoneOffset offset,
            @ForAll @IntRange(min = 0, max = 9) int digits) {
        OffsetDateTime local = instant.atOffset(offset);
        String fraction = digits == 0 ? "" : "." + String.format("%09d", local.getNano()).substring(0, digits);
        String offsetText = offset.getTotalSeconds() == 0 ? "Z" : offset.getId();
        String text = String.format("%04d-%02d-%02dT%02d:%02d:%02d%s%s", local.getYear(), local.getMonthValue(),
                local.getDayOfMonth(), local.getHour(), local.getMinute(), local.getSecond(), fraction, offsetText);
        assertThat(Rfc3339.parse(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
    }
}
