package dev.tally.engine.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a submitted document into a compiled schema, or says why it is not a JSON Schema (2020-12): it must be an
 * object or a boolean, name no other dialect in {@code $schema}, pass the 2020-12 meta-schema, and compile. A schema
 * may only reference itself: {@code $ref} to any other document (a URL, a file, the class path) is refused, so a
 * schema can never make Tally fetch anything. Each match of a {@code pattern} has a time budget
 * ({@link BoundedRegularExpressions}). Thread-safe.
 */
final class SchemaCompiler {
    static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
    private static final String META_PREFIX = "https://json-schema.org/draft/2020-12/";
    static final int MAX_PROBLEMS = 5;
    private static final int MAX_PROBLEM_CHARS = 300;

    private final SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12,
            b -> b.schemaLoader(l -> l.block(iri -> !iri.toString().startsWith(META_PREFIX)))
                    .schemaRegistryConfig(SchemaRegistryConfig.builder()
                            .regularExpressionFactory(new BoundedRegularExpressions()).build()));
    private final Schema meta = registry.getSchema(SchemaLocation.of(DIALECT));

    /** The compiled schema; throws {@link InvalidSchemaException} naming what is wrong. */
    Schema compile(JsonNode document) {
        if (!document.isObject() && !document.isBoolean()) {
            throw new InvalidSchemaException(List.of("a schema is a JSON object (or true or false), not "
                    + document.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        JsonNode dialect = document.path("$schema");
        if (!dialect.isMissingNode() && !(dialect.isTextual() && stripHash(dialect.textValue()).equals(DIALECT))) {
            throw new InvalidSchemaException(List.of("$schema: only \"" + DIALECT + "\" (draft 2020-12) is supported"));
        }
        tools.jackson.databind.JsonNode tree = Trees.copy(document);
        List<String> problems = new ArrayList<>();
        for (com.networknt.schema.Error e : meta.validate(tree)) {
            if (problems.size() == MAX_PROBLEMS) {
                break;
            }
            problems.add(bounded(pointer(e.getInstanceLocation()) + ": " + e.getMessage()));
        }
        if (!problems.isEmpty()) {
            throw new InvalidSchemaException(problems);
        }
        try {
            Schema schema = registry.getSchema(tree);
            schema.initializeValidators();
            // resolves every reference the schema makes at the top: an unresolvable $ref fails here, not at ingest
            schema.validate(Trees.copy(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()));
            return schema;
        } catch (SchemaException e) {
            throw new InvalidSchemaException(List.of(bounded(describe(e))));
        } catch (RuntimeException e) {
            // a library failure on hostile input (e.g. a pattern the regex engine refuses): the schema is unusable
            throw new InvalidSchemaException(List.of("the schema cannot be compiled"
                    + (e.getCause() instanceof java.util.regex.PatternSyntaxException p
                            ? ": pattern " + bounded(p.getDescription()) : "")));
        }
    }

    private static String describe(SchemaException e) {
        Throwable cause = e.getCause();
        if (cause instanceof java.util.regex.PatternSyntaxException p) {
            return "pattern: not a regular expression (" + p.getDescription() + ")";
        }
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (message.contains("not allowed to be loaded")) {
            return "$ref: a schema may only reference itself (#...), not another document";
        }
        // the library's own words about the document, unless they name Java internals
        return message.isBlank() || message.contains("Exception") || message.contains("java.")
                ? "the schema cannot be compiled" : message;
    }

    private static String stripHash(String s) {
        return s.endsWith("#") ? s.substring(0, s.length() - 1) : s;
    }

    /** A JSON Pointer to the offending part of the submitted schema ("/" for the whole). */
    private static String pointer(com.networknt.schema.path.NodePath path) {
        String s = path.toString();
        return s.isEmpty() ? "/" : s;
    }

    static String bounded(String s) {
        return s.length() <= MAX_PROBLEM_CHARS ? s : s.substring(0, MAX_PROBLEM_CHARS) + "...";
    }
}
