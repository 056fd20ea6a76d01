package dev.tally.core.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Identities must be valid Unicode: an unpaired surrogate is refused, pairs are kept. */
class TextInputTest {

    @Test
    void refusesLoneSurrogates() {
        for (String s : new String[] {"x\uD800", "\uDC00x", "a\uDBFF\uDBFFb", "\uDC00\uD800"}) {
            assertThat(TextInput.isValidUnicode(s)).as(s).isFalse();
            assertThatThrownBy(() -> TextInput.unicode(s)).isInstanceOf(InvalidInputException.class);
        }
        assertThat(TextInput.isValidUnicode("x\uD83D\uDE00")).isTrue();
        assertThat(TextInput.isValidUnicode("")).isTrue();
    }

    @Property(tries = 300)
    void validUnicodeIsExactlyWhatSurvivesUtf8(@ForAll String s) {
        String roundTrip = new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        assertThat(TextInput.isValidUnicode(s)).isEqualTo(roundTrip.equals(s));
    }
}
