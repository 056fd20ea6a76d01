package dev.tally.engine.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may go (server-side request forgery rules): absolute http or https URLs without credentials,
 * whose host resolves only to public addresses: never private (10/8, 172.16/12, 192.168/16, fc00::/7),
 * loopback, link-local (169.254/16, fe80::/10), unspecified, multicast, shared (100.64/10), broadcast or
 * reserved ones, unless private addresses are allowed by configuration. Checked when an endpoint is created
 * and again before every attempt, because DNS answers change.
 */
final class Destinations {
    /** Name resolution (a seam for tests). */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;
    private final Resolver resolver;

    Destinations(boolean allowPrivate, Resolver resolver) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
    }

    /** The URL as a URI, or an explanation of why it is not an acceptable webhook URL (syntax only). */
    static URI parse(String url) {
        if (url.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("must be at most " + MAX_URL_LENGTH + " characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new IllegalArgumentException("must be an absolute http or https URL");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("must not carry credentials; verify the signature instead");
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("must not have a fragment");
        }
        return uri;
    }

    /** Why a request to this URI must not be sent, or empty when it may be. */
    Optional<String> refusal(URI uri) {
        if (allowPrivate) {
            return Optional.empty();
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(uri.getHost());
        } catch (UnknownHostException e) {
            return Optional.of("the host " + uri.getHost() + " does not resolve");
        }
        if (addresses.length == 0) {
            return Optional.of("the host " + uri.getHost() + " does not resolve");
        }
        for (InetAddress a : addresses) {
            Optional<String> kind = forbidden(a);
            if (kind.isPresent()) {
                return Optional.of("the host " + uri.getHost() + " resolves to a " + kind.get() + " address ("
                        + a.getHostAddress() + "); webhooks go to public addresses only");
            }
        }
        return Optional.empty();
    }

    /** The kind of a non-public address, or empty for a public one. */
    static Optional<String> forbidden(InetAddress a) {
        if (a.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("private");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            return forbiddenV4(b);
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return Optional.of("private");
            }
            // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            boolean nat64 = (b[0] & 0xff) == 0x00 && (b[1] & 0xff) == 0x64 && (b[2] & 0xff) == 0xff
                    && (b[3] & 0xff) == 0x9b;
            for (int i = 4; nat64 && i < 12; i++) {
                nat64 = b[i] == 0;
            }
            if (compatible || nat64) {
                byte[] v4 = {b[12], b[13], b[14], b[15]};
                try {
                    Optional<String> inner = forbidden(InetAddress.getByAddress(v4));
                    if (inner.isPresent()) {
                        return inner;
                    }
                } catch (UnknownHostException e) {
                    return Optional.of("unusable");
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> forbiddenV4(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        if (b0 == 0) {
            return Optional.of("unspecified");
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return Optional.of("shared (carrier-grade NAT)");
        }
        if (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) {
            return Optional.of("reserved");
        }
        if (b0 == 198 && (b1 == 18 || b1 == 19)) {
            return Optional.of("reserved");
        }
        if (b0 >= 240) {
            return Optional.of(b0 == 255 && b1 == 255 && (b[2] & 0xff) == 255 && (b[3] & 0xff) == 255
                    ? "broadcast" : "reserved");
        }
        return Optional.empty();
    }
}
