package dev.tally.server;

import dev.tally.engine.Engine;
import dev.tally.engine.Principal;
import dev.tally.engine.access.RateLimiter;
import java.util.Optional;

/**
 * Bearer authentication, scope checks and per-key rate limits for {@code /v1}. API keys carry scopes
 * (ingest, read, admin — admin implies the others — and system for tenant management); a customer-portal
 * token reads only the {@code /v1/portal} routes, and those accept nothing else.
 */
final class Auth {
    static final String PORTAL = "portal";
    private final Engine engine;

    Auth(Engine engine) {
        this.engine = engine;
    }

    Principal authenticate(Request r, String scope) {
        String h = r.header("Authorization").orElseThrow(() -> unauthorized("send 'Authorization: Bearer <api key>'"));
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() <= 7) {
            throw unauthorized("send 'Authorization: Bearer <api key>'");
        }
        Principal p = engine.access().authenticate(h.substring(7).trim())
                .orElseThrow(() -> unauthorized("the API key is not valid (unknown, revoked or expired)"));
        boolean portalToken = p.customer().isPresent();
        if (scope.equals(PORTAL) != portalToken) {
            throw new HttpError(403, "forbidden", "Forbidden", portalToken
                    ? "a customer-portal token reads only the /v1/portal routes"
                    : "the /v1/portal routes take a customer-portal token");
        }
        if (!portalToken && !p.can(scope)) {
            throw new HttpError(403, "forbidden", "Forbidden", "this API key lacks the '" + scope + "' scope");
        }
        Optional<RateLimiter.Decision> d = engine.access().take(p);
        if (d.isPresent()) {
            RateLimiter.Decision decision = d.get();
            var headers = r.exchange.getResponseHeaders();
            headers.set("RateLimit-Limit", String.valueOf(decision.limit()));
            headers.set("RateLimit-Remaining", String.valueOf(decision.remaining()));
            headers.set("RateLimit-Reset", String.valueOf(decision.resetSeconds()));
            headers.set("RateLimit-Policy", decision.limit() + ";w=1;burst=" + decision.limit());
            if (!decision.allowed()) {
                headers.set("Retry-After", String.valueOf(decision.retryAfterSeconds()));
                throw new HttpError(429, "rate-limited", "Too many requests",
                        "this API key's rate limit is exhausted; nothing in this request was processed, retry after "
                                + decision.retryAfterSeconds() + " s");
            }
        }
        return p;
    }

    private static HttpError unauthorized(String detail) {
        return new HttpError(401, "unauthorized", "Unauthorized", detail);
    }
}
