package org.posthorn.smtp;

/** lmtp(8): the smtp client in LMTP mode (LHLO, lmtp_* parameters, one reply per recipient after DATA). */
public final class LmtpService extends SmtpService {
    @Override
    protected boolean lmtp() {
        return true;
    }
}
