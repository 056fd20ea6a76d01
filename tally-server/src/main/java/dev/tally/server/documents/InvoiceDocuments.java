package dev.tally.server.documents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.samskivert.mustache.Escapers;
import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders one invoice for people, from one template ({@code invoice.html.mustache} beside this class): a
 * self-contained HTML page for a browser (inline CSS, no scripts, no external requests, every text escaped) and the
 * same page as an A4 PDF with an embedded font. Inputs are the API's JSON shapes: the invoice
 * ({@code GET /v1/invoices/{id}}), its customer (may be null) and the seller's settings ({@code GET /v1/tenant}, may
 * be null; its {@code name} is shown when no {@code legal_name} is set). What is shown is described in
 * {@code InvoiceView}; neither output ever shows an API path. Both methods throw {@link IllegalArgumentException}
 * when the invoice is not an object or a number, date or amount in it is malformed (the message names the field,
 * e.g. {@code lines[2].amount}).
 */
public final class InvoiceDocuments {
    private static final Template TEMPLATE = load();

    private InvoiceDocuments() {
    }

    /** The HTML page of the invoice. */
    public static String html(JsonNode invoice, JsonNode customer, JsonNode seller) {
        return TEMPLATE.execute(InvoiceView.model(invoice, customer, seller, s -> true, InvoiceDocuments::xmlText));
    }

    /** The PDF of the invoice: A4, as many pages as its lines need, the table header on each. */
    public static byte[] pdf(JsonNode invoice, JsonNode customer, JsonNode seller) {
        Map<String, Object> model = InvoiceView.model(invoice, customer, seller, PdfOutput::canDraw,
                s -> PdfOutput.clean(xmlText(s)));
        return PdfOutput.render(TEMPLATE.execute(model), (String) model.get("documentTitle"),
                (String) model.get("sellerName"));
    }

    /** The seller's settings when only its name is known. */
    public static JsonNode sellerNamed(String name) {
        return JsonNodeFactory.instance.objectNode().put("name", name == null ? "" : name);
    }

    /** Text that XML 1.0 can hold: control characters (other than tab and line breaks) become spaces. */
    static String xmlText(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                    || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
            if (!allowed || (cp >= 0x7F && cp <= 0x9F)) {
                b.append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }

    private static Template load() {
        try (InputStream in = InvoiceDocuments.class.getResourceAsStream("invoice.html.mustache");
                Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            return Mustache.compiler()
                    .withEscaper(Escapers.simple(new String[][] {
                        {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}}))
                    .emptyStringIsFalse(true)
                    .defaultValue("")
                    .compile(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the invoice template", e);
        }
    }
}
