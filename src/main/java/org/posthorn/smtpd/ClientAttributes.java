package org.posthorn.smtpd;

import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import org.posthorn.cleanup.Origin;

/**
 * The attribute lists of XCLIENT and XFORWARD (Postfix XCLIENT_README and XFORWARD_README):
 * {@code NAME=value ...} words with xtext-encoded values, checked one after the other as
 * Postfix does, with its reply texts for each malformed attribute.
 */
final class ClientAttributes {
    private ClientAttributes() {
    }

    /** The client as XCLIENT leaves it; protocol null when PROTO was not given. */
    record Client(String name, String reverseName, String address, InetAddress inet, int port, String helo,
                  String protocol) {
    }

    /** The new value, or the error reply that refuses the command. */
    record Outcome<T>(T value, String error) {
        static <T> Outcome<T> refuse(String reply) {
            return new Outcome<>(null, reply);
        }
    }

    /** XCLIENT NAME ADDR PORT PROTO HELO REVERSE_NAME LOGIN DESTADDR DESTPORT. */
    static Outcome<Client> xclient(List<String> words, Client current) {
        String name = current.name();
        String reverse = null;
        String addr = current.address();
        InetAddress inet = current.inet();
        int port = current.port();
        String helo = current.helo();
        String proto = null;
        for (String word : words) {
            Attribute a = Attribute.parse(word);
            if (a.error() != null) return Outcome.refuse(a.error());
            String value = a.value();
            boolean unavailable = value.equals("[UNAVAILABLE]") || value.equals("[TEMPUNAVAIL]");
            switch (a.name()) {
                case "NAME", "REVERSE_NAME" -> {
                    if (!unavailable && !Hostnames.validHostname(value)) return bad(a);
                    if (a.name().equals("NAME")) name = unavailable ? "unknown" : value;
                    else reverse = unavailable ? "unknown" : value;
                }
                case "ADDR" -> {
                    if (unavailable) {
                        addr = "unknown";
                    } else {
                        InetAddress parsed = address(value);
                        if (parsed == null) return bad(a);
                        inet = parsed;
                        addr = SmtpdSession.hostAddress(parsed);
                    }
                }
                case "PORT", "DESTPORT" -> {
                    if (!unavailable && !validPort(value)) return bad(a);
                    if (a.name().equals("PORT")) port = unavailable ? -1 : Integer.parseInt(value);
                }
                case "DESTADDR" -> {
                    if (!unavailable && address(value) == null) return bad(a);
                }
                case "HELO" -> {
                    if (!unavailable && value.length() > Hostnames.MAX_NAME) return bad(a);
                    helo = unavailable ? null : SmtpdSession.sanitiseHelo(value);
                }
                case "PROTO" -> {
                    String upper = value.toUpperCase(Locale.ROOT);
                    if (!unavailable && !upper.equals("SMTP") && !upper.equals("ESMTP")) return bad(a);
                    proto = unavailable ? null : upper;
                }
                case "LOGIN" -> {
                    // without SASL support the login name is accepted and not used
                }
                default -> {
                    return Outcome.refuse("501 5.5.4 Bad XCLIENT attribute name: " + a.name());
                }
            }
        }
        // a new NAME without REVERSE_NAME stands for both
        if (reverse == null) reverse = name.equals(current.name()) ? current.reverseName() : name;
        return new Outcome<>(new Client(name, reverse, addr, inet, port, helo, proto), null);
    }

    /** XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE, added to what earlier XFORWARDs said. */
    static Outcome<Origin.Forward> xforward(List<String> words, Origin.Forward current) {
        Origin.Forward f = current != null ? current : new Origin.Forward(null, null, -1, null, null, null, null);
        for (String word : words) {
            Attribute a = Attribute.parse(word);
            if (a.error() != null) return Outcome.refuse(a.error());
            String value = a.value();
            boolean unavailable = value.equals("[UNAVAILABLE]");
            switch (a.name()) {
                case "NAME" -> {
                    if (!unavailable && !Hostnames.validHostname(value)) return bad(a);
                    f = f.withName(unavailable ? null : value);
                }
                case "ADDR" -> {
                    InetAddress parsed = unavailable ? null : address(value);
                    if (!unavailable && parsed == null) return bad(a);
                    f = f.withAddress(parsed == null ? null : SmtpdSession.hostAddress(parsed));
                }
                case "PORT" -> {
                    if (!unavailable && !validPort(value)) return bad(a);
                    f = f.withPort(unavailable ? -1 : Integer.parseInt(value));
                }
                case "PROTO" -> f = f.withProtocol(unavailable ? null : value);
                case "HELO" -> f = f.withHelo(unavailable ? null : SmtpdSession.sanitiseHelo(value));
                case "IDENT" -> f = f.withIdent(unavailable ? null : value);
                case "SOURCE" -> {
                    String upper = value.toUpperCase(Locale.ROOT);
                    if (!unavailable && !upper.equals("LOCAL") && !upper.equals("REMOTE")) return bad(a);
                    f = f.withSource(unavailable ? null : upper);
                }
                default -> {
                    return Outcome.refuse("501 5.5.4 Bad XFORWARD attribute name: " + a.name());
                }
            }
        }
        return new Outcome<>(f, null);
    }

    /** One {@code attr=value} word: the name upper-cased, the value xtext-decoded. */
    private record Attribute(String name, String value, String error) {
        static Attribute parse(String word) {
            int eq = word.indexOf('=');
            if (eq <= 0) return new Attribute(null, null, "501 5.5.4 Error: attribute=value expected");
            String name = word.substring(0, eq).toUpperCase(Locale.ROOT);
            String value = Xtext.decode(word.substring(eq + 1));
            if (value == null) {
                return new Attribute(name, null, "501 5.5.4 Bad " + name + " syntax: " + word.substring(eq + 1));
            }
            return new Attribute(name, value, null);
        }
    }

    private static <T> Outcome<T> bad(Attribute a) {
        return Outcome.refuse("501 5.5.4 Bad " + a.name() + " syntax: " + a.value());
    }

    /** An IPv4 address, or IPv6 with the {@code IPv6:} prefix. */
    private static InetAddress address(String value) {
        boolean v6 = value.regionMatches(true, 0, "IPv6:", 0, 5);
        return Hostnames.parseAddress(v6 ? value.substring(5) : value, v6);
    }

    private static boolean validPort(String value) {
        return !value.isEmpty() && value.length() <= 5 && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
