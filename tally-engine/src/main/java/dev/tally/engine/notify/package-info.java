/**
 * Notifications: the transactional outbox every change writes its webhook
 * messages to (in the same transaction as the change, so none is lost or
 * invented), and their delivery to tenants' webhook endpoints.
 */
package dev.tally.engine.notify;
