package org.posthorn.flush;

/**
 * flush(8)'s seam: the fast-flush logs of deferred mail per destination. Delivery reports
 * {@link #add} a deferred message for its recipient's domain; ETRN, {@code postqueue -s}
 * and {@code postqueue -i} ask for delivery. Inside the master the FlushService offers it;
 * commands reach the same requests through public/flush ({@link FlushClient}).
 */
public interface Flush {
    /** Postfix's flush status codes (flush_clnt.h); FAIL is the client's own "could not ask". */
    enum Status {
        FAIL(-1), OK(0), BAD(3), DENY(4);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }

        /** The status of a reply code; an unknown code is FAIL. */
        public static Status of(int code) {
            for (Status s : values()) if (s.code == code) return s;
            return FAIL;
        }
    }

    /** Records that message {@code queueId} has deferred mail for {@code site}. */
    Status add(String site, String queueId);

    /** Delivers the deferred mail logged for {@code site} now (ETRN, postqueue -s). */
    Status sendSite(String site);

    /** Delivers one deferred message now (postqueue -i). */
    Status sendFile(String queueId);

    /** Refreshes logs unread for fast_flush_refresh_time and deletes old empty ones. */
    Status refresh();

    /** Refreshes every log now. */
    Status purge();
}
