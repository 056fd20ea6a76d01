package dev.tally.core.expression;

import java.util.ArrayList;
import java.util.List;

/** Splits source text into {@link Token}s, ending with exactly one {@link Token.End}. */
final class Lexer {

    private final String source;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private Lexer(String source) {
        this.source = source;
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return List.copyOf(lexer.tokens);
    }

    private void run() {
        int n = source.length();
        while (pos < n) {
            char c = source.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                pos++;
            } else if (isDigit(c)) {
                number();
            } else if (FieldPath.isIdentifierStart(c) || c == '`') {
                path();
            } else if (c == '\'') {
                text();
            } else if ("+-*/(),".indexOf(c) >= 0) {
                tokens.add(new Token.Symbol(pos, c));
                pos++;
            } else {
                throw new InvalidExpressionException(source, pos, "unexpected character " + show(c));
            }
        }
        tokens.add(new Token.End(n));
    }

    private void number() {
        int start = pos;
        skipDigits();
        if (pos < source.length() && source.charAt(pos) == '.') {
            pos++;
            if (pos >= source.length() || !isDigit(source.charAt(pos))) {
                throw new InvalidExpressionException(source, pos,
                        "unexpected " + describeAt(pos), "a digit after the decimal point");
            }
            skipDigits();
        }
        tokens.add(new Token.Number(start, source.substring(start, pos)));
    }

    private void path() {
        int start = pos;
        List<String> segments = new ArrayList<>();
        boolean quoted = false;
        while (true) {
            if (pos < source.length() && source.charAt(pos) == '`') {
                quoted = true;
                segments.add(quotedSegment());
            } else if (pos < source.length() && FieldPath.isIdentifierStart(source.charAt(pos))) {
                int segmentStart = pos;
                while (pos < source.length() && FieldPath.isIdentifierPart(source.charAt(pos))) {
                    pos++;
                }
                segments.add(source.substring(segmentStart, pos));
            } else {
                throw new InvalidExpressionException(source, pos,
                        "unexpected " + describeAt(pos), "a field name after '.'");
            }
            if (pos < source.length() && source.charAt(pos) == '.') {
                pos++;
            } else {
                break;
            }
        }
        tokens.add(new Token.Path(start, new FieldPath(segments), !quoted && segments.size() == 1));
    }

    private String quotedSegment() {
        int start = pos;
        pos++;
        StringBuilder segment = new StringBuilder();
        while (true) {
            if (pos >= source.length()) {
                throw new InvalidExpressionException(source, start, "unterminated `quoted` field name");
            }
            char c = source.charAt(pos++);
            if (c == '`') {
                if (pos < source.length() && source.charAt(pos) == '`') {
                    segment.append('`');
                    pos++;
                } else {
                    break;
                }
            } else {
                segment.append(c);
            }
        }
        if (segment.isEmpty()) {
            throw new InvalidExpressionException(source, start, "empty `quoted` field name");
        }
        return segment.toString();
    }

    private void text() {
        int start = pos;
        pos++;
        StringBuilder value = new StringBuilder();
        while (true) {
            if (pos >= source.length()) {
                throw new InvalidExpressionException(source, start, "unterminated string literal");
            }
            char c = source.charAt(pos++);
            if (c == '\'') {
                if (pos < source.length() && source.charAt(pos) == '\'') {
                    value.append('\'');
                    pos++;
                } else {
                    break;
                }
            } else {
                value.append(c);
            }
        }
        tokens.add(new Token.Text(start, value.toString()));
    }

    private void skipDigits() {
        while (pos < source.length() && isDigit(source.charAt(pos))) {
            pos++;
        }
    }

    private String describeAt(int offset) {
        return offset >= source.length() ? "end of input" : "character " + show(source.charAt(offset));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String show(char c) {
        return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
