/**
 * cleanup(8): the only writer of new queue files.
 *
 * <p>{@link org.posthorn.cleanup.CleanupDaemon} implements the {@link org.posthorn.cleanup.Cleanup}
 * seam; each submission streams into a queue file in incoming/ (hold/ when held) while it
 * rewrites envelope and header addresses (trivial-rewrite's {@link org.posthorn.rewrite.TrivialRewrite} seam, canonical
 * maps, {@link org.posthorn.cleanup.Masquerade}), expands virtual aliases, adds
 * automatic BCCs ({@link org.posthorn.cleanup.AddressMaps} with Postfix's lookup order), applies
 * header and body checks ({@link org.posthorn.cleanup.ContentCheck}) and adds the headers
 * Postfix adds. {@link org.posthorn.cleanup.CleanupService} is the master.cf program.
 */
package org.posthorn.cleanup;
