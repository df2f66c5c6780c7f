package org.posthorn.cli;

import java.util.Arrays;

/**
 * POSIX getopt(3), as Postfix's commands parse their options: clustered flags ("-nh"),
 * an argument attached or in the next word ("-cDIR", "-c DIR"), "--" ends the options,
 * and the first non-option word ends them too.
 */
public final class Getopt {
    private final String program;
    private final String[] args;
    private final String optstring;
    private int index;
    private int within = 1;
    private String optarg;

    public Getopt(String program, String[] args, String optstring) {
        this.program = program;
        this.args = args;
        this.optstring = optstring;
    }

    /** The next option character, or -1 when the options end. Unknown options fail with a usage error. */
    public int next() {
        optarg = null;
        if (within == 1) {
            if (index >= args.length) return -1;
            String a = args[index];
            if (a.equals("--")) {
                index++;
                return -1;
            }
            if (a.length() < 2 || a.charAt(0) != '-') return -1;
        }
        String word = args[index];
        char c = word.charAt(within++);
        int at = c == ':' ? -1 : optstring.indexOf(c);
        if (at < 0) {
            advanceIfWordDone(word);
            throw new CommandFailure(CommandFailure.EX_USAGE, "invalid option -- '" + c + "'\n" + usageHint());
        }
        boolean takesArg = at + 1 < optstring.length() && optstring.charAt(at + 1) == ':';
        if (takesArg) {
            if (within < word.length()) {
                optarg = word.substring(within);
            } else if (index + 1 < args.length) {
                optarg = args[++index];
            } else {
                index++;
                within = 1;
                throw new CommandFailure(CommandFailure.EX_USAGE, "option requires an argument -- '" + c + "'\n" + usageHint());
            }
            index++;
            within = 1;
        } else {
            advanceIfWordDone(word);
        }
        return c;
    }

    private void advanceIfWordDone(String word) {
        if (within >= word.length()) {
            index++;
            within = 1;
        }
    }

    private String usageHint() {
        return program + ": usage: see the " + program + "(1) manual";
    }

    /** The argument of the option last returned by {@link #next()}. */
    public String optarg() {
        return optarg;
    }

    /** The words after the options. */
    public String[] operands() {
        return Arrays.copyOfRange(args, Math.min(index, args.length), args.length);
    }
}
