package org.posthorn.qmgr;

import java.time.Duration;

/**
 * One recipient's outcome as an agent knows it.
 *
 * @param dsn          RFC 3463 status, e.g. 2.0.0, 4.4.1, 5.1.1 (its class says sent/deferred/bounced)
 * @param relay        relay= as Postfix logs it: host[ip]:port, local, virtual, none, a pipe service name
 * @param text         the reason in parentheses: the remote reply ("250 2.0.0 Ok: queued as X")
 *                     or a local text ("delivered to maildir")
 * @param diagnostic   the remote reply for DSN Diagnostic-Code ("smtp; 550 5.1.1 ..."), or null
 * @param remoteMta    the remote MTA for DSN Remote-MTA ("dns; mx.example"), or null
 * @param connUse      conn_use= (the N-th transaction on a reused connection), 0 when not reused
 * @param setup        time to set up the connection (delays c)
 * @param transmission time to transmit the message (delays d)
 */
public record DeliveryStatus(String dsn, String relay, String text, String diagnostic, String remoteMta,
                             int connUse, Duration setup, Duration transmission) {
    /** A status without remote details or timings. */
    public static DeliveryStatus of(String dsn, String relay, String text) {
        return new DeliveryStatus(dsn, relay, text, null, null, 0, Duration.ZERO, Duration.ZERO);
    }
}
