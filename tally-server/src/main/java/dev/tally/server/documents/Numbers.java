package dev.tally.server.documents;

import dev.tally.core.money.DisplayPrecision;
import java.math.BigDecimal;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.Currency;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Numbers of one invoice as people read them: in the invoice language's conventions, rounded for display by
 * {@link DisplayPrecision} (quantities at most 4 decimals, unit prices the minor unit plus at most 4, amounts at the
 * minor unit), formatted through {@link BigDecimal} so nothing passes through a binary float. Currencies whose symbol
 * is letters only, or that the output cannot draw, are written with their ISO code ("BHD 1.235"). Narrow no-break
 * spaces (French grouping) become no-break spaces, which every font has.
 */
final class Numbers {
    private final Locale locale;
    private final String code;
    private final Currency currency;
    private final boolean withCode;

    Numbers(Locale locale, String currencyCode, Predicate<String> showable) {
        this.locale = locale;
        this.code = currencyCode == null ? "" : currencyCode.trim().toUpperCase(Locale.ROOT);
        Currency known;
        try {
            known = this.code.isEmpty() ? null : Currency.getInstance(this.code);
        } catch (IllegalArgumentException unknownCode) {
            known = null;
        }
        this.currency = known != null && known.getDefaultFractionDigits() >= 0 ? known : null;
        String symbol = currency == null ? "" : currency.getSymbol(locale);
        this.withCode = symbol.isEmpty() || symbol.chars().allMatch(Character::isLetter) || !showable.test(symbol);
    }

    String amount(BigDecimal exact) {
        BigDecimal shown = currency == null ? exact : DisplayPrecision.amount(exact, currency);
        return money(shown, Math.max(0, shown.scale()));
    }

    String unitPrice(BigDecimal exact) {
        BigDecimal shown = currency == null ? DisplayPrecision.quantity(exact) : DisplayPrecision.unitPrice(exact, currency);
        return money(shown, Math.max(0, shown.scale()));
    }

    String quantity(BigDecimal exact) {
        BigDecimal shown = DisplayPrecision.quantity(exact);
        NumberFormat f = NumberFormat.getNumberInstance(locale);
        f.setMinimumFractionDigits(0);
        f.setMaximumFractionDigits(Math.max(0, shown.scale()));
        return spaces(f.format(shown));
    }

    String integer(long n) {
        return spaces(NumberFormat.getIntegerInstance(locale).format(n));
    }

    /** A percentage as given ("20%", "8.5 %" in German). */
    String percent(BigDecimal p) {
        NumberFormat f = NumberFormat.getNumberInstance(locale);
        f.setMaximumFractionDigits(Math.max(0, p.stripTrailingZeros().scale()));
        String n = spaces(f.format(p));
        return locale.getLanguage().equals("en") ? n + "%" : n + "\u00a0%";
    }

    private String money(BigDecimal shown, int digits) {
        DecimalFormat f = (DecimalFormat) NumberFormat.getCurrencyInstance(locale);
        if (currency != null) {
            f.setCurrency(currency);
        }
        f.setMinimumFractionDigits(digits);
        f.setMaximumFractionDigits(digits);
        if (withCode) {
            DecimalFormatSymbols symbols = f.getDecimalFormatSymbols();
            boolean before = f.toPattern().startsWith("\u00a4") || f.toPattern().startsWith("-\u00a4");
            symbols.setCurrencySymbol(code.isEmpty() ? "" : before ? code + " " : code);
            f.setDecimalFormatSymbols(symbols);
        }
        return spaces(f.format(shown)).strip();
    }

    private static String spaces(String s) {
        return s.replace('\u202f', '\u00a0');
    }
}
