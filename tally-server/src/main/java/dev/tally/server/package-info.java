/**
 * The HTTP server: the REST API under {@code /v1} (bearer-key auth, JSON in
 * snake_case, RFC 9457 problem details for every error), health and
 * Prometheus metrics, over the JDK's built-in HTTP server. Handlers translate
 * HTTP to engine calls and back; they hold no business rules.
 */
package dev.tally.server;
