package org.posthorn.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InterfaceAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * The defaults Postfix computes from the running system rather than stores as text:
 * myhostname (the host name, plus ".$mydomain" when it has no dot), mydomain (myhostname
 * without its first label), mynetworks (from mynetworks_style, inet_interfaces and
 * inet_protocols), process_id, process_name and mail_version (Posthorn's own version).
 */
public final class SystemDefaults {
    private static volatile String processName = "postconf";
    private static volatile String hostName;

    private SystemDefaults() {
    }

    /** The program name reported as process_name (set by each command or daemon). */
    public static void setProcessName(String name) {
        processName = name;
    }

    /**
     * The computed default of name, given the rest of the configuration: explicit(n) is the
     * expanded value of parameter n when it is set explicitly (null otherwise), get(n) the
     * expanded value with defaults.
     */
    static String compute(String name, Function<String, String> explicit, Function<String, String> get) {
        return switch (name) {
            case "myhostname" -> myhostname(explicit.apply("mydomain"));
            case "mydomain" -> mydomain(get.apply("myhostname"));
            case "mynetworks" -> mynetworks(get.apply("mynetworks_style"), get.apply("inet_interfaces"),
                    get.apply("inet_protocols"));
            case "process_id" -> Long.toString(ProcessHandle.current().pid());
            case "process_name" -> processName;
            case "mail_version" -> Defaults.POSTHORN_VERSION;
            default -> throw new IllegalArgumentException("no computed default for " + name);
        };
    }

    static String myhostname(String mydomain) {
        String host = hostName();
        if (host.indexOf('.') >= 0) return host;
        return host + "." + (mydomain == null || mydomain.isEmpty() ? "localdomain" : mydomain);
    }

    static String mydomain(String myhostname) {
        int dot = myhostname.indexOf('.');
        return dot < 0 ? "localdomain" : myhostname.substring(dot + 1);
    }

    /** gethostname(2): the kernel's host name, without a DNS lookup. */
    private static String hostName() {
        String h = hostName;
        if (h != null) return h;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            h = "";
        }
        if (h.isEmpty()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                h = "localhost";
            }
        }
        hostName = h.toLowerCase(Locale.ROOT);
        return hostName;
    }

    /** The networks of the listening interfaces, IPv4 first, in Postfix's notation. */
    static String mynetworks(String style, String interfaces, String protocols) {
        String s = style.strip().toLowerCase(Locale.ROOT);
        if (!s.equals("host") && !s.equals("subnet") && !s.equals("class")) {
            throw new ParameterException("unknown mynetworks_style parameter value: " + style);
        }
        boolean v4 = wants(protocols, "ipv4");
        boolean v6 = wants(protocols, "ipv6");
        List<InterfaceAddress> addresses = listening(interfaces);
        Set<String> out = new LinkedHashSet<>();
        for (boolean ipv6 : new boolean[] {false, true}) {
            if (ipv6 ? !v6 : !v4) continue;
            for (InterfaceAddress ia : addresses) {
                InetAddress a = ia.getAddress();
                if ((a instanceof Inet6Address) != ipv6) continue;
                int prefix = switch (s) {
                    case "host" -> ipv6 ? 128 : 32;
                    case "class" -> ipv6 ? ia.getNetworkPrefixLength() : classPrefix(a);
                    default -> ia.getNetworkPrefixLength();
                };
                out.add(network(a, prefix));
            }
        }
        return String.join(" ", out);
    }

    private static boolean wants(String protocols, String which) {
        for (String p : Config.splitList(protocols.toLowerCase(Locale.ROOT))) {
            if (p.equals("all") || p.equals(which)) return true;
        }
        return false;
    }

    /** The addresses of inet_interfaces: all, loopback-only, or a list of addresses. */
    private static List<InterfaceAddress> listening(String interfaces) {
        List<InterfaceAddress> all = new ArrayList<>();
        try {
            List<NetworkInterface> ifs = new ArrayList<>(NetworkInterface.networkInterfaces().toList());
            ifs.sort(Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface ni : ifs) {
                if (!ni.isUp()) continue;
                // the kernel lists an interface's IPv6 addresses widest scope first (global before link-local)
                List<InterfaceAddress> mine = new ArrayList<>(ni.getInterfaceAddresses());
                mine.sort(Comparator.comparingInt(ia -> ia.getAddress().isLinkLocalAddress() ? 1 : 0));
                all.addAll(mine);
            }
        } catch (SocketException e) {
            throw new ParameterException("cannot list the network interfaces: " + e.getMessage());
        }
        List<String> wanted = Config.splitList(interfaces.toLowerCase(Locale.ROOT));
        if (wanted.contains("all")) return all;
        List<InterfaceAddress> out = new ArrayList<>();
        for (InterfaceAddress ia : all) {
            InetAddress a = ia.getAddress();
            for (String w : wanted) {
                if (w.equals("loopback-only") ? a.isLoopbackAddress() : sameAddress(w, a)) {
                    out.add(ia);
                    break;
                }
            }
        }
        return out;
    }

    private static boolean sameAddress(String text, InetAddress a) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (t.isEmpty() || !(Character.digit(t.charAt(0), 16) >= 0 || t.startsWith(":"))) return false;
        try {
            return InetAddress.ofLiteral(t).equals(a);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static int classPrefix(InetAddress a) {
        int first = a.getAddress()[0] & 0xff;
        return first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
    }

    /** "network/prefix", IPv6 in brackets and compressed as inet_ntop(3) does. */
    static String network(InetAddress a, int prefix) {
        byte[] b = a.getAddress();
        for (int bit = prefix; bit < b.length * 8; bit++) b[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        if (a instanceof Inet4Address) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff) + "/" + prefix;
        }
        return "[" + ipv6Text(b) + "]/" + prefix;
    }

    /** RFC 5952 text: lower-case hex, the longest run of two or more zero groups as "::". */
    static String ipv6Text(byte[] b) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) g[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
