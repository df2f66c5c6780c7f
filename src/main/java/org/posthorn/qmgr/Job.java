package org.posthorn.qmgr;

import java.util.List;

/** Some recipients of one active message for one destination: one delivery request. */
record Job(ActiveMessage message, Destination destination, String nexthop, List<DeliveryRecipient> recipients) {
}
