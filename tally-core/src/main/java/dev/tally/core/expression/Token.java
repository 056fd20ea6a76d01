package dev.tally.core.expression;

/** A lexical token; {@link #start()} is its 0-based offset in the source. */
sealed interface Token {

    int start();

    /** How the token is named in error messages. */
    String describe();

    /** A decimal literal such as {@code 3} or {@code 0.25}. */
    record Number(int start, String text) implements Token {
        @Override
        public String describe() {
            return "number " + text;
        }
    }

    /** A single-quoted string literal, with {@code ''} already unescaped. */
    record Text(int start, String value) implements Token {
        @Override
        public String describe() {
            return "string " + quoted();
        }

        String quoted() {
            return "'" + value.replace("'", "''") + "'";
        }
    }

    /**
     * A field path such as {@code usage.input_tokens} or {@code `x-y`.z};
     * {@code bareIdentifier} when it is one unquoted identifier (a possible
     * function name).
     */
    record Path(int start, FieldPath path, boolean bareIdentifier) implements Token {
        @Override
        public String describe() {
            return "field " + path.text();
        }
    }

    /** One of {@code + - * / ( ) ,}. */
    record Symbol(int start, char symbol) implements Token {
        @Override
        public String describe() {
            return "'" + symbol + "'";
        }

        boolean is(char c) {
            return symbol == c;
        }
    }

    /** The end of the source. */
    record End(int start) implements Token {
        @Override
        public String describe() {
            return "end of input";
        }
    }
}
