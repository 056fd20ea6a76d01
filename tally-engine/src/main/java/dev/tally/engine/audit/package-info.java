/**
 * The audit trail: an append-only, tenant-scoped record of every change to configuration and money (who, what,
 * when, the change as an RFC 6902 JSON Patch with secrets redacted, and the request id). {@link
 * dev.tally.engine.audit.AuditLog} is the facade: it appends, pages with filters and prunes by retention only;
 * nothing in it updates a record, and the database refuses an UPDATE of the table.
 */
package dev.tally.engine.audit;
