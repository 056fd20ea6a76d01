/**
 * Anomaly and fraud detection: baselines of each customer × meter's hourly event rate learned from the usage
 * store's hourly history (median and MAD of the same hour of the week, falling back to the same hour of the day),
 * and per-source and per-key counters that ingest bumps in O(1) per event, evaluated on a thread of their own, by
 * the injected clock, into incidents: usage spikes, stops, duplicate and rejected-event storms, new sources and
 * skewed timestamps in bulk, and an API key sending for many customers it never sent for. {@link
 * dev.tally.engine.anomaly.Anomalies} is the facade; an incident is raised once (an open window refreshed while it
 * lasts), becomes an {@code anomaly} record and a {@code usage.anomaly_detected} webhook in one transaction, and, by
 * the tenant's policy, holds the customer's invoices in draft or cuts its entitlements until it is reviewed. See
 * docs/ANOMALIES.md.
 */
package dev.tally.engine.anomaly;
