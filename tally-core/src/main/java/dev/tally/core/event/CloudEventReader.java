package dev.tally.core.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tally.core.input.TextInput;
import java.io.IOException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a CloudEvents 1.0 JSON body (structured single event or batch) into one
 * {@link EventOutcome} per event, in order. A body that is not JSON, or whose
 * shape does not fit the declared content type, fails whole with
 * {@link MalformedBodyException}; a request over the published limits fails
 * whole with {@link RequestTooLargeException}; every other problem rejects
 * only the event that has it. Events without {@code time} get the receipt time.
 * Thread-safe.
 */
public final class CloudEventReader {

    /** What the request's content type allows. */
    public enum BodyShape {
        /** {@code application/cloudevents+json}: exactly one event object. */
        SINGLE,
        /** {@code application/cloudevents-batch+json}: a JSON array of events. */
        BATCH,
        /** {@code application/json}: either. */
        EITHER
    }

    private final ObjectMapper mapper;
    private final IngestLimits limits;
    private final Clock clock;

    public CloudEventReader(IngestLimits limits, Clock clock) {
        this.mapper = Json.newMapper();
        this.limits = limits;
        this.clock = clock;
    }

    public IngestLimits limits() {
        return limits;
    }

    public List<EventOutcome> read(byte[] body, BodyShape shape) {
        if (body.length > limits.maxRequestBytes()) {
            throw new RequestTooLargeException("request body exceeds the limit of " + limits.maxRequestBytes() + " bytes");
        }
        Instant receivedAt = clock.instant();
        List<EventOutcome> outcomes = new ArrayList<>();
        try (JsonParser p = mapper.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                if (shape == BodyShape.SINGLE) {
                    throw new MalformedBodyException("application/cloudevents+json takes one event object; send a batch as application/cloudevents-batch+json");
                }
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (t == null) {
                        throw new MalformedBodyException("the JSON array is not closed");
                    }
                    if (outcomes.size() == limits.maxEvents()) {
                        throw new RequestTooLargeException("a request may hold at most " + limits.maxEvents() + " events");
                    }
                    outcomes.add(readOne(p, t, receivedAt));
                }
            } else if (t == JsonToken.START_OBJECT) {
                if (shape == BodyShape.BATCH) {
                    throw new MalformedBodyException("application/cloudevents-batch+json takes a JSON array of events");
                }
                outcomes.add(readOne(p, t, receivedAt));
            } else {
                throw new MalformedBodyException("the body must be a CloudEvent object or an array of them");
            }
            Json.requireEnd(p);
        } catch (IOException e) {
            throw Json.malformed(e);
        } catch (NumberFormatException e) {
            throw Json.unreadableNumber();
        }
        return outcomes;
    }

    private EventOutcome readOne(JsonParser p, JsonToken first, Instant receivedAt) throws IOException {
        if (first != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new EventOutcome.Rejected(Optional.empty(), Optional.empty(), RejectionReason.NOT_AN_OBJECT,
                    RejectionReason.NOT_AN_OBJECT.description());
        }
        long start = p.currentTokenLocation().getByteOffset();
        String specversion = null;
        String id = null;
        String source = null;
        String type = null;
        String subject = null;
        String time = null;
        ObjectNode data = null;
        boolean dataNotObject = false;
        String invalidAttribute = null;
        int seen = 0;
        java.util.Set<String> extensions = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int bit = attributeBit(name);
            if (bit != 0) {
                if ((seen & bit) != 0) {
                    throw duplicate(name);
                }
                seen |= bit;
            } else {
                if (extensions == null) {
                    extensions = new java.util.HashSet<>();
                }
                if (!extensions.add(name)) {
                    throw duplicate(name);
                }
            }
            JsonToken v = p.nextToken();
            if ("data".equals(name)) {
                if (v == JsonToken.START_OBJECT) {
                    data = p.readValueAsTree();
                } else if (v != JsonToken.VALUE_NULL) {
                    dataNotObject = true;
                    p.skipChildren();
                }
                continue;
            }
            boolean known = switch (name) {
                case "specversion", "id", "source", "type", "subject", "time" -> true;
                default -> false;
            };
            if (!known) {
                p.skipChildren();
                continue;
            }
            if (v == JsonToken.VALUE_NULL) {
                continue;
            }
            if (v != JsonToken.VALUE_STRING) {
                p.skipChildren();
                invalidAttribute = name;
                continue;
            }
            String text = p.getText();
            switch (name) {
                case "specversion" -> specversion = text;
                case "id" -> id = text;
                case "source" -> source = text;
                case "type" -> type = text;
                case "subject" -> subject = text;
                default -> time = text;
            }
        }
        long size = p.currentLocation().getByteOffset() - start;
        Optional<String> oid = Optional.ofNullable(id);
        Optional<String> osource = Optional.ofNullable(source);
        RejectionReason reason = null;
        String detail = null;
        if (size > limits.maxEventBytes()) {
            reason = RejectionReason.EVENT_TOO_LARGE;
            detail = "the event is " + size + " bytes; the limit is " + limits.maxEventBytes();
        } else if (invalidAttribute != null) {
            reason = RejectionReason.INVALID_ATTRIBUTE;
            detail = "'" + invalidAttribute + "' must be a string";
        } else if (hasNul(id) || hasNul(source) || hasNul(type) || hasNul(subject)) {
            reason = RejectionReason.INVALID_ATTRIBUTE;
            detail = "id, source, type and subject must not contain the NUL character";
        } else if (!unicode(id) || !unicode(source) || !unicode(type) || !unicode(subject)) {
            reason = RejectionReason.INVALID_ATTRIBUTE;
            detail = "id, source, type and subject " + TextInput.NOT_UNICODE;
        } else if (blank(id)) {
            reason = RejectionReason.MISSING_ID;
        } else if (blank(source)) {
            reason = RejectionReason.MISSING_SOURCE;
        } else if (!"1.0".equals(specversion)) {
            reason = RejectionReason.BAD_SPECVERSION;
        } else if (blank(type)) {
            reason = RejectionReason.MISSING_TYPE;
        } else if (blank(subject)) {
            reason = RejectionReason.MISSING_SUBJECT;
        } else if (dataNotObject) {
            reason = RejectionReason.DATA_NOT_OBJECT;
        }
        if (reason != null) {
            return new EventOutcome.Rejected(oid, osource, reason, detail == null ? reason.description() : detail);
        }
        Instant at = receivedAt;
        if (time != null) {
            try {
                at = Rfc3339.parse(time);
            } catch (DateTimeException e) {
                return new EventOutcome.Rejected(oid, osource, RejectionReason.BAD_TIME, "'time' " + e.getMessage());
            }
        }
        if (at.isAfter(receivedAt.plus(limits.futureTolerance()))) {
            return new EventOutcome.Rejected(oid, osource, RejectionReason.TIME_IN_FUTURE, RejectionReason.TIME_IN_FUTURE.description());
        }
        if (at.isBefore(receivedAt.minus(limits.backdatingWindow()))) {
            return new EventOutcome.Rejected(oid, osource, RejectionReason.TOO_OLD,
                    "'time' is older than the backdating window of " + limits.backdatingWindow().toDays() + " days");
        }
        if (data == null) {
            data = mapper.createObjectNode();
        }
        return new EventOutcome.Parsed(new UsageEvent(source, id, type, subject, at, data));
    }

    /** A bit per attribute Tally reads (to find one given twice without a set per event); 0 for any other. */
    private static int attributeBit(String name) {
        return switch (name) {
            case "specversion" -> 1;
            case "id" -> 2;
            case "source" -> 4;
            case "type" -> 8;
            case "subject" -> 16;
            case "time" -> 32;
            case "data" -> 64;
            case "datacontenttype" -> 128;
            case "dataschema" -> 256;
            default -> 0;
        };
    }

    /** A key given twice in one event: the body is not one unambiguous JSON document, so it fails whole. */
    private static MalformedBodyException duplicate(String name) {
        return new MalformedBodyException("the body has a key twice in one object: an event gives '" + name + "' twice");
    }

    private static boolean unicode(String s) {
        return s == null || TextInput.isValidUnicode(s);
    }

    private static boolean hasNul(String s) {
        return s != null && s.indexOf('\u0000') >= 0;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
