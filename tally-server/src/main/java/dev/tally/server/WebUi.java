package dev.tally.server;

import com.sun.net.httpserver.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The operator dashboard ({@code GET /}), the customer portal ({@code GET /portal}) and their static files
 * ({@code GET /assets/{file}}), served from the classpath under {@code web/}: plain HTML, CSS and JavaScript
 * modules, no build step, nothing loaded from another origin. Every answer carries a strict
 * Content-Security-Policy (same origin only, no inline script or style), {@code nosniff}, no referrer and no
 * framing; files are revalidated by ETag. The pages need no key to load: they ask for one (the dashboard, kept in
 * sessionStorage) or read the portal token from the URL fragment, and send it as a bearer token to {@code /v1}.
 */
final class WebUi {
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";
    private static final Pattern FILE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "txt", "text/plain; charset=utf-8");

    private record Resource(byte[] bytes, String type, String etag) {
    }

    private final Map<String, Optional<Resource>> cache = new ConcurrentHashMap<>();

    void dashboard(Request r) throws IOException {
        serve(r, "index.html");
    }

    void portal(Request r) throws IOException {
        serve(r, "portal.html");
    }

    void asset(Request r) throws IOException {
        String file = r.path("file");
        if (!FILE.matcher(file).matches() || file.contains("..")) {
            throw HttpError.notFound("no asset '" + file.replaceAll("[^A-Za-z0-9_.-]", "?") + "'");
        }
        serve(r, "assets/" + file);
    }

    private void serve(Request r, String path) throws IOException {
        Resource res = cache.computeIfAbsent(path, WebUi::load)
                .orElseThrow(() -> HttpError.notFound("no such file: /" + path));
        Headers h = r.exchange.getResponseHeaders();
        h.set("Content-Security-Policy", CSP);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Referrer-Policy", "no-referrer");
        h.set("X-Frame-Options", "DENY");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cache-Control", "no-cache");
        h.set("ETag", res.etag());
        String inm = r.header("If-None-Match").orElse("");
        if (inm.contains(res.etag())) {
            r.exchange.sendResponseHeaders(304, -1);
            r.exchange.close();
            return;
        }
        Responses.send(r.exchange, 200, res.type(), res.bytes());
    }

    private static Optional<Resource> load(String path) {
        try (InputStream in = WebUi.class.getClassLoader().getResourceAsStream("web/" + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
            String type = TYPES.getOrDefault(ext, "application/octet-stream");
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            return Optional.of(new Resource(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
