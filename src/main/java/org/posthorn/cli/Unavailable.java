package org.posthorn.cli;

/** A command whose function arrives with later work: says so and exits with EX_UNAVAILABLE (69). */
abstract class Unavailable implements Command {
    private final String name;
    private final String comesWith;

    Unavailable(String name, String comesWith) {
        this.name = name;
        this.comesWith = comesWith;
    }

    @Override
    public int run(String[] args) {
        throw new CommandFailure(CommandFailure.EX_UNAVAILABLE,
                name + " is not available yet in this Posthorn version: it arrives with " + comesWith);
    }
}
