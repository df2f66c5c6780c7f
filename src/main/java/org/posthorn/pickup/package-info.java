/**
 * pickup(8): moves locally submitted mail from maildrop/ (written by sendmail and
 * postdrop) into the queue through the {@link org.posthorn.cleanup.Cleanup} seam.
 */
package org.posthorn.pickup;
