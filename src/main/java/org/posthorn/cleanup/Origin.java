package org.posthorn.cleanup;

/**
 * Where a message came from: written into the queue file as Postfix's client attributes
 * ({@code client_name}, {@code client_address}, ...), logged, and used by milters and
 * header checks. Fields that do not apply are null (a local submission has no client).
 *
 * @param clientName     the verified client host name, or {@code unknown}
 * @param clientAddress  the client IP address as text (IPv6 without brackets)
 * @param clientPort     the client TCP port, or -1
 * @param reverseName    the unverified reverse (PTR) name, or {@code unknown}
 * @param helo           the HELO/EHLO argument, or null
 * @param protocol       {@code SMTP} or {@code ESMTP} (also with SMTPUTF8: only the Received: header
 *                       says {@code UTF8SMTP}), or {@code QMQP}, {@code local}; the queue file's
 *                       {@code protocol_name} attribute
 * @param saslMethod     the SASL mechanism when the client authenticated, else null
 * @param saslUsername   the SASL login name, else null
 * @param serverAddress  the local address the client connected to, or null
 * @param serverPort     the local port, or -1
 * @param forward        what an authorised content filter said about the original client
 *                       (XFORWARD), or null; Postfix keeps these as the queue file's
 *                       {@code forward_*} attributes and logs them as {@code orig_client=}
 * @param rewriteContext the header rewrite context the submitter decided (smtpd's
 *                       local_header_rewrite_clients), or null to let cleanup decide
 */
public record Origin(String clientName, String clientAddress, int clientPort, String reverseName,
                     String helo, String protocol, String saslMethod, String saslUsername,
                     String serverAddress, int serverPort, Forward forward,
                     org.posthorn.rewrite.RewriteContext rewriteContext) {
    /** An origin whose rewrite context cleanup decides. */
    public Origin(String clientName, String clientAddress, int clientPort, String reverseName, String helo,
                  String protocol, String saslMethod, String saslUsername, String serverAddress, int serverPort,
                  Forward forward) {
        this(clientName, clientAddress, clientPort, reverseName, helo, protocol, saslMethod, saslUsername,
                serverAddress, serverPort, forward, null);
    }

    /** An origin without XFORWARD attributes. */
    public Origin(String clientName, String clientAddress, int clientPort, String reverseName, String helo,
                  String protocol, String saslMethod, String saslUsername, String serverAddress, int serverPort) {
        this(clientName, clientAddress, clientPort, reverseName, helo, protocol, saslMethod, saslUsername,
                serverAddress, serverPort, null, null);
    }

    /** {@code name[address]} as Postfix logs a client. */
    public String nameAddress() {
        return clientName + "[" + clientAddress + "]";
    }

    /** An origin for a local submission (pickup, bounce): no client, protocol {@code local}. */
    public static Origin local() {
        return new Origin(null, null, -1, null, null, "local", null, null, null, -1, null, null);
    }

    /**
     * XFORWARD attributes (Postfix XFORWARD_README); each null (or -1) when not given.
     *
     * @param name     the original client's host name
     * @param address  the original client's IP address
     * @param port     the original client's port
     * @param protocol the original protocol, free text (e.g. {@code ESMTP}, {@code QMQP})
     * @param helo     the original HELO/EHLO argument
     * @param ident    the original queue ID (logged as {@code orig_queue_id=})
     * @param source   {@code LOCAL} or {@code REMOTE}: where the original message came from
     */
    public record Forward(String name, String address, int port, String protocol, String helo, String ident,
                          String source) {
        public Forward withName(String v) {
            return new Forward(v, address, port, protocol, helo, ident, source);
        }

        public Forward withAddress(String v) {
            return new Forward(name, v, port, protocol, helo, ident, source);
        }

        public Forward withPort(int v) {
            return new Forward(name, address, v, protocol, helo, ident, source);
        }

        public Forward withProtocol(String v) {
            return new Forward(name, address, port, v, helo, ident, source);
        }

        public Forward withHelo(String v) {
            return new Forward(name, address, port, protocol, v, ident, source);
        }

        public Forward withIdent(String v) {
            return new Forward(name, address, port, protocol, helo, v, source);
        }

        public Forward withSource(String v) {
            return new Forward(name, address, port, protocol, helo, ident, v);
        }
    }
}
