package org.posthorn.table;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * cidr_table(5): "[!]network[/prefix] result" rules tried in file order, first match wins,
 * with "if [!]pattern" ... "endif" blocks (Postfix 3.2). Bad rules are skipped with Postfix's
 * warnings. Keys are IP address strings; anything else matches nothing.
 */
final class CidrTable implements Table {
    /** One rule: a network, its prefix length, negation; a result, or a nested block for "if". */
    private record Rule(byte[] net, int prefix, boolean negate, String result, List<Rule> block) {
        boolean matches(byte[] addr) {
            // a rule never matches an address of the other family, negated or not
            return addr.length == net.length && inPrefix(addr) != negate;
        }

        private boolean inPrefix(byte[] addr) {
            int full = prefix / 8;
            for (int i = 0; i < full; i++) if (addr[i] != net[i]) return false;
            int rest = prefix % 8;
            if (rest == 0) return true;
            int mask = 0xff << (8 - rest) & 0xff;
            return (addr[full] & mask) == (net[full] & mask);
        }
    }

    private final String name;
    private final List<Rule> rules;

    private CidrTable(String name, List<Rule> rules) {
        this.name = name;
        this.rules = rules;
    }

    /** Parses rules; {@code mapName} is how warnings name the table ("cidr map FILE, line N: ..."). */
    static CidrTable parse(String name, String mapName, List<SourceLines.Line> lines, Consumer<String> warn) {
        List<List<Rule>> stack = new ArrayList<>();
        List<Integer> ifLines = new ArrayList<>();
        List<Rule> top = new ArrayList<>();
        List<Rule> cur = top;
        for (SourceLines.Line line : lines) {
            String where = "cidr map " + mapName + ", line " + line.number() + ": ";
            String text = line.text();
            String word = firstWord(text);
            if (word.equalsIgnoreCase("endif")) {
                if (stack.isEmpty()) {
                    warn.accept(where + "ENDIF without IF: skipping this rule");
                } else {
                    cur = stack.removeLast();
                    ifLines.removeLast();
                }
                continue;
            }
            boolean isIf = word.equalsIgnoreCase("if");
            String rest = isIf ? text.substring(2).strip() : text;
            boolean negate = false;
            while (rest.startsWith("!")) {
                negate = !negate;
                rest = rest.substring(1).stripLeading();
            }
            if (rest.isEmpty()) {
                warn.accept(where + "no address pattern: skipping this rule");
                continue;
            }
            String pattern;
            String result;
            if (isIf) {
                pattern = rest;
                result = null;
            } else {
                pattern = firstWord(rest);
                result = rest.substring(pattern.length()).strip();
            }
            Rule parsed;
            try {
                parsed = pattern(pattern, negate, result);
            } catch (IllegalArgumentException e) {
                warn.accept(where + e.getMessage() + ": skipping this rule");
                continue;
            }
            if (isIf) {
                Rule block = new Rule(parsed.net, parsed.prefix, negate, null, new ArrayList<>());
                cur.add(block);
                stack.add(cur);
                ifLines.add(line.number());
                cur = block.block;
            } else if (result.isEmpty()) {
                warn.accept(where + "no lookup result: skipping this rule");
            } else {
                cur.add(parsed);
            }
        }
        if (!ifLines.isEmpty()) {
            warn.accept("cidr map " + mapName + ", line " + ifLines.getLast() + ": IF has no matching ENDIF");
        }
        return new CidrTable(name, top);
    }

    private static String firstWord(String s) {
        int i = 0;
        while (i < s.length() && !SourceLines.isSpace(s.charAt(i))) i++;
        return s.substring(0, i);
    }

    private static Rule pattern(String pattern, boolean negate, String result) {
        String p = pattern;
        int slash = p.indexOf('/');
        if (slash < 0) {
            byte[] addr = IpAddress.parse(unbracket(p));
            if (addr == null) throw new IllegalArgumentException("bad address pattern: \"" + pattern + "\"");
            return new Rule(addr, addr.length * 8, negate, result, null);
        }
        String netText = unbracket(p.substring(0, slash));
        String maskText = p.substring(slash + 1);
        byte[] net = netText.isEmpty() ? null : IpAddress.parse(netText);
        if (net == null) throw new IllegalArgumentException("bad network value in \"" + pattern + "\"");
        if (maskText.isEmpty() || !maskText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad mask value in \"" + pattern + "\"");
        }
        int prefix = maskText.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(maskText);
        if (prefix > net.length * 8) throw new IllegalArgumentException("bad mask length in \"" + pattern + "\"");
        byte[] masked = net.clone();
        for (int bit = prefix; bit < masked.length * 8; bit++) masked[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
        if (!java.util.Arrays.equals(masked, net)) {
            throw new IllegalArgumentException("non-null host address bits in \"" + pattern + "\", perhaps you should use \""
                    + IpAddress.format(masked) + "/" + prefix + "\" instead");
        }
        return new Rule(net, prefix, negate, result, null);
    }

    private static String unbracket(String s) {
        return s.length() >= 2 && s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fixedKeys() {
        return false;
    }

    @Override
    public String lookup(String key) {
        byte[] addr = IpAddress.parse(key);
        return addr == null ? null : search(rules, addr);
    }

    private static String search(List<Rule> rules, byte[] addr) {
        for (Rule r : rules) {
            if (!r.matches(addr)) continue;
            if (r.block == null) return r.result;
            String inner = search(r.block, addr);
            if (inner != null) return inner;
        }
        return null;
    }
}
