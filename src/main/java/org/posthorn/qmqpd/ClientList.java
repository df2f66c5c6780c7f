package org.posthorn.qmqpd;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.table.Table;
import org.posthorn.table.TableException;
import org.posthorn.table.TableFactory;

/**
 * A client list as in qmqpd_authorized_clients (Postfix's namadr_list): addresses,
 * {@code net/bits}, {@code [addr]}, host names, domains ({@code .example.com}, or
 * {@code example.com} matching subdomains when the parameter is named in
 * parent_domain_matches_subdomains), {@code /file} names, {@code type:table} lookups, and
 * {@code !} to negate. The first matching pattern decides; none matching means no.
 */
final class ClientList {
    /** The outcome of a match: a table that could not answer is an error, not a no. */
    enum Match { YES, NO, ERROR }

    private final List<String> patterns;
    private final boolean parentMatches;
    private final Config config;

    private ClientList(List<String> patterns, boolean parentMatches, Config config) {
        this.patterns = patterns;
        this.parentMatches = parentMatches;
        this.config = config;
    }

    static ClientList of(Config config, String parameter) {
        boolean parent = config.getList("parent_domain_matches_subdomains").contains(parameter);
        return new ClientList(config.getList(parameter), parent, config);
    }

    Match match(String name, InetAddress address) {
        try {
            return matches(patterns, name.toLowerCase(Locale.ROOT), address, 0) ? Match.YES : Match.NO;
        } catch (TableException | IOException e) {
            return Match.ERROR;
        }
    }

    private boolean matches(List<String> items, String name, InetAddress address, int depth) throws TableException, IOException {
        for (String item : items) {
            boolean negate = false;
            while (item.startsWith("!")) {
                negate = !negate;
                item = item.substring(1);
            }
            if (item.isEmpty()) continue;
            boolean hit;
            if (item.startsWith("/")) {
                hit = depth < 10 && matches(readFile(item), name, address, depth + 1);
            } else if (item.indexOf(':') > 0 && !item.startsWith("[") && !looksLikeAddress(item.replaceFirst("/\\d+$", ""))) {
                hit = tableMatch(item, name, address);
            } else {
                hit = patternMatch(item.toLowerCase(Locale.ROOT), name, address);
            }
            if (hit) return !negate;
        }
        return false;
    }

    private boolean tableMatch(String spec, String name, InetAddress address) throws TableException {
        if (spec.startsWith("static:")) return true;
        try (Table t = TableFactory.open(spec, config)) {
            return t.lookup(name) != null || t.lookup(address.getHostAddress()) != null;
        }
    }

    private boolean patternMatch(String p, String name, InetAddress address) {
        String addr = p;
        int bits = -1;
        int slash = p.lastIndexOf('/');
        if (slash > 0) {
            try {
                bits = Integer.parseInt(p.substring(slash + 1));
            } catch (NumberFormatException e) {
                return false;
            }
            addr = p.substring(0, slash);
        }
        if (addr.startsWith("[") && addr.endsWith("]")) addr = addr.substring(1, addr.length() - 1);
        if (looksLikeAddress(addr)) return networkMatch(addr, bits, address);
        if (p.startsWith(".")) return name.endsWith(p);
        return name.equals(p) || (parentMatches && name.endsWith("." + p));
    }

    private static boolean networkMatch(String addr, int bits, InetAddress address) {
        byte[] net;
        try {
            net = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return false;
        }
        byte[] a = address.getAddress();
        if (net.length != a.length) return false;
        if (bits < 0 || bits > net.length * 8) bits = net.length * 8;
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((net[i / 8] & mask) != (a[i / 8] & mask)) return false;
        }
        return true;
    }

    private static boolean looksLikeAddress(String s) {
        if (s.isEmpty()) return false;
        for (char c : s.toCharArray()) {
            if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':')) return false;
        }
        return s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static List<String> readFile(String file) throws IOException {
        List<String> words = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            for (String w : s.split("[,\\s]+")) if (!w.isEmpty()) words.add(w);
        }
        return words;
    }
}
