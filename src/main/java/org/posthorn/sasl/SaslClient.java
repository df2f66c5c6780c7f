package org.posthorn.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The client side of PLAIN and LOGIN for the smtp and lmtp clients: which mechanism to use
 * among those a server offers, and the responses to send.
 */
public final class SaslClient {
    /** The mechanisms this client can do, best first. */
    private static final List<String> SUPPORTED = List.of("PLAIN", "LOGIN");

    private final String mechanism;
    private final String username;
    private final String password;
    private int step;

    private SaslClient(String mechanism, String username, String password) {
        this.mechanism = mechanism;
        this.username = username;
        this.password = password;
    }

    /**
     * A client for the best mechanism the server offers that the filter and the security
     * options allow; null when there is none.
     */
    public static SaslClient choose(List<String> offered, MechanismFilter filter, SecurityOptions options,
                                    String username, String password) {
        for (String m : SUPPORTED) {
            boolean isOffered = offered.stream().anyMatch(o -> o.equalsIgnoreCase(m));
            if (isOffered && filter.allows(m) && options.allows(Mechanism.known(m))) {
                return new SaslClient(m, username, password);
            }
        }
        return null;
    }

    public String mechanism() {
        return mechanism;
    }

    /** The AUTH command: PLAIN with its initial response (RFC 4954), LOGIN without. */
    public String command() {
        if (mechanism.equals("PLAIN")) {
            step = 1;
            return "AUTH PLAIN " + b64("\0" + username + "\0" + password);
        }
        return "AUTH " + mechanism;
    }

    /** The answer to a 334 challenge: LOGIN's user name, then its password; PLAIN's response if asked again. */
    public String respond(String challenge) {
        if (mechanism.equals("PLAIN")) return b64("\0" + username + "\0" + password);
        String asked = new String(decode(challenge), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
        step++;
        if (asked.startsWith("user")) return b64(username);
        if (asked.startsWith("pass")) return b64(password);
        return b64(step == 1 ? username : password);
    }

    private static byte[] decode(String s) {
        try {
            return Base64.getDecoder().decode(s.strip());
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
