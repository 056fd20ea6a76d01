package dev.tally.server.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Currency;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Stripe's minor units are exact both ways, and the engine holds no Stripe type. */
class StripeAmountsTest {
    static final List<String> CURRENCIES = List.of("USD", "EUR", "JPY", "KRW", "BHD", "KWD", "ISK");

    @Property
    void minorUnitsRoundTripExactly(@ForAll @LongRange(min = -1_000_000_000_000L, max = 1_000_000_000_000L) long minor,
            @ForAll("currencies") String code) {
        Currency c = Currency.getInstance(code);
        if (code.equals("ISK") && minor % 100 != 0) {
            return; // Stripe writes ISK with two decimals that are always zero
        }
        BigDecimal amount = StripeAmounts.fromMinor(minor, c);
        assertThat(amount.scale()).isEqualTo(c.getDefaultFractionDigits());
        assertThat(StripeAmounts.toMinor(amount, c)).isEqualTo(minor);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> currencies() {
        return net.jqwik.api.Arbitraries.of(CURRENCIES);
    }

    @Test
    void stripesDecimalsPerCurrency() {
        assertThat(StripeAmounts.toMinor(new BigDecimal("1234"), Currency.getInstance("JPY"))).isEqualTo(1234);
        assertThat(StripeAmounts.toMinor(new BigDecimal("12.345"), Currency.getInstance("BHD"))).isEqualTo(12345);
        assertThat(StripeAmounts.toMinor(new BigDecimal("110.00"), Currency.getInstance("USD"))).isEqualTo(11000);
        assertThat(StripeAmounts.toMinor(new BigDecimal("1000"), Currency.getInstance("ISK"))).isEqualTo(100000);
        assertThatThrownBy(() -> StripeAmounts.toMinor(new BigDecimal("1.5"), Currency.getInstance("JPY")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> StripeAmounts.toMinor(new BigDecimal("1.001"), Currency.getInstance("USD")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The engine's compiled classes name no {@code com.stripe} type: Stripe stays in this package. */
    @Test
    void theEngineHoldsNoStripeType() throws IOException, URISyntaxException {
        Path classes = Path.of(dev.tally.engine.Engine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> found;
        if (Files.isDirectory(classes)) {
            try (Stream<Path> s = Files.walk(classes)) {
                found = s.filter(p -> p.toString().endsWith(".class")).toList();
            }
            assertThat(found).isNotEmpty();
            for (Path p : found) {
                assertThat(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1)).as("%s", p)
                        .doesNotContain("com/stripe/");
            }
        } else {
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(classes.toFile())) {
                int n = 0;
                for (var e : java.util.Collections.list(jar.entries())) {
                    if (e.getName().endsWith(".class")) {
                        n++;
                        assertThat(new String(jar.getInputStream(e).readAllBytes(), StandardCharsets.ISO_8859_1))
                                .as("%s", e.getName()).doesNotContain("com/stripe/");
                    }
                }
                assertThat(n).isPositive();
            }
        }
    }
}
