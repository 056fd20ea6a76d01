/**
 * The HTTP server: the REST API under {@code /v1} (bearer-key auth, JSON in
 * snake_case, RFC 9457 problem details for every error), health and
 * Prometheus metrics, over Jetty's core HTTP/1.1 listener ({@code HttpListener}),
 * which handlers see through the JDK's {@code HttpExchange} API. Each route
 * declares the query parameters it accepts. Handlers translate HTTP to engine
 * calls and back; they hold no business rules.
 */
package dev.tally.server;
