package org.posthorn.qmgr;

/**
 * Variable envelope return paths (sendmail -V): the sender of each delivery names its one
 * recipient, {@code owner+user=example.net@lists.example} for {@code user@example.net} with
 * delimiters {@code +=}, so that a bounce tells which recipient failed. Postfix's qmgr
 * rewrites the sender per delivery request in the same way.
 */
final class Verp {
    private Verp() {
    }

    static String sender(String delimiters, String sender, String recipient) {
        int sAt = sender.lastIndexOf('@');
        int rAt = recipient.lastIndexOf('@');
        String senderLocal = sAt < 0 ? sender : sender.substring(0, sAt);
        StringBuilder b = new StringBuilder(sender.length() + recipient.length() + 2);
        b.append(senderLocal).append(delimiters.charAt(0)).append(rAt < 0 ? recipient : recipient.substring(0, rAt));
        if (rAt >= 0 && rAt + 1 < recipient.length()) b.append(delimiters.charAt(1)).append(recipient, rAt + 1, recipient.length());
        if (sAt >= 0 && sAt + 1 < sender.length()) b.append('@').append(sender, sAt + 1, sender.length());
        return b.toString();
    }
}
