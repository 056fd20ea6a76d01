package dev.tally.server;

import com.fasterxml.jackson.databind.JsonNode;

/** Placeholder until the renderer lands (replaced by the real one). */
final class InvoiceDocuments {
    private InvoiceDocuments() {
    }

    static String html(JsonNode invoice, JsonNode customer, String tenantName) {
        return "<pre>" + invoice.toString().replace("&", "&amp;").replace("<", "&lt;") + "</pre>";
    }

    static byte[] pdf(JsonNode invoice, JsonNode customer, String tenantName) {
        throw new HttpError(406, "not-acceptable", "Not acceptable", "PDF rendering is not available yet");
    }
}
