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
 * @param protocol       {@code SMTP}, {@code ESMTP}, {@code UTF8SMTP}, ..., or {@code QMQP}, {@code local}
 * @param saslMethod     the SASL mechanism when the client authenticated, else null
 * @param saslUsername   the SASL login name, else null
 * @param serverAddress  the local address the client connected to, or null
 * @param serverPort     the local port, or -1
 */
public record Origin(String clientName, String clientAddress, int clientPort, String reverseName,
                     String helo, String protocol, String saslMethod, String saslUsername,
                     String serverAddress, int serverPort) {
    /** {@code name[address]} as Postfix logs a client. */
    public String nameAddress() {
        return clientName + "[" + clientAddress + "]";
    }
}
