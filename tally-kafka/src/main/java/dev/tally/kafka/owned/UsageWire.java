package dev.tally.kafka.owned;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.event.Json;
import dev.tally.engine.usage.UsageRequest;
import dev.tally.engine.usage.UsageRow;
import dev.tally.engine.usage.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The internal wire form of a usage question to a partition's owner and of its answer: the question as query
 * parameters ({@code tenant, meter, customer, from, to, window, zone, group_by} (repeated, in order),
 * {@code filter} (repeated {@code dimension=value})), the answer as {@code {"rows":[{window_start, window_end,
 * group, value (a decimal string, exact), events}]}}.
 */
final class UsageWire {
    private static final ObjectMapper JSON = Json.newMapper();

    private UsageWire() {
    }

    static String query(String tenant, UsageRequest r, long offset) {
        List<String[]> p = new ArrayList<>();
        p.add(new String[] {"offset", Long.toString(offset)});
        p.add(new String[] {"tenant", tenant});
        p.add(new String[] {"meter", r.meter()});
        r.customer().ifPresent(c -> p.add(new String[] {"customer", c}));
        p.add(new String[] {"from", r.from().toString()});
        p.add(new String[] {"to", r.to().toString()});
        p.add(new String[] {"window", r.window().wireName()});
        p.add(new String[] {"zone", r.zone().getId()});
        r.groupBy().forEach(g -> p.add(new String[] {"group_by", g}));
        new java.util.TreeMap<>(r.filters()).forEach((dim, values) -> values.stream().sorted()
                .forEach(v -> p.add(new String[] {"filter", dim + "=" + v})));
        StringBuilder out = new StringBuilder();
        for (String[] kv : p) {
            out.append(out.isEmpty() ? "" : "&").append(kv[0]).append('=')
                    .append(URLEncoder.encode(kv[1], StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** The parameters of a query string, each name with its values in order. */
    static Map<String, List<String>> params(String rawQuery) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String kv : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    static String one(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        if (v == null || v.size() != 1) {
            throw new IllegalArgumentException("exactly one '" + name + "' parameter is required");
        }
        return v.get(0);
    }

    static UsageRequest request(Map<String, List<String>> params) {
        Optional<String> customer = Optional.ofNullable(params.get("customer")).map(v -> v.get(0));
        Window window = Window.fromWireName(one(params, "window"))
                .orElseThrow(() -> new IllegalArgumentException("unknown window"));
        Map<String, Set<String>> filters = new HashMap<>();
        for (String f : params.getOrDefault("filter", List.of())) {
            int eq = f.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("a filter is dimension=value");
            }
            filters.computeIfAbsent(f.substring(0, eq), k -> new LinkedHashSet<>()).add(f.substring(eq + 1));
        }
        return new UsageRequest(one(params, "meter"), customer, Instant.parse(one(params, "from")),
                Instant.parse(one(params, "to")), window, ZoneId.of(one(params, "zone")),
                params.getOrDefault("group_by", List.of()), filters);
    }

    static byte[] rows(List<UsageRow> rows) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode array = root.putArray("rows");
        for (UsageRow r : rows) {
            ObjectNode o = array.addObject();
            o.put("window_start", r.windowStart().toString());
            o.put("window_end", r.windowEnd().toString());
            ArrayNode g = o.putArray("group");
            r.group().forEach(v -> {
                if (v.isPresent()) {
                    g.add(v.get());
                } else {
                    g.addNull();
                }
            });
            o.put("value", r.value().toPlainString());
            o.put("events", r.events());
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<UsageRow> rows(byte[] body) {
        try {
            JsonNode root = JSON.readTree(body);
            List<UsageRow> out = new ArrayList<>();
            for (JsonNode o : root.get("rows")) {
                List<Optional<String>> group = new ArrayList<>();
                o.get("group").forEach(v -> group.add(v.isNull() ? Optional.empty() : Optional.of(v.asText())));
                out.add(new UsageRow(Instant.parse(o.get("window_start").asText()),
                        Instant.parse(o.get("window_end").asText()), group, new BigDecimal(o.get("value").asText()),
                        o.get("events").asLong()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("an unreadable answer from a partition owner", e);
        }
    }

    static byte[] error(String code, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", code);
        o.put("message", message);
        try {
            return JSON.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String errorMessage(byte[] body) {
        try {
            JsonNode o = JSON.readTree(body);
            return o.path("message").asText("");
        } catch (IOException e) {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
