/**
 * Tally's pure core: values and rules with no I/O (no HTTP, JDBC or Kafka),
 * shared by every store and transport. Enforced by an ArchUnit test.
 */
package dev.tally.core;
