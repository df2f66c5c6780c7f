package org.posthorn.cli;

/** One Posthorn command (postconf, postmap, ...): runs with its arguments and returns an exit status. */
public interface Command {
    int run(String[] args) throws Exception;
}
