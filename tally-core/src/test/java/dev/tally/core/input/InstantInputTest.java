package dev.tally.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Instants from input are RFC 3339 and between 1970 and 9999, checked after the offset is applied. */
class InstantInputTest {

    @Test
    void refusesInstantsBeyondYear9999AndBefore1970() {
        for (String s : new String[] {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z",
                "10000-01-01T00:00:00Z", "9999-12-31T23:59:59-00:01", "1969-12-31T23:59:59Z",
                "1970-01-01T00:00:00+00:01", "0000-01-01T00:00:00Z"}) {
            assertThatThrownBy(() -> InstantInput.parse(s)).as(s).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z");
        }
    }

    @Test
    void acceptsTheEdgesOfTheRange() {
        assertThat(InstantInput.parse("1970-01-01T00:00:00Z")).isEqualTo(Instant.EPOCH);
        assertThat(InstantInput.parse("9999-12-31T23:59:59.999999999Z")).isEqualTo(InstantInput.MAX);
        assertThat(InstantInput.parse("9999-12-31T23:59:59+01:00")).isEqualTo(Instant.parse("9999-12-31T22:59:59Z"));
        assertThat(InstantInput.parse("2026-11-01T01:00:00+01:00")).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(InstantInput.parse("2026-11-01 00:00Z")).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
    }

    @Test
    void refusesTextThatIsNotRfc3339() {
        for (String s : new String[] {"", "2026-11-01", "2026-11-01T00:00:00", "2026-13-01T00:00:00Z",
                "2026-11-01T00:00:00+01", "now"}) {
            assertThatThrownBy(() -> InstantInput.parse(s)).as(s).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("RFC 3339");
        }
    }
}
