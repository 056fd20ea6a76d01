package dev.tally.server;

import dev.tally.engine.Engine;
import dev.tally.engine.Principal;

/** Bearer-key authentication and scope checks for {@code /v1}. */
final class Auth {
    private final Engine engine;

    Auth(Engine engine) {
        this.engine = engine;
    }

    Principal authenticate(Request r, String scope) {
        String h = r.header("Authorization").orElseThrow(() -> unauthorized("send 'Authorization: Bearer <api key>'"));
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            throw unauthorized("send 'Authorization: Bearer <api key>'");
        }
        Principal p = engine.authenticate(h.substring(7).trim())
                .orElseThrow(() -> unauthorized("the API key is not valid"));
        if (!p.scopes().contains(scope) && !p.scopes().contains("admin")) {
            throw new HttpError(403, "forbidden", "Forbidden", "this API key lacks the '" + scope + "' scope");
        }
        return p;
    }

    private static HttpError unauthorized(String detail) {
        return new HttpError(401, "unauthorized", "Unauthorized", detail);
    }
}
