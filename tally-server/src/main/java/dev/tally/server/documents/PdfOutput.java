package dev.tally.server.documents;

import com.openhtmltopdf.outputdevice.helper.BaseRendererBuilder;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import com.openhtmltopdf.util.XRLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.text.Normalizer;
import org.apache.fontbox.ttf.TTFParser;
import org.apache.fontbox.ttf.TrueTypeFont;
import org.apache.fontbox.ttf.CmapLookup;
import org.apache.pdfbox.io.RandomAccessReadBuffer;

/**
 * The PDF output: the invoice's XHTML laid out on A4 by openhtmltopdf (CSS paged media) on PDFBox, with one font
 * embedded (subset): Liberation Sans Regular, which PDFBox itself ships (SIL Open Font License) and which covers
 * Latin (with €, £, the Latin Extended-A letters of Central European names), Greek and Cyrillic. Text it has no glyph
 * for is replaced before layout ({@link #clean}): its compatibility decomposition when that is drawable ("ﬁ" to
 * "fi"), else '?', so a PDF never shows an empty box and always renders.
 */
final class PdfOutput {
    static final String FAMILY = "Tally Sans";
    private static final String FONT = "/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf";
    private static final byte[] FONT_BYTES;
    private static final CmapLookup GLYPHS;

    static {
        XRLog.setLoggingEnabled(false);
        try (InputStream in = PdfOutput.class.getResourceAsStream(FONT)) {
            if (in == null) {
                throw new IllegalStateException("PDFBox's Liberation Sans font is not on the class path: " + FONT);
            }
            FONT_BYTES = in.readAllBytes();
            TrueTypeFont ttf = new TTFParser().parse(new RandomAccessReadBuffer(FONT_BYTES));
            GLYPHS = ttf.getUnicodeCmapLookup();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the invoice font", e);
        }
    }

    private PdfOutput() {
    }

    static boolean canDraw(int codePoint) {
        return codePoint == ' ' || GLYPHS.getGlyphId(codePoint) > 0;
    }

    static boolean canDraw(String s) {
        return s.codePoints().allMatch(PdfOutput::canDraw);
    }

    /** The text as the PDF font can draw it (see the type's description); controls become spaces. */
    static String clean(String s) {
        if (s == null || s.isEmpty()) {
            return "";
        }
        String nfc = Normalizer.normalize(s, Normalizer.Form.NFC);
        StringBuilder b = new StringBuilder(nfc.length());
        nfc.codePoints().forEach(cp -> {
            int type = Character.getType(cp);
            if (Character.isISOControl(cp) || cp == '\u2028' || cp == '\u2029') {
                b.append(' ');
            } else if (type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                return;
            } else if (Character.isWhitespace(cp) && cp != ' ') {
                b.append(canDraw(cp) ? new String(Character.toChars(cp)) : " ");
            } else if (canDraw(cp)) {
                b.appendCodePoint(cp);
            } else {
                b.append(decomposed(cp));
            }
        });
        return b.toString();
    }

    private static String decomposed(int cp) {
        String d = Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFKD);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < d.length(); ) {
            int c = d.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
                continue;
            }
            if (!canDraw(c)) {
                return "?";
            }
            b.appendCodePoint(c);
        }
        return b.isEmpty() ? "?" : b.toString();
    }

    /** Lays the XHTML out as a PDF. */
    static byte[] render(String xhtml, String title, String author) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
        try {
            PdfRendererBuilder builder = new PdfRendererBuilder();
            builder.useFastMode();
            builder.usePdfUaAccessbility(false);
            builder.useSVGDrawer(new BatikSVGDrawer());
            for (int weight : new int[] {400, 700}) {
                builder.useFont(() -> new java.io.ByteArrayInputStream(FONT_BYTES), FAMILY, weight,
                        BaseRendererBuilder.FontStyle.NORMAL, true);
            }
            builder.withHtmlContent(xhtml, null);
            builder.toStream(out);
            builder.run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the invoice PDF", e);
        }
        return out.toByteArray();
    }
}
