package dev.tally.server.documents;

import static dev.tally.server.documents.InvoiceDocumentsTest.CUSTOMER;
import static dev.tally.server.documents.InvoiceDocumentsTest.SELLER;
import static dev.tally.server.documents.InvoiceDocumentsTest.USD_INVOICE;
import static dev.tally.server.documents.InvoiceDocumentsTest.json;
import static dev.tally.server.documents.InvoiceDocumentsTest.pdfText;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The customer's tax ids in the bill-to block of the PDF and HTML invoice, labelled in the invoice's language. */
class InvoiceTaxIdDocumentsTest {

    static ObjectNode customerWithTaxIds(String language) {
        ObjectNode c = json(CUSTOMER);
        if (language != null) {
            c.put("language", language);
        }
        ArrayNode ids = c.putArray("tax_ids");
        ids.addObject().put("type", "eu_vat").put("value", "DE123456789");
        ids.addObject().put("type", "us_ein").put("value", "12-3456789");
        ids.addObject().put("type", "other").put("value", "REG-42");
        return c;
    }

    @Test
    void pdfAndHtmlShowTheCustomersVatIdAndOtherTaxIdsInTheBillToBlock() {
        String pdf = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), customerWithTaxIds(null), SELLER));
        String html = InvoiceDocuments.html(json(USD_INVOICE), customerWithTaxIds(null), SELLER);

        for (String text : new String[] {pdf, html}) {
            assertThat(text).contains("VAT ID: DE123456789", "Tax ID (US EIN): 12-3456789", "Tax ID: REG-42");
        }
        // in the bill-to block: after the customer's name and id, before the invoice lines
        assertThat(pdf.indexOf("VAT ID: DE123456789")).isGreaterThan(pdf.indexOf("Customer ID: acme"))
                .isLessThan(pdf.indexOf("Platform fee"));
        int billTo = html.indexOf("Bill to");
        assertThat(billTo).isNotNegative();
        assertThat(html.indexOf("<p>VAT ID: DE123456789</p>")).isGreaterThan(billTo)
                .isLessThan(html.indexOf("Platform fee"));
    }

    @Test
    void theTaxIdLabelsAreInTheInvoicesLanguage() {
        String de = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), customerWithTaxIds("de"), SELLER));
        assertThat(de).contains("USt-IdNr.: DE123456789", "Steuernummer (US EIN): 12-3456789", "Steuernummer: REG-42");
        String fr = InvoiceDocuments.html(json(USD_INVOICE), customerWithTaxIds("fr"), SELLER);
        assertThat(fr).contains("N° TVA: DE123456789", "Identifiant fiscal (US EIN): 12-3456789");
    }

    @Test
    void aCustomerWithoutTaxIdsShowsNone() {
        String pdf = pdfText(InvoiceDocuments.pdf(json(USD_INVOICE), json(CUSTOMER), SELLER));
        String html = InvoiceDocuments.html(json(USD_INVOICE), json(CUSTOMER), SELLER);
        assertThat(pdf).doesNotContain("VAT ID", "Tax ID");
        assertThat(html).doesNotContain("VAT ID", "Tax ID");
    }
}
