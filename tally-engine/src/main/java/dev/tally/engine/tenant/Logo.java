package dev.tally.engine.tenant;

import dev.tally.core.validation.ValidationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A seller's logo: a PNG or an SVG image of at most {@value #MAX_BYTES} bytes, given and returned as a
 * {@code data:} URI ({@code data:image/png;base64,...}). Guarantees: the bytes are what the media type says (a PNG
 * starts with the PNG signature and an IHDR chunk; an SVG parses as XML whose root is an {@code svg} element of the
 * SVG namespace), and an SVG is inert: no DOCTYPE or entities, no {@code script} or {@code foreignObject} element,
 * no event-handler ({@code on...}) attribute, no reference outside the image ({@code href} only to {@code #ids} or
 * embedded PNG/JPEG data, no {@code @import}, {@code url(...)} only to {@code #ids}). An SVG that is not is refused,
 * not rewritten.
 */
public record Logo(String mediaType, byte[] bytes) {
    /** The largest logo accepted, in bytes (256 KiB). */
    public static final int MAX_BYTES = 256 * 1024;
    public static final String PNG = "image/png";
    public static final String SVG = "image/svg+xml";
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final Pattern DATA_URI = Pattern.compile("data:([a-zA-Z0-9.+/-]+);base64,(.*)", Pattern.DOTALL);
    private static final String SVG_NS = "http://www.w3.org/2000/svg";
    private static final Pattern CSS_URL = Pattern.compile("url\\(\\s*['\"]?\\s*([^)'\"\\s]*)", Pattern.CASE_INSENSITIVE);

    public Logo {
        Objects.requireNonNull(mediaType, "mediaType");
        bytes = bytes.clone();
        String problem = problem(mediaType, bytes);
        if (problem != null) {
            throw new ValidationException("logo", problem);
        }
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The logo as a {@code data:} URI, as the API returns it and documents embed it. */
    public String dataUri() {
        return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * Reads a logo from a {@code data:} URI.
     *
     * @throws ValidationException (field {@code logo}) naming what is wrong
     */
    public static Logo fromDataUri(String uri) {
        Matcher m = DATA_URI.matcher(uri.strip());
        if (!m.matches()) {
            throw new ValidationException("logo",
                    "must be a data URI like \"data:image/png;base64,iVBORw0...\" (PNG or SVG)");
        }
        String type = m.group(1).toLowerCase(Locale.ROOT);
        if (!type.equals(PNG) && !type.equals(SVG)) {
            throw new ValidationException("logo", "must be a PNG (image/png) or an SVG (image/svg+xml), got " + type);
        }
        String data = m.group(2).replaceAll("\\s", "");
        if ((long) data.length() * 3 / 4 > MAX_BYTES + 3) {
            throw new ValidationException("logo", "must be at most " + MAX_BYTES / 1024 + " KiB");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("logo", "is not valid base64");
        }
        return new Logo(type, bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Logo l && l.mediaType.equals(mediaType) && Arrays.equals(l.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return mediaType.hashCode() * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Logo[" + mediaType + ", " + bytes.length + " bytes]";
    }

    private static String problem(String mediaType, byte[] bytes) {
        if (bytes.length == 0) {
            return "is empty";
        }
        if (bytes.length > MAX_BYTES) {
            return "must be at most " + MAX_BYTES / 1024 + " KiB, got " + (bytes.length + 1023) / 1024 + " KiB";
        }
        return switch (mediaType) {
            case PNG -> isPng(bytes) ? null : "is not a PNG image (its bytes do not start with the PNG signature)";
            case SVG -> svgProblem(bytes);
            default -> "must be a PNG (image/png) or an SVG (image/svg+xml)";
        };
    }

    private static boolean isPng(byte[] b) {
        return b.length > 33 && Arrays.equals(b, 0, 8, PNG_SIGNATURE, 0, 8)
                && b[12] == 'I' && b[13] == 'H' && b[14] == 'D' && b[15] == 'R';
    }

    private static String svgProblem(byte[] bytes) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new ByteArrayInputStream(bytes));
        } catch (SAXException | IOException e) {
            return "is not an SVG image (not well-formed XML, or it has a DOCTYPE)";
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the XML parser cannot be configured securely", e);
        }
        Element root = doc.getDocumentElement();
        if (!"svg".equals(root.getLocalName()) || !SVG_NS.equals(root.getNamespaceURI())) {
            return "is not an SVG image (its root element is not <svg xmlns=\"" + SVG_NS + "\">)";
        }
        return inertProblem(root);
    }

    private static String inertProblem(Element e) {
        String name = e.getLocalName() == null ? e.getTagName() : e.getLocalName();
        if (name.equalsIgnoreCase("script") || name.equalsIgnoreCase("foreignObject")) {
            return "is an SVG with a <" + name + "> element, which is refused (no scripts or embedded HTML)";
        }
        if (name.equalsIgnoreCase("style") && cssProblem(e.getTextContent())) {
            return "is an SVG whose style refers outside the image (@import or url(...) to another resource)";
        }
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr a = (Attr) attrs.item(i);
            String an = (a.getLocalName() == null ? a.getName() : a.getLocalName()).toLowerCase(Locale.ROOT);
            String v = a.getValue().strip();
            if (an.startsWith("on")) {
                return "is an SVG with an event-handler attribute (" + a.getName() + "), which is refused";
            }
            if (an.equals("href") && !v.startsWith("#") && !v.startsWith("data:image/png;")
                    && !v.startsWith("data:image/jpeg;")) {
                return "is an SVG that links outside the image (" + a.getName() + "), which is refused";
            }
            if (an.equals("style") && cssProblem(v) || !an.equals("href") && CSS_URL.matcher(v).find() && cssProblem(v)) {
                return "is an SVG whose style refers outside the image (url(...) to another resource)";
            }
        }
        NodeList children = e.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            Node n = children.item(i);
            if (n instanceof Element child) {
                String p = inertProblem(child);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    private static boolean cssProblem(String css) {
        if (css.toLowerCase(Locale.ROOT).contains("@import") || css.toLowerCase(Locale.ROOT).contains("expression(")) {
            return true;
        }
        Matcher m = CSS_URL.matcher(css);
        while (m.find()) {
            if (!m.group(1).startsWith("#")) {
                return true;
            }
        }
        return false;
    }
}
