package org.posthorn.qmqpd;

import org.posthorn.config.Config;

/**
 * The main.cf parameters qmqpd(8) reads, with Postfix 3.7's defaults where the parameter
 * registry has none yet.
 */
record QmqpdSettings(long timeoutSeconds, long errorDelaySeconds, boolean portLogging, long messageSizeLimit,
                     int lineLengthLimit, String myhostname, String mailName, boolean softBounce) {

    static QmqpdSettings from(Config config) {
        return new QmqpdSettings(
                time(config, "qmqpd_timeout", 300),
                time(config, "qmqpd_error_delay", 1),
                bool(config, "qmqpd_client_port_logging", false),
                number(config, "message_size_limit", 10240000),
                (int) number(config, "line_length_limit", 2048),
                text(config, "myhostname", localHostName()),
                text(config, "mail_name", "Postfix"),
                bool(config, "soft_bounce", false));
    }

    private static String text(Config c, String name, String fallback) {
        String v = c.get(name).strip();
        return v.isEmpty() ? fallback : v;
    }

    private static long time(Config c, String name, long fallback) {
        return c.get(name).isBlank() ? fallback : c.getTime(name);
    }

    private static long number(Config c, String name, long fallback) {
        return c.get(name).isBlank() ? fallback : Long.parseLong(c.get(name).strip());
    }

    private static boolean bool(Config c, String name, boolean fallback) {
        return c.get(name).isBlank() ? fallback : c.getBool(name);
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (java.io.IOException e) {
            return "localhost";
        }
    }
}
