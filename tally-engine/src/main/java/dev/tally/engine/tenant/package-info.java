/**
 * A tenant's identity as a seller: the legal name, address, tax id, contact, logo, footer, payment instructions,
 * default payment terms, invoice language and invoice-number prefix that its invoices show
 * ({@link dev.tally.engine.tenant.TenantSettings}), validated ({@link dev.tally.engine.tenant.TenantSettingsJson},
 * {@link dev.tally.engine.tenant.Logo}) and stored per tenant ({@link dev.tally.engine.tenant.TenantSettingsStore}).
 */
package dev.tally.engine.tenant;
