package dev.tally.server.documents;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Postal addresses as the destination country writes them. Fields: {@code line1}, {@code line2},
 * {@code postal_code}, {@code city}, {@code region} (or {@code state}) and {@code country} (ISO 3166-1 alpha-2).
 * <ul>
 *   <li>most of continental Europe (DE, AT, CH, FR, NL, BE, LU, ES, PT, IT, the Nordics, PL, CZ, ...): the postal code
 *       before the city ({@code 10115 Berlin}); Italy adds the province after the city ({@code 00144 Roma RM});</li>
 *   <li>US, CA, AU: city, region and postal code on one line ({@code Springfield, IL 62701});</li>
 *   <li>GB, IE: the city, the county and the postcode each on its own line;</li>
 *   <li>anywhere else: the city and the postal code, then the region.</li>
 * </ul>
 * The last line is the country's name in the reader's language, from {@link Locale} ({@code Deutschland},
 * {@code Germany}, {@code Allemagne}); an unknown code is shown as given.
 */
final class AddressFormat {
    private static final Set<String> POSTAL_CODE_FIRST = Set.of("DE", "AT", "CH", "LI", "FR", "MC", "NL", "BE", "LU",
            "ES", "PT", "IT", "SM", "VA", "DK", "SE", "NO", "FI", "IS", "PL", "CZ", "SK", "SI", "HR", "HU", "RO", "BG",
            "GR", "CY", "EE", "LV", "LT", "TR", "IL", "RU", "UA", "RS", "BA", "ME", "MK", "AL", "MX", "AR", "CL");
    private static final Set<String> CITY_REGION_POSTAL = Set.of("US", "CA", "AU", "PR");
    private static final Set<String> POSTCODE_OWN_LINE = Set.of("GB", "IE", "IM", "JE", "GG");

    private AddressFormat() {
    }

    /** The address's lines, non-empty ones only; the country's name in {@code reader}'s language last. */
    static List<String> lines(Map<String, String> address, Locale reader) {
        List<String> out = new ArrayList<>();
        add(out, address.get("line1"));
        add(out, address.get("line2"));
        String postal = text(address.get("postal_code"));
        String city = text(address.get("city"));
        String region = text(address.getOrDefault("region", address.get("state")));
        String country = text(address.get("country")).toUpperCase(Locale.ROOT);
        if (POSTAL_CODE_FIRST.contains(country)) {
            add(out, join(" ", postal, city, country.equals("IT") ? region : ""));
            if (!country.equals("IT")) {
                add(out, region);
            }
        } else if (CITY_REGION_POSTAL.contains(country)) {
            String cityRegion = city.isEmpty() || region.isEmpty() ? city + region : city + ", " + region;
            add(out, join(" ", cityRegion, postal));
        } else if (POSTCODE_OWN_LINE.contains(country)) {
            add(out, city);
            add(out, region);
            add(out, postal);
        } else {
            add(out, join(" ", city, postal));
            add(out, region);
        }
        if (!country.isEmpty()) {
            add(out, countryName(country, reader));
        }
        return out;
    }

    /** The country's name in the reader's language, or the code itself when Java does not know it. */
    static String countryName(String code, Locale reader) {
        String name = Locale.of("", code).getDisplayCountry(reader);
        return name.isBlank() || name.equalsIgnoreCase(code) ? code : name;
    }

    private static String text(String s) {
        return s == null ? "" : s.strip();
    }

    private static String join(String sep, String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            if (!p.isEmpty()) {
                if (!b.isEmpty()) {
                    b.append(sep);
                }
                b.append(p);
            }
        }
        return b.toString();
    }

    private static void add(List<String> out, String line) {
        String s = text(line);
        if (!s.isEmpty()) {
            out.add(s);
        }
    }
}
