package org.posthorn.smtpd;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.sasl.DovecotAuthServer;
import org.posthorn.sasl.Mechanism;
import org.posthorn.sasl.MechanismFilter;
import org.posthorn.sasl.PasswordTableServer;
import org.posthorn.sasl.SaslServer;
import org.posthorn.sasl.SecurityOptions;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * smtpd's SASL settings of one service (smtpd_sasl_*, broken_sasl_auth_clients,
 * smtpd_tls_auth_only) and the backend of each session: {@code dovecot} or the built-in
 * {@code posthorn} password table.
 */
final class SmtpdSasl {
    private static final long AUTH_SERVER_TIMEOUT_MILLIS = 30_000;

    final boolean enabled;
    final boolean brokenClients;
    final boolean tlsAuthOnly;
    final boolean authenticatedHeader;
    final int responseLimit;
    /** smtpd_sasl_exceptions_networks: clients that are not offered AUTH in the EHLO reply (they may still use it). */
    final NetworkList exceptions;
    final String service;
    private final String type;
    private final String path;
    private final String localDomain;
    private final SecurityOptions options;
    private final SecurityOptions tlsOptions;
    private final MechanismFilter filter;
    private final Path queueDirectory;
    private final Config config;
    private volatile Maps passwords;

    private SmtpdSasl(Config config, Path queueDirectory) {
        this.config = config;
        this.queueDirectory = queueDirectory;
        this.enabled = bool(config, "smtpd_sasl_auth_enable");
        this.brokenClients = bool(config, "broken_sasl_auth_clients");
        this.tlsAuthOnly = bool(config, "smtpd_tls_auth_only");
        this.authenticatedHeader = bool(config, "smtpd_sasl_authenticated_header");
        this.responseLimit = (int) Math.max(1, config.getSize("smtpd_sasl_response_limit"));
        this.service = config.get("smtpd_sasl_service").strip();
        this.type = config.get("smtpd_sasl_type").strip().toLowerCase(Locale.ROOT);
        this.path = config.get("smtpd_sasl_path").strip();
        this.localDomain = config.get("smtpd_sasl_local_domain").strip();
        this.options = SecurityOptions.parse("smtpd_sasl_security_options", config.get("smtpd_sasl_security_options"));
        this.tlsOptions = SecurityOptions.parse("smtpd_sasl_tls_security_options",
                config.get("smtpd_sasl_tls_security_options"));
        this.filter = new MechanismFilter(config.get("smtpd_sasl_mechanism_filter"));
        this.exceptions = NetworkList.parse(config.get("smtpd_sasl_exceptions_networks"));
    }

    /** The settings of a service; SASL off when smtpd_sasl_auth_enable is not set. */
    static SmtpdSasl from(Config config, Path queueDirectory) {
        return new SmtpdSasl(config, queueDirectory);
    }

    /** Disabled SASL, for sessions built without a configuration (tests, sendmail -bs). */
    static SmtpdSasl disabled() {
        return DISABLED;
    }

    /** Shared: building it reads a Config, which cost more than the rest of a session's set-up. */
    private static final SmtpdSasl DISABLED =
            new SmtpdSasl(Config.of(Path.of("/nonexistent"), java.util.Map.of("smtpd_sasl_auth_enable", "no")), null);

    private static boolean bool(Config config, String name) {
        String v = config.get(name).strip();
        return v.equalsIgnoreCase("yes") || v.equalsIgnoreCase("true") || v.equals("1");
    }

    /** A new backend connection for one session. */
    SaslServer newServer(Log log) throws IOException {
        return switch (type) {
            case "dovecot" -> new DovecotAuthServer(addressOf(), AUTH_SERVER_TIMEOUT_MILLIS);
            case "posthorn" -> new PasswordTableServer(passwords(), localDomain, log);
            // Postfix's default type is cyrus, which Posthorn does not have
            default -> throw new UnsupportedTypeException("unsupported SASL server implementation: " + type
                    + " (Posthorn has dovecot and posthorn)");
        };
    }

    private java.net.SocketAddress addressOf() throws IOException {
        try {
            return DovecotAuthServer.address(path, queueDirectory);
        } catch (IllegalArgumentException e) {
            throw new IOException("smtpd_sasl_path: " + e.getMessage());
        }
    }

    private Maps passwords() throws IOException {
        Maps m = passwords;
        if (m == null) {
            String spec = config.get("posthorn_sasl_password_maps").strip();
            if (spec.isEmpty()) throw new IOException("smtpd_sasl_type = posthorn needs posthorn_sasl_password_maps");
            try {
                passwords = m = Maps.open("posthorn_sasl_password_maps", spec, config);
            } catch (TableException e) {
                throw new IOException("posthorn_sasl_password_maps: " + e.getMessage());
            }
        }
        return m;
    }

    /** The mechanism names to offer: the backend's, minus the filter and the security options for this session. */
    List<String> offered(SaslServer server, boolean tls) throws IOException {
        SecurityOptions o = tls ? tlsOptions : options;
        List<String> out = new ArrayList<>();
        for (Mechanism m : server.mechanisms()) {
            if (filter.allows(m.name()) && o.allows(m)) out.add(m.name());
        }
        return out;
    }

    /** Whether smtpd_sasl_type names a backend Posthorn has. */
    boolean typeSupported() {
        return type.equals("dovecot") || type.equals("posthorn");
    }

    /** smtpd_sasl_type names a backend Posthorn does not have: a configuration error, not a lost server. */
    static final class UnsupportedTypeException extends IOException {
        private static final long serialVersionUID = 1L;

        UnsupportedTypeException(String message) {
            super(message);
        }
    }

    /** Where the backend is, for log lines. */
    String path() {
        return path;
    }
}
