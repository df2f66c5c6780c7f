/**
 * The mail queue, in Postfix's on-disk format: the directory layout under
 * $queue_directory ({@link org.posthorn.queue.QueueDirectory}), queue IDs
 * ({@link org.posthorn.queue.QueueId}), the record format ({@link org.posthorn.queue.RecordWriter},
 * {@link org.posthorn.queue.RecordReader}), and whole queue files: written as cleanup writes
 * them ({@link org.posthorn.queue.QueueFileWriter}), read by qmgr and the delivery agents
 * ({@link org.posthorn.queue.QueueFileReader}) and updated in place
 * ({@link org.posthorn.queue.QueueFileEditor}). Debian's postcat reads our files and Postfix's
 * qmgr and pickup deliver them; our reader reads Postfix's files (see the interop tests).
 */
package org.posthorn.queue;
