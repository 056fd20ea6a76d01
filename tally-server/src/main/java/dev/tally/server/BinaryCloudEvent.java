package dev.tally.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import dev.tally.core.event.CloudEventReader;
import dev.tally.core.event.EventOutcome;
import dev.tally.core.event.MalformedBodyException;
import dev.tally.core.event.RejectionReason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The CloudEvents HTTP binary content mode: the event's attributes travel as {@code ce-*} headers (unquoted and
 * percent-decoded as the HTTP binding says), {@code Content-Type} is its {@code datacontenttype} and the body is
 * its {@code data}. The event is turned into its structured form and read by the same {@link CloudEventReader}
 * as structured events, so one event gets the same outcome in every mode. Data must be JSON: an empty body is an
 * event without data, a JSON object is its data, another JSON value is rejected ({@code data_not_object}) like
 * the same event sent structured, a body that is not JSON is a 400, and a non-JSON {@code Content-Type} a 415.
 */
final class BinaryCloudEvent {
    /** CloudEvents attribute names: lower-case ASCII letters and digits. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,64}");
    private static final String PREFIX = "ce-";

    private BinaryCloudEvent() {
    }

    /**
     * Whether a request is in binary mode: its media type is not a CloudEvents format
     * ({@code application/cloudevents...}) and it carries at least one {@code ce-} header.
     */
    static boolean applies(Headers headers, String media) {
        if (media.startsWith("application/cloudevents")) {
            return false;
        }
        for (String name : headers.keySet()) {
            if (name.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                return true;
            }
        }
        return false;
    }

    /** Reads the one event of a binary-mode request. */
    static EventOutcome read(Headers headers, Optional<String> contentType, byte[] body, CloudEventReader reader,
            ObjectMapper mapper) {
        requireJson(contentType);
        Map<String, String> attributes = new TreeMap<>();
        String problem = null;
        for (Map.Entry<String, List<String>> h : headers.entrySet()) {
            String header = h.getKey();
            if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
                continue;
            }
            String name = header.substring(PREFIX.length()).toLowerCase(Locale.ROOT);
            if (!NAME.matcher(name).matches()) {
                problem = problem != null ? problem : "'" + header + "' does not name a CloudEvents attribute"
                        + " (lower-case letters and digits after 'ce-')";
                continue;
            }
            if (name.equals("datacontenttype")) {
                problem = problem != null ? problem : "binary mode carries datacontenttype as Content-Type;"
                        + " ce-datacontenttype must not be sent";
                continue;
            }
            if (name.equals("data") || name.equals("data_base64")) {
                problem = problem != null ? problem : "binary mode carries the data as the body, not as " + header;
                continue;
            }
            if (h.getValue().size() != 1) {
                problem = problem != null ? problem : "'" + header + "' is given more than once";
                continue;
            }
            Optional<String> value = decode(h.getValue().get(0));
            if (value.isEmpty()) {
                problem = problem != null ? problem : "'" + header + "' is not correctly percent-encoded UTF-8";
                continue;
            }
            attributes.put(name, value.get());
        }
        if (problem != null) {
            return new EventOutcome.Rejected(Optional.ofNullable(attributes.get("id")),
                    Optional.ofNullable(attributes.get("source")), RejectionReason.INVALID_ATTRIBUTE, problem);
        }
        contentType.ifPresent(ct -> attributes.put("datacontenttype", ct));
        requireOneJsonValue(body, mapper);
        byte[] structured = structured(attributes, body, mapper);
        List<EventOutcome> outcomes = reader.read(structured, CloudEventReader.BodyShape.SINGLE);
        return outcomes.get(0);
    }

    /** Refuses a {@code Content-Type} that does not declare JSON (absent means JSON, as elsewhere in the API). */
    private static void requireJson(Optional<String> contentType) {
        if (contentType.isEmpty() || contentType.get().isBlank()) {
            return;
        }
        String[] parts = contentType.get().split(";");
        String media = parts[0].trim().toLowerCase(Locale.ROOT);
        boolean json = media.equals("application/json") || media.equals("text/json")
                || media.endsWith("+json") && media.indexOf('/') > 0;
        for (int i = 1; i < parts.length && json; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv[0].trim().equalsIgnoreCase("charset") && kv.length == 2
                    && !kv[1].trim().replace("\"", "").equalsIgnoreCase("utf-8")) {
                json = false;
            }
        }
        if (!json) {
            throw new HttpError(415, "unsupported-media-type", "Unsupported media type",
                    "in binary mode Content-Type is the event's datacontenttype, and Tally meters JSON data only:"
                            + " send the data as application/json (UTF-8), or the event structured as"
                            + " application/cloudevents+json");
        }
    }

    /** The body is empty (an event without data) or exactly one JSON value, so it can stand as {@code data}. */
    private static void requireOneJsonValue(byte[] body, ObjectMapper mapper) {
        if (isBlank(body)) {
            return;
        }
        try (JsonParser p = mapper.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MalformedBodyException("the body is not valid JSON");
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new MalformedBodyException("unexpected content after the JSON value of the event's data");
            }
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw new MalformedBodyException("the body nests too deeply or holds a number or string too long to read");
        } catch (JsonProcessingException e) {
            throw new MalformedBodyException("the body (the event's data) is not valid JSON");
        } catch (IOException e) {
            throw new MalformedBodyException("the body could not be read");
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    /** The structured JSON form: the attributes, then {@code "data":} and the body as it came. */
    private static byte[] structured(Map<String, String> attributes, byte[] body, ObjectMapper mapper) {
        ObjectNode o = mapper.createObjectNode();
        attributes.forEach(o::put);
        byte[] head;
        try {
            head = mapper.writeValueAsBytes(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the event's attributes", e);
        }
        if (isBlank(body)) {
            return head;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + body.length + 16);
        out.write(head, 0, head.length - 1);
        byte[] field = (attributes.isEmpty() ? "\"data\":" : ",\"data\":").getBytes(StandardCharsets.US_ASCII);
        out.write(field, 0, field.length);
        out.write(body, 0, body.length);
        out.write('}');
        return out.toByteArray();
    }

    /**
     * A header value as the HTTP binding decodes it: a double-quoted string is unquoted (backslash escapes), then
     * one round of percent-decoding; the bytes must be valid UTF-8. Empty when the value breaks either rule.
     */
    static Optional<String> decode(String raw) {
        String v = raw.trim();
        if (v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"') {
            StringBuilder unquoted = new StringBuilder(v.length());
            for (int i = 1; i < v.length() - 1; i++) {
                char c = v.charAt(i);
                if (c == '\\' && i + 1 < v.length() - 1) {
                    c = v.charAt(++i);
                }
                unquoted.append(c);
            }
            v = unquoted.toString();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%') {
                if (i + 2 >= v.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(v.charAt(i + 1), 16);
                int lo = Character.digit(v.charAt(i + 2), 16);
                if (hi < 0 || lo < 0 || v.charAt(i + 1) > 'f' || v.charAt(i + 2) > 'f') {
                    return Optional.empty();
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c > 0xFF) {
                return Optional.empty();
            } else {
                // the JDK reads header bytes as ISO-8859-1: a raw UTF-8 byte keeps its value
                bytes.write(c);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
