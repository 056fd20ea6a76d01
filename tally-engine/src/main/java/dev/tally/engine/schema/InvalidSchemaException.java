package dev.tally.engine.schema;

import java.util.List;

/**
 * A submitted schema is not a JSON Schema (2020-12) Tally can use; nothing was stored. The message and the
 * {@link #problems()} describe only the submitted document and are safe to show to the client.
 */
public final class InvalidSchemaException extends RuntimeException {
    private final List<String> problems;

    InvalidSchemaException(List<String> problems) {
        super("the schema is not a valid JSON Schema (draft 2020-12): " + String.join("; ", problems), null, false,
                false);
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid schema needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** What is wrong, one entry per problem (at most a few). */
    public List<String> problems() {
        return problems;
    }
}
