package dev.tally.core.expression;

/**
 * Thrown by {@link Expression#parse(String)} when the source text is not a valid
 * expression or exceeds one of the safety limits. The message always names the
 * position (1-based {@link #column()}, and the {@link #line()} when the source
 * spans several lines) and, where it helps, what was expected there, e.g.
 * {@code unexpected ')' at column 6 (expected an operator or end of input)}.
 */
public final class InvalidExpressionException extends IllegalArgumentException {

    private final int line;
    private final int column;

    InvalidExpressionException(String source, int offset, String problem) {
        this(source, offset, problem, "");
    }

    InvalidExpressionException(String source, int offset, String problem, String expected) {
        super(message(source, offset, problem, expected));
        this.line = lineOf(source, offset);
        this.column = columnOf(source, offset);
    }

    /** The 1-based line of the offending position (always 1 for single-line sources). */
    public int line() {
        return line;
    }

    /** The 1-based column, within its line, of the offending position. */
    public int column() {
        return column;
    }

    private static String message(String source, int offset, String problem, String expected) {
        String where = source.indexOf('\n') < 0
                ? "column " + columnOf(source, offset)
                : "line " + lineOf(source, offset) + ", column " + columnOf(source, offset);
        return problem + " at " + where + (expected.isEmpty() ? "" : " (expected " + expected + ")");
    }

    private static int lineOf(String source, int offset) {
        int line = 1;
        int end = Math.min(offset, source.length());
        for (int i = 0; i < end; i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static int columnOf(String source, int offset) {
        int end = Math.min(offset, source.length());
        int lastNewline = source.lastIndexOf('\n', end - 1);
        return offset - lastNewline;
    }
}
