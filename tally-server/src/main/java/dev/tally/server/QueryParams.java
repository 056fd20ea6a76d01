package dev.tally.server;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The query parameters a route accepts, declared where the route is registered: plain names
 * ({@code customer}) and families written {@code filter[*]}, which accept every {@code filter[...]} key.
 * A request with any other parameter is refused (400 {@code unknown-parameter}) before its handler runs:
 * a misspelt filter that were silently ignored would answer with everyone's data.
 */
record QueryParams(Set<String> names, Set<String> families) {
    /** A route that takes no query parameters at all. */
    static final QueryParams NONE = new QueryParams(Set.of(), Set.of());

    QueryParams {
        names = Set.copyOf(names);
        families = Set.copyOf(families);
    }

    /** Names, and families as {@code prefix[*]}. */
    static QueryParams of(String... declared) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> families = new LinkedHashSet<>();
        for (String d : declared) {
            if (d.endsWith("[*]")) {
                families.add(d.substring(0, d.length() - 2));
            } else if (d.isEmpty() || d.contains("[") || d.contains("]")) {
                throw new IllegalArgumentException("not a query parameter declaration: '" + d + "'");
            } else {
                names.add(d);
            }
        }
        return new QueryParams(names, families);
    }

    boolean accepts(String key) {
        if (names.contains(key)) {
            return true;
        }
        for (String f : families) {
            if (key.startsWith(f) && key.endsWith("]") && key.length() > f.length() + 1) {
                return true;
            }
        }
        return false;
    }

    /** The first key (in request order) that this route does not accept. */
    Optional<String> firstUnknown(Collection<String> keys) {
        return keys.stream().filter(k -> !accepts(k)).findFirst();
    }

    /** The declarations in a stable order, families as {@code prefix[...]}, for messages and docs. */
    List<String> declared() {
        List<String> out = new java.util.ArrayList<>(names.stream().sorted().toList());
        families.stream().sorted().forEach(f -> out.add(f + "...]"));
        return out;
    }

    /** The 400 for {@code key}: names it, and what the route accepts. */
    HttpError refuse(String key, String route) {
        String accepted = names.isEmpty() && families.isEmpty() ? "it takes no query parameters"
                : "it accepts " + String.join(", ", declared());
        String shown = key.length() > 100 ? key.substring(0, 100) + "..." : key;
        return new HttpError(400, "unknown-parameter", "Unknown query parameter",
                "'" + shown + "' is not a query parameter of " + route + "; " + accepted,
                List.of(new dev.tally.core.validation.FieldViolation(shown, "is not a query parameter of " + route)));
    }
}
