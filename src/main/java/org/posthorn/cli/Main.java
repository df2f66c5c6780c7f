package org.posthorn.cli;

import java.util.Arrays;
import java.util.Map;

/**
 * Entry point of every command launcher in bin/: the first argument names the command
 * (the launcher's file name), the rest are its arguments.
 */
public final class Main {
    /** Command name to the class that implements it; each command lives in its own class. */
    private static final Map<String, String> COMMANDS = Map.ofEntries(
            Map.entry("postfix", "org.posthorn.cli.Postfix"),
            Map.entry("postconf", "org.posthorn.cli.Postconf"),
            Map.entry("postqueue", "org.posthorn.cli.Postqueue"),
            Map.entry("postsuper", "org.posthorn.cli.Postsuper"),
            Map.entry("postmap", "org.posthorn.cli.Postmap"),
            Map.entry("postalias", "org.posthorn.cli.Postalias"),
            Map.entry("sendmail", "org.posthorn.cli.Sendmail"),
            Map.entry("postdrop", "org.posthorn.cli.Postdrop"),
            Map.entry("mailq", "org.posthorn.cli.Mailq"),
            Map.entry("newaliases", "org.posthorn.cli.Newaliases"));

    private Main() {
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    /** Runs a command and returns its exit status; a CommandFailure becomes "name: fatal: text". */
    public static int run(String[] argv) {
        if (argv.length == 0 || !COMMANDS.containsKey(argv[0])) {
            System.err.println("posthorn: fatal: unknown command" + (argv.length == 0 ? "" : " " + argv[0])
                    + "; known: " + String.join(" ", COMMANDS.keySet().stream().sorted().toList()));
            return CommandFailure.EX_USAGE;
        }
        String name = argv[0];
        String[] args = Arrays.copyOfRange(argv, 1, argv.length);
        try {
            Command command = (Command) Class.forName(COMMANDS.get(name)).getDeclaredConstructor().newInstance();
            return command.run(args);
        } catch (CommandFailure e) {
            System.out.flush();
            System.err.println(name + ": fatal: " + e.getMessage());
            return e.status();
        } catch (ReflectiveOperationException e) {
            System.err.println(name + ": fatal: cannot load the command: " + e);
            return CommandFailure.EX_SOFTWARE;
        } catch (Exception e) {
            System.out.flush();
            System.err.println(name + ": fatal: " + e);
            return CommandFailure.EX_SOFTWARE;
        }
    }
}
