package dev.tally.server.documents;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;

/**
 * The words, dates and number conventions of one invoice language: English ({@code en}, US conventions: "Dec 1,
 * 2026", "$1,234.50"), German ({@code de}, German conventions: "01.12.2026", "1.234,50 $") or French ({@code fr}:
 * "1 déc. 2026", "1 234,50 $US"). Labels come from {@code labels[_de|_fr].properties} beside this class; a key
 * missing in a translation falls back to English. An unknown language is English.
 */
final class Labels {
    private static final Map<String, Labels> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private final String language;
    private final Locale locale;
    private final ResourceBundle bundle;
    private final DateTimeFormatter day;
    private final DateTimeFormatter monthDay;

    private Labels(String language) {
        this.language = language;
        this.locale = switch (language) {
            case "de" -> Locale.GERMANY;
            case "fr" -> Locale.FRANCE;
            default -> Locale.US;
        };
        this.bundle = ResourceBundle.getBundle("dev.tally.server.documents.labels", Locale.of(language),
                ResourceBundle.Control.getNoFallbackControl(ResourceBundle.Control.FORMAT_PROPERTIES));
        this.day = language.equals("en") ? DateTimeFormatter.ofPattern("MMM d, yyyy", Locale.US)
                : DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM).withLocale(locale);
        this.monthDay = language.equals("en") ? DateTimeFormatter.ofPattern("MMM d", Locale.US) : null;
    }

    static Labels of(String language) {
        String l = language == null || !dev.tally.core.billing.Customer.LANGUAGES.contains(language) ? "en" : language;
        return CACHE.computeIfAbsent(l, Labels::new);
    }

    String language() {
        return language;
    }

    Locale locale() {
        return locale;
    }

    String get(String key) {
        try {
            return bundle.getString(key);
        } catch (MissingResourceException e) {
            return key;
        }
    }

    /** The label with {@code {0}}, {@code {1}} replaced (plain replacement: no MessageFormat quoting rules). */
    String format(String key, String... args) {
        String s = get(key);
        for (int i = 0; i < args.length; i++) {
            s = s.replace("{" + i + "}", args[i]);
        }
        return s;
    }

    /** Every label, for the template ({@code labels.total}). */
    Map<String, String> all() {
        Map<String, String> m = new HashMap<>();
        for (String k : bundle.keySet()) {
            m.put(k, get(k));
        }
        return m;
    }

    String day(LocalDate d) {
        return day.format(d);
    }

    /** A range of days, both inclusive: "Nov 1 – Nov 30, 2026" in English, "01.11.2026 – 30.11.2026" otherwise. */
    String days(LocalDate first, LocalDate last) {
        if (first.equals(last)) {
            return day(first);
        }
        if (monthDay != null && first.getYear() == last.getYear()) {
            return monthDay.format(first) + " \u2013 " + day(last);
        }
        return day(first) + " \u2013 " + day(last);
    }
}
