package org.posthorn.qmgr;

/**
 * A recipient in a delivery request.
 *
 * @param address         the (rewritten, resolved) recipient address
 * @param originalAddress the original recipient (orig_to=), or null
 * @param dsnOrigRcpt     DSN ORCPT as "type;address", or null
 * @param dsnNotify       DSN NOTIFY bits as in the queue file (0 = none given)
 * @param offset          the file offset of its R record (the handle that marks it done)
 */
public record DeliveryRecipient(String address, String originalAddress, String dsnOrigRcpt, int dsnNotify,
                                long offset) {
}
