/**
 * Invoices for people: one XHTML template (Mustache) rendered from the API's JSON shapes into a self-contained HTML
 * page, and the same page laid out as an A4 PDF by openhtmltopdf on PDFBox with an embedded font. What is shown (the
 * seller, the customer, the lines, the totals) is decided once, in {@code InvoiceView}: numbers rounded for display
 * by {@link dev.tally.core.money.DisplayPrecision}, labels, dates and numbers in the customer's language
 * ({@code Labels}), addresses in the country's order ({@code AddressFormat}).
 */
package dev.tally.server.documents;
