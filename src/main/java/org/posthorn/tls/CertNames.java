package org.posthorn.tls;

import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Server certificate name checks as Postfix's client makes them at levels verify and secure
 * and for DANE-TA: the DNS names of the subjectAltName (the subject CN only when there are
 * none), a "*." wildcard covering exactly one leftmost label; a wanted name that starts with
 * '.' accepts any subdomain of it; a wanted IP address literal is compared with the IP
 * address names.
 */
public final class CertNames {
    private CertNames() {
    }

    /** The certificate's DNS names (subjectAltName dNSName, else the CN), lower-cased. */
    public static List<String> dnsNames(X509Certificate cert) {
        List<String> out = new ArrayList<>();
        for (List<?> san : altNames(cert)) {
            if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
                out.add(san.get(1).toString().toLowerCase(Locale.ROOT));
            }
        }
        if (!out.isEmpty()) return out;
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) out.add(rdn.getValue().toString().toLowerCase(Locale.ROOT));
            }
        } catch (InvalidNameException e) {
            // no usable subject name
        }
        return out;
    }

    private static Collection<List<?>> altNames(X509Certificate cert) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /** Whether one of the wanted names matches the certificate. */
    public static boolean matches(X509Certificate cert, List<String> wanted) {
        List<String> names = dnsNames(cert);
        for (String w : wanted) {
            String want = w.toLowerCase(Locale.ROOT);
            if (want.endsWith(".") && want.length() > 1) want = want.substring(0, want.length() - 1);
            InetAddress ip = ipLiteral(want);
            if (ip != null) {
                if (hasIp(cert, ip)) return true;
                continue;
            }
            for (String name : names) if (nameMatches(name, want)) return true;
        }
        return false;
    }

    /** Whether a certificate name matches one wanted name (".example.com" = any subdomain). */
    static boolean nameMatches(String certName, String want) {
        if (want.startsWith(".")) {
            if (certName.startsWith("*.")) return certName.substring(1).endsWith(want) || certName.substring(1).equals(want);
            return certName.endsWith(want) && certName.length() > want.length();
        }
        if (certName.equals(want)) return true;
        if (certName.startsWith("*.")) {
            int dot = want.indexOf('.');
            return dot > 0 && want.substring(dot).equals(certName.substring(1));
        }
        return false;
    }

    private static boolean hasIp(X509Certificate cert, InetAddress ip) {
        for (List<?> san : altNames(cert)) {
            if (san.size() >= 2 && Integer.valueOf(7).equals(san.get(0))) {
                InetAddress a = ipLiteral(san.get(1).toString());
                if (ip.equals(a)) return true;
            }
        }
        return false;
    }

    /** An IPv4 or IPv6 literal, bracketed or not, or null for a name (no lookup ever happens). */
    static InetAddress ipLiteral(String text) {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        return org.posthorn.dns.HostLookup.literal(t);
    }
}
