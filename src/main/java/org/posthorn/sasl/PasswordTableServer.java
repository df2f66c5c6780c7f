package org.posthorn.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.posthorn.log.Log;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * smtpd_sasl_type = posthorn: PLAIN and LOGIN checked against posthorn_sasl_password_maps,
 * a lookup table from login name to a password hash as Dovecot writes it (see
 * {@link PasswordHash}). Replies that Dovecot would word (bad base64) are worded the same.
 */
public final class PasswordTableServer implements SaslServer {
    private static final String FAILED = "authentication failure";

    private final Maps passwords;
    private final String localDomain;
    private final Log log;
    /** LOGIN's progress: null outside an exchange, "" while waiting for the name, else the name. */
    private String loginUser;
    private String mechanism;

    /**
     * @param localDomain smtpd_sasl_local_domain: appended as {@code @domain} to a login name
     *                    without one before the lookup (empty: names are used as given)
     */
    public PasswordTableServer(Maps passwords, String localDomain, Log log) {
        this.passwords = passwords;
        this.localDomain = localDomain == null ? "" : localDomain.strip();
        this.log = log;
    }

    @Override
    public List<Mechanism> mechanisms() {
        return List.of(Mechanism.PLAIN, Mechanism.LOGIN);
    }

    @Override
    public Step start(String mech, String initialResponse, Peer peer) {
        mechanism = mech.toUpperCase(java.util.Locale.ROOT);
        loginUser = null;
        if (mechanism.equals("LOGIN")) {
            loginUser = "";
            if (initialResponse == null) return challenge("Username:");
            return next(initialResponse, "initial");
        }
        if (!mechanism.equals("PLAIN")) return new Step.Failure("Unsupported authentication mechanism", null, false);
        if (initialResponse == null) return new Step.Challenge("");
        return plain(initialResponse, "initial");
    }

    @Override
    public Step next(String response) {
        if (mechanism == null) return new Step.Failure(FAILED, null, false);
        return mechanism.equals("LOGIN") ? next(response, "continued") : plain(response, "continued");
    }

    private Step next(String response, String which) {
        byte[] data = decode(response);
        if (data == null) return invalidBase64(which);
        String text = new String(data, StandardCharsets.UTF_8);
        if (loginUser == null || loginUser.isEmpty()) {
            loginUser = text;
            return challenge("Password:");
        }
        String user = loginUser;
        loginUser = null;
        mechanism = null;
        return check(user, text);
    }

    /** RFC 4616: authzid NUL authcid NUL password; an authzid other than the login is refused. */
    private Step plain(String response, String which) {
        mechanism = null;
        byte[] data = decode(response);
        if (data == null) return invalidBase64(which);
        String text = new String(data, StandardCharsets.UTF_8);
        int first = text.indexOf('\0');
        int second = first < 0 ? -1 : text.indexOf('\0', first + 1);
        if (second < 0) return new Step.Failure("Invalid input", null, false);
        String authzid = text.substring(0, first);
        String authcid = text.substring(first + 1, second);
        String password = text.substring(second + 1);
        if (authcid.isEmpty() || password.indexOf('\0') >= 0) return new Step.Failure("Invalid input", null, false);
        if (!authzid.isEmpty() && !authzid.equals(authcid)) {
            return new Step.Failure("Authorization identity differs from the login name", authcid, false);
        }
        return check(authcid, password);
    }

    private Step check(String login, String password) {
        String user = login.indexOf('@') < 0 && !localDomain.isEmpty() ? login + "@" + localDomain : login;
        Maps.Match match;
        try {
            match = passwords.find(user, false);
        } catch (TableException e) {
            log.warning("%s", passwords.title() + " lookup error for \"" + user + "\": " + e.getMessage());
            return new Step.Failure("Temporary lookup failure", user, true);
        }
        if (match == null) return new Step.Failure(FAILED, user, false);
        String stored = match.value().strip();
        try {
            return PasswordHash.verify(stored, password) ? new Step.Success(user) : new Step.Failure(FAILED, user, false);
        } catch (IllegalArgumentException e) {
            log.warning("%s", passwords.title() + ": password of \"" + user + "\": " + e.getMessage());
            return new Step.Failure(FAILED, user, false);
        }
    }

    private Step invalidBase64(String which) {
        mechanism = null;
        loginUser = null;
        return new Step.Failure("Invalid base64 data in " + which + " response", null, false);
    }

    private static Step challenge(String text) {
        return new Step.Challenge(Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII)));
    }

    /** RFC 4954: "=" is an empty response; anything not strict base64 is null. */
    static byte[] decode(String response) {
        if (response.equals("=")) return new byte[0];
        if (response.length() % 4 != 0) return null;
        try {
            return Base64.getDecoder().decode(response);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @Override
    public void close() {
        // nothing is held open: the table belongs to the service
    }
}
