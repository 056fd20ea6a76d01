package dev.tally.core.input;

/**
 * Checks text from client input that Tally stores or compares as an identity (ids, external ids, keys, sources,
 * subjects, names): it must be valid Unicode, that is hold no unpaired UTF-16 surrogate such as the one JSON's
 * {@code "\ud800"} decodes to. Such text cannot be written as UTF-8; stores would silently replace the surrogate
 * with {@code ?}, so {@code "x\ud800"} would be kept as {@code "x?"} and could collide with another id. Refusing it
 * keeps every stored identity exactly what the client sent.
 */
public final class TextInput {
    /** The problem text for a string that is not valid Unicode. */
    public static final String NOT_UNICODE = "must be valid Unicode text (it holds an unpaired surrogate)";

    private TextInput() {
    }

    /** Whether every surrogate in the text is part of a pair (high then low); linear, no allocation. */
    public static boolean isValidUnicode(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The text itself if it is valid Unicode.
     *
     * @throws InvalidInputException if it holds an unpaired surrogate
     */
    public static String unicode(String s) {
        if (!isValidUnicode(s)) {
            throw new InvalidInputException(NOT_UNICODE);
        }
        return s;
    }
}
