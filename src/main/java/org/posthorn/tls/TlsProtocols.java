package org.posthorn.tls;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Postfix's TLS protocol lists ({@code smtpd_tls_protocols}, {@code smtp_tls_mandatory_protocols},
 * ...) turned into the JSSE protocol names to enable.
 *
 * <p>Syntax as Postfix 3.6+ takes it: names separated by commas, spaces or colons; {@code !NAME}
 * excludes a protocol; plain names, when any, enable only those; {@code >=NAME} and
 * {@code <=NAME} bound the range. SSLv2 and SSLv3 are accepted and mean nothing here (JSSE
 * has neither). An empty list enables every protocol JSSE offers.
 */
public final class TlsProtocols {
    /** The protocols Postfix knows, oldest first; JSSE has all but the SSL ones. */
    private static final List<String> KNOWN = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    private static final Set<String> JSSE = Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private TlsProtocols() {
    }

    /**
     * The JSSE protocol names the list enables, oldest first.
     *
     * @throws IllegalArgumentException naming the parameter for an unknown protocol or bad bound
     */
    public static List<String> enabled(String parameter, String value) {
        Set<String> included = new LinkedHashSet<>();
        Set<String> excluded = new LinkedHashSet<>();
        int min = 0;
        int max = KNOWN.size() - 1;
        for (String token : value.split("[,:\\s]+")) {
            if (token.isEmpty()) continue;
            if (token.startsWith(">=")) {
                min = Math.max(min, index(parameter, value, token.substring(2)));
            } else if (token.startsWith("<=")) {
                max = Math.min(max, index(parameter, value, token.substring(2)));
            } else if (token.startsWith("!")) {
                excluded.add(KNOWN.get(index(parameter, value, token.substring(1))));
            } else {
                included.add(KNOWN.get(index(parameter, value, token)));
            }
        }
        List<String> out = new ArrayList<>();
        for (int i = min; i <= max; i++) {
            String p = KNOWN.get(i);
            if (!JSSE.contains(p) || excluded.contains(p)) continue;
            if (!included.isEmpty() && !included.contains(p)) continue;
            out.add(p);
        }
        return out;
    }

    private static int index(String parameter, String value, String name) {
        for (int i = 0; i < KNOWN.size(); i++) {
            if (KNOWN.get(i).equalsIgnoreCase(name)) return i;
        }
        throw new IllegalArgumentException("Invalid TLS protocol list \"" + value.strip() + "\" in " + parameter
                + ": unknown protocol \"" + name + "\"");
    }
}
