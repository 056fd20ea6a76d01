package dev.tally.engine.schema;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * The regular expressions of {@code pattern} and {@code patternProperties}, as the validator's default (JDK
 * {@link Pattern}, matched with {@code find}), but with a time budget per match: a pattern that backtracks
 * catastrophically on some input ({@code (a+)+$}) stops after {@link #BUDGET_NANOS} with
 * {@link RegexTooSlowException} instead of holding a request thread for ever. Thread-safe.
 */
final class BoundedRegularExpressions implements RegularExpressionFactory {
    static final long BUDGET_NANOS = 50_000_000L;

    /** A match ran out of its time budget. */
    static final class RegexTooSlowException extends RuntimeException {
        RegexTooSlowException() {
            super("a pattern took longer than " + BUDGET_NANOS / 1_000_000 + " ms to match", null, false, false);
        }
    }

    @Override
    public RegularExpression getRegularExpression(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return value -> pattern.matcher(new Budgeted(value, System.nanoTime() + BUDGET_NANOS)).find();
    }

    /** The input of one match; reading it past the deadline throws (checked every 1,024 reads). */
    private static final class Budgeted implements CharSequence {
        private final String text;
        private final long deadline;
        private int reads;

        Budgeted(String text, long deadline) {
            this.text = text;
            this.deadline = deadline;
        }

        @Override
        public char charAt(int index) {
            if ((++reads & 1023) == 0 && System.nanoTime() > deadline) {
                throw new RegexTooSlowException();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(text.substring(start, end), deadline);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
