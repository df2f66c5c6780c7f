package org.posthorn.smtpd;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.config.Config;
import org.posthorn.log.Log;

/**
 * smtpd(8) over a pair of streams, as Postfix runs it for {@code sendmail -bs}: the client
 * is {@code localhost[127.0.0.1]}, access restrictions are off, and the caller's
 * {@link Cleanup} decides where the mail goes (sendmail hands it to maildrop for pickup).
 */
public final class StandaloneSmtpd {
    private StandaloneSmtpd() {
    }

    /** The restriction lists Postfix skips in stand-alone mode (run by a user, not the network). */
    private static final String[] RESTRICTIONS = {"smtpd_client_restrictions", "smtpd_helo_restrictions",
        "smtpd_sender_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
        "smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions"};

    /** Runs one SMTP session on {@code in}/{@code out} until QUIT or end of input. */
    public static void run(Config config, Cleanup cleanup, InputStream in, OutputStream out) {
        Map<String, String> open = new HashMap<>();
        for (String name : RESTRICTIONS) open.put(name, "");
        // one of relay/recipient restrictions must be non-empty; permit is what stand-alone mode means
        open.put("smtpd_relay_restrictions", "permit");
        // a script piping a whole dialogue is how -bs is used: no pipelining enforcement
        open.put("smtpd_forbid_unauth_pipelining", "no");
        Config standalone = config.withOverrides(open);
        SmtpdSettings settings = SmtpdSettings.from(standalone);
        Log log = Log.of("smtpd");
        InetSocketAddress client;
        try {
            client = new InetSocketAddress(InetAddress.getByAddress("localhost", new byte[]{127, 0, 0, 1}), 0);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        SmtpdSession session = new SmtpdSession(settings, cleanup, log, Clock.systemDefaultZone(), in, out, client, client,
                new Restrictions(standalone, settings.mynetworks(), settings.nullAccessLookupKey(), null, log));
        session.standAlone = true;
        session.run();
    }
}
