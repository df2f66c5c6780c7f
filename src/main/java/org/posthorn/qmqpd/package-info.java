/**
 * qmqpd(8): the QMQP server (qmail's Quick Mail Queueing Protocol), one message per
 * connection from explicitly authorized clients, into the queue through the
 * {@link org.posthorn.cleanup.Cleanup} seam.
 */
package org.posthorn.qmqpd;
