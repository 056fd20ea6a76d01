package dev.tally.engine.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where webhooks may go (server-side request forgery rules): absolute http or https URLs without credentials,
 * whose host resolves only to public addresses: never an address of one of this server's own network
 * interfaces, private (10/8, 172.16/12, 192.168/16, fc00::/7), loopback, link-local (169.254/16, fe80::/10),
 * unspecified, multicast, shared (100.64/10), broadcast, reserved, documentation (the RFC 5737 TEST-NETs,
 * 2001:db8::/32), the 6to4 relay anycast 192.88.99/24, Teredo (2001::/32), or a 6to4 (2002::/16),
 * IPv4-mapped, IPv4-compatible or NAT64 address whose embedded IPv4 address is refused, unless private
 * addresses are allowed by configuration. Checked when an endpoint is created and again before every attempt,
 * because DNS answers (and interfaces) change.
 */
final class Destinations {
    private static final Logger LOG = LoggerFactory.getLogger(Destinations.class);

    /** Name resolution (a seam for tests). */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /** The addresses of this host's network interfaces, read anew at every check (a seam for tests). */
    @FunctionalInterface
    interface LocalAddresses {
        Set<InetAddress> get();
    }

    static final int MAX_URL_LENGTH = 2048;

    private final boolean allowPrivate;
    private final Resolver resolver;
    private final LocalAddresses local;

    Destinations(boolean allowPrivate, Resolver resolver) {
        this(allowPrivate, resolver, Destinations::interfaceAddresses);
    }

    Destinations(boolean allowPrivate, Resolver resolver, LocalAddresses local) {
        this.allowPrivate = allowPrivate;
        this.resolver = resolver;
        this.local = local;
    }

    /** Every address of every network interface of this host (up or down), without IPv6 scope ids. */
    static Set<InetAddress> interfaceAddresses() {
        Set<InetAddress> out = new HashSet<>();
        try {
            Enumeration<NetworkInterface> interfaces = NetworkInterface.getNetworkInterfaces();
            while (interfaces != null && interfaces.hasMoreElements()) {
                for (InetAddress a : Collections.list(interfaces.nextElement().getInetAddresses())) {
                    out.add(withoutScope(a));
                }
            }
        } catch (SocketException e) {
            LOG.warn("cannot list this host's network interfaces; their addresses are checked as ranges only", e);
        }
        return out;
    }

    private static InetAddress withoutScope(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress());
        } catch (UnknownHostException e) {
            return a;
        }
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
        Set<InetAddress> own = local.get();
        for (InetAddress a : addresses) {
            Optional<String> kind = forbidden(a, own);
            if (kind.isPresent()) {
                return Optional.of("the host " + uri.getHost() + " resolves to a " + kind.get() + " address ("
                        + a.getHostAddress() + "); webhooks go to public addresses only");
            }
        }
        return Optional.empty();
    }

    /** The kind of a non-public address, or empty for a public one (by range only). */
    static Optional<String> forbidden(InetAddress a) {
        return forbidden(a, Set.of());
    }

    /** The kind of a non-public address, or empty for a public one; {@code own} are this host's addresses. */
    static Optional<String> forbidden(InetAddress a, Set<InetAddress> own) {
        Optional<String> range = forbiddenRange(a, own);
        if (range.isEmpty() && own.contains(withoutScope(a))) {
            return Optional.of("local interface (this server's own)");
        }
        return range;
    }

    private static Optional<String> forbiddenRange(InetAddress a, Set<InetAddress> own) {
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
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            int b2 = b[2] & 0xff;
            int b3 = b[3] & 0xff;
            if ((b0 & 0xfe) == 0xfc) {
                return Optional.of("private");
            }
            if (b0 == 0x20 && b1 == 0x01 && b2 == 0x00 && b3 == 0x00) {
                return Optional.of("Teredo tunnel (2001::/32)");
            }
            if (b0 == 0x20 && b1 == 0x01 && b2 == 0x0d && b3 == 0xb8) {
                return Optional.of("documentation (2001:db8::/32)");
            }
            if (b0 == 0x20 && b1 == 0x02) {
                // 6to4: 2002:WWXX:YYZZ::/48 routes to the IPv4 address W.X.Y.Z
                Optional<String> inner = embedded(new byte[] {b[2], b[3], b[4], b[5]}, own);
                return inner.map(k -> "6to4 (2002::/16) embedding a " + k + " IPv4 address");
            }
            // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) addresses carry an IPv4 address
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            boolean nat64 = b0 == 0x00 && b1 == 0x64 && b2 == 0xff && b3 == 0x9b;
            for (int i = 4; nat64 && i < 12; i++) {
                nat64 = b[i] == 0;
            }
            if (compatible || nat64) {
                return embedded(new byte[] {b[12], b[13], b[14], b[15]}, own);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> embedded(byte[] v4, Set<InetAddress> own) {
        try {
            return forbidden(InetAddress.getByAddress(v4), own);
        } catch (UnknownHostException e) {
            return Optional.of("unusable");
        }
    }

    private static Optional<String> forbiddenV4(byte[] b) {
        int b0 = b[0] & 0xff;
        int b1 = b[1] & 0xff;
        int b2 = b[2] & 0xff;
        if (b0 == 0) {
            return Optional.of("unspecified");
        }
        if (b0 == 100 && (b1 & 0xc0) == 64) {
            return Optional.of("shared (carrier-grade NAT)");
        }
        if (b0 == 192 && b1 == 0 && b2 == 0) {
            return Optional.of("reserved");
        }
        if (b0 == 192 && b1 == 0 && b2 == 2 || b0 == 198 && b1 == 51 && b2 == 100 || b0 == 203 && b1 == 0 && b2 == 113) {
            return Optional.of("documentation (TEST-NET)");
        }
        if (b0 == 192 && b1 == 88 && b2 == 99) {
            return Optional.of("6to4 relay anycast (192.88.99/24)");
        }
        if (b0 == 198 && (b1 == 18 || b1 == 19)) {
            return Optional.of("reserved");
        }
        if (b0 >= 240) {
            return Optional.of(b0 == 255 && b1 == 255 && b2 == 255 && (b[3] & 0xff) == 255
                    ? "broadcast" : "reserved");
        }
        return Optional.empty();
    }
}
