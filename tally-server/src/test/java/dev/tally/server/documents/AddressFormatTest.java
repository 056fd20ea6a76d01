package dev.tally.server.documents;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddressFormatTest {

    @Test
    void continentalEuropePutsThePostalCodeBeforeTheCity() {
        assertThat(AddressFormat.lines(Map.of("line1", "Hauptstraße 5", "postal_code", "10115", "city", "Berlin",
                "country", "DE"), Locale.GERMANY)).containsExactly("Hauptstraße 5", "10115 Berlin", "Deutschland");
        assertThat(AddressFormat.lines(Map.of("line1", "1 rue de Rivoli", "postal_code", "75001", "city", "Paris",
                "country", "FR"), Locale.US)).containsExactly("1 rue de Rivoli", "75001 Paris", "France");
        assertThat(AddressFormat.lines(Map.of("line1", "Damrak 1", "postal_code", "1012 LG", "city", "Amsterdam",
                "country", "NL"), Locale.US)).containsExactly("Damrak 1", "1012 LG Amsterdam", "Netherlands");
        for (String country : new String[] {"ES", "CH", "AT", "BE"}) {
            assertThat(AddressFormat.lines(Map.of("postal_code", "1000", "city", "X", "country", country), Locale.US))
                    .startsWith("1000 X");
        }
    }

    @Test
    void italyAddsTheProvinceAfterTheCity() {
        assertThat(AddressFormat.lines(Map.of("line1", "Via Roma 1", "postal_code", "00144", "city", "Roma",
                "region", "RM", "country", "IT"), Locale.ITALY)).containsExactly("Via Roma 1", "00144 Roma RM", "Italia");
    }

    @Test
    void northAmericaWritesCityRegionAndZipOnOneLine() {
        assertThat(AddressFormat.lines(Map.of("line1", "1 Main St", "city", "Springfield", "state", "IL",
                "postal_code", "62701", "country", "US"), Locale.US))
                .containsExactly("1 Main St", "Springfield, IL 62701", "United States");
        assertThat(AddressFormat.lines(Map.of("city", "Toronto", "region", "ON", "postal_code", "M5V 2T6",
                "country", "CA"), Locale.FRANCE)).containsExactly("Toronto, ON M5V 2T6", "Canada");
        assertThat(AddressFormat.lines(Map.of("city", "Springfield", "postal_code", "12345", "country", "US"), Locale.US))
                .containsExactly("Springfield 12345", "United States");
    }

    @Test
    void theUkPutsThePostcodeOnItsOwnLine() {
        assertThat(AddressFormat.lines(Map.of("line1", "10 Downing Street", "city", "London",
                "postal_code", "SW1A 2AA", "country", "GB"), Locale.US))
                .containsExactly("10 Downing Street", "London", "SW1A 2AA", "United Kingdom");
    }

    @Test
    void theCountryNameIsInTheReadersLanguageAndAnUnknownCodeStaysACode() {
        assertThat(AddressFormat.countryName("DE", Locale.FRANCE)).isEqualTo("Allemagne");
        assertThat(AddressFormat.countryName("US", Locale.GERMANY)).isEqualTo("Vereinigte Staaten");
        assertThat(AddressFormat.countryName("QQ", Locale.US)).isEqualTo("QQ");
        assertThat(AddressFormat.lines(Map.of(), Locale.US)).isEmpty();
    }
}
