package org.posthorn.smtp;

import java.io.IOException;
import java.util.List;
import org.posthorn.sasl.MechanismFilter;
import org.posthorn.sasl.SaslClient;
import org.posthorn.sasl.SecurityOptions;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * The smtp and lmtp clients' AUTH (smtp_sasl_auth_enable): after EHLO, when the server offers
 * AUTH and smtp_sasl_password_maps has a {@code user:password} for the next-hop destination,
 * for {@code [host]:port} or for the server's host name (tried in that order), log in with PLAIN
 * or LOGIN as smtp_sasl_mechanism_filter and smtp_sasl_security_options allow.
 */
final class SaslLogin {
    /** What the login came to. */
    sealed interface Outcome {
        /** Nothing to do: carry on with the mail transaction. */
        record Proceed() implements Outcome {
        }

        /** Logged in: carry on. */
        record LoggedIn(String mechanism) implements Outcome {
        }

        /** Give up on this server: Postfix's status text, and the server's reply when there was one. */
        record Failed(String dsn, String text, Reply reply) implements Outcome {
        }
    }

    private static final Outcome PROCEED = new Outcome.Proceed();

    private final SmtpParams params;
    private volatile Maps passwords;

    SaslLogin(SmtpParams params) {
        this.params = params;
    }

    boolean enabled() {
        return params.bool("sasl_auth_enable");
    }

    Outcome login(SmtpSession session, String nexthop, boolean tls) throws IOException {
        if (!enabled() || session.authMechanisms().isEmpty()) return PROCEED;
        Target target = session.target();
        String credentials = credentials(nexthop, target);
        if (credentials == null) return PROCEED;
        int colon = credentials.indexOf(':');
        String user = colon < 0 ? credentials : credentials.substring(0, colon);
        String password = colon < 0 ? "" : credentials.substring(colon + 1);
        SecurityOptions options = SecurityOptions.parse(params.name(tls ? "sasl_tls_security_options" : "sasl_security_options"),
                params.get(tls ? "sasl_tls_security_options" : "sasl_security_options"));
        SaslClient client = SaslClient.choose(session.authMechanisms(), new MechanismFilter(params.get("sasl_mechanism_filter")),
                options, user, password);
        if (client == null) {
            // Postfix 3.7.11's words when the filter or the security options leave nothing
            return new Outcome.Failed("4.7.0", "SASL authentication failed: server " + target.namaddr()
                    + " offered no compatible authentication mechanisms for this type of connection security", null);
        }
        SmtpConnection conn = session.connection();
        conn.deadline(params.millis("helo_timeout"));
        conn.command(client.command());
        Reply reply = conn.reply();
        for (int rounds = 0; reply.intermediate() && rounds < 10; rounds++) {
            conn.command(client.respond(reply.lineText(0)));
            reply = conn.reply();
        }
        if (reply.positive()) return new Outcome.LoggedIn(client.mechanism());
        String dsn = reply.dsn();
        // smtp_sasl_auth_soft_bounce: a refused login is a configuration problem worth retrying
        if (dsn.charAt(0) == '5' && params.bool("sasl_auth_soft_bounce")) dsn = "4" + dsn.substring(1);
        return new Outcome.Failed(dsn, "SASL authentication failed; server " + target.namaddr() + " said: " + reply.text(),
                reply);
    }

    /** The user:password for this destination, or null. */
    private String credentials(String nexthop, Target target) throws IOException {
        Maps maps = passwords;
        if (maps == null) {
            String spec = params.get("sasl_password_maps");
            if (spec.isEmpty()) return null;
            try {
                passwords = maps = Maps.open(params.name("sasl_password_maps"), spec, params.config());
            } catch (TableException e) {
                throw new IOException(params.name("sasl_password_maps") + ": " + e.getMessage(), e);
            }
        }
        List<String> keys = new java.util.ArrayList<>();
        keys.add(nexthop);
        if (target.address() instanceof java.net.InetSocketAddress inet) {
            keys.add("[" + target.hostname() + "]:" + inet.getPort());
        }
        keys.add(target.hostname());
        for (String key : keys) {
            try {
                Maps.Match m = maps.find(key, false);
                if (m != null) return m.value();
            } catch (TableException e) {
                throw new IOException(params.name("sasl_password_maps") + " lookup error for \"" + key + "\": "
                        + e.getMessage(), e);
            }
        }
        return null;
    }
}
