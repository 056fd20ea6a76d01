package dev.tally.server;

import dev.tally.core.validation.FieldViolation;
import java.util.List;

/** A request failed in a way the client can act on; becomes a problem+json response. */
final class HttpError extends RuntimeException {
    final int status;
    final String type;
    final String title;
    final List<FieldViolation> violations;

    HttpError(int status, String type, String title, String detail) {
        this(status, type, title, detail, List.of());
    }

    HttpError(int status, String type, String title, String detail, List<FieldViolation> violations) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.violations = violations;
    }

    static HttpError badRequest(String field, String message) {
        return new HttpError(400, "validation", "Invalid request", field + ": " + message,
                List.of(new FieldViolation(field, message)));
    }

    static HttpError notFound(String detail) {
        return new HttpError(404, "not-found", "Not found", detail);
    }
}
