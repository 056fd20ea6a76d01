/**
 * The {@code tally} command-line tool: {@code serve} runs the HTTP server,
 * {@code ingest} loads a JSON-lines file of CloudEvents with retries and a
 * progress bar, {@code bench} is the load generator for ingestion and usage
 * queries (against a URL or an embedded server), and {@code reconcile} asks the
 * server to prove that aggregates still match the raw events. Everything here
 * talks to the server only through its public HTTP API.
 */
package dev.tally.cli;
