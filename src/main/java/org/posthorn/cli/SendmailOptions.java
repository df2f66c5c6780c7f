package org.posthorn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of sendmail(1) as Postfix reads it: getopt over
 * {@code A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx}, where {@code -q} may also stand
 * alone, then the recipients. Options Postfix ignores are accepted and ignored; bad
 * values of -B and -b are fatal as in Postfix, bad -N and -R values give a warning.
 */
final class SendmailOptions {
    /** What the command was asked to do (-bm, -bp, -bi, ...). */
    enum Mode { MAIL, MAILQ, NEWALIASES, DAEMON, SMTP, VERIFY, FLUSH, FLUSH_SITE, FLUSH_ID, NOTHING }

    static final String OPTSTRING = "A:B:C:F:GIL:N:O:R:UV:X:b:ce:f:h:imno:p:r:q:tvx";

    /** DSN NOTIFY bits as Postfix stores them in notify_flags. */
    static final int NOTIFY_NEVER = 1;
    static final int NOTIFY_SUCCESS = 2;
    static final int NOTIFY_FAILURE = 4;
    static final int NOTIFY_DELAY = 8;

    /** The longest -V envelope ID Postfix takes (RFC 3461 allows 100 characters). */
    static final int ENVID_LIMIT = 100;

    Mode mode = Mode.MAIL;
    String configDir;
    String sender;
    String fullName;
    boolean extractRecipients;
    boolean dotEndsInput = true;
    int verbose;
    String encoding;
    int notifyFlags;
    int retFlags;
    String envid;
    String verp;
    String flushArgument;
    final List<String> warnings = new ArrayList<>();
    List<String> recipients = List.of();

    /** Parses the arguments; a usage error is a CommandFailure after the getopt-style message on stderr. */
    static SendmailOptions parse(String[] args) {
        SendmailOptions o = new SendmailOptions();
        int i = 0;
        for (; i < args.length; i++) {
            String word = args[i];
            if (word.equals("--")) {
                i++;
                break;
            }
            if (word.length() < 2 || word.charAt(0) != '-') break;
            for (int at = 1; at < word.length(); at++) {
                char c = word.charAt(at);
                int spec = c == ':' ? -1 : OPTSTRING.indexOf(c);
                if (spec < 0) usage("invalid option -- '" + c + "'");
                boolean takesArg = spec + 1 < OPTSTRING.length() && OPTSTRING.charAt(spec + 1) == ':';
                if (!takesArg) {
                    o.flag(c);
                    continue;
                }
                String arg;
                if (at + 1 < word.length()) {
                    arg = word.substring(at + 1);
                } else if (c == 'q') {
                    arg = "";       // -q alone: flush the queue
                } else if (i + 1 < args.length) {
                    arg = args[++i];
                } else {
                    usage("option requires an argument -- '" + c + "'");
                    return o;
                }
                if (c == 'q' && (arg.equals("R") || arg.equals("I")) && i + 1 < args.length) arg += args[++i]; // -qR site
                o.option(c, arg);
                break;
            }
        }
        List<String> rcpt = new ArrayList<>();
        for (; i < args.length; i++) rcpt.addAll(AddressList.parse(args[i]));
        o.recipients = rcpt;
        return o;
    }

    private static void usage(String problem) {
        // Postfix's sendmail scans its options twice, so the complaint appears twice
        System.err.println("sendmail: " + problem);
        System.err.println("sendmail: " + problem);
        throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "usage: sendmail [options]");
    }

    private void flag(char c) {
        switch (c) {
            case 'I' -> mode = Mode.NEWALIASES;
            case 'i' -> dotEndsInput = false;
            case 't' -> extractRecipients = true;
            case 'v' -> verbose++;
            default -> {
                // -G -U -c -m -n -x: accepted and ignored, as Postfix does
            }
        }
    }

    private void option(char c, String arg) {
        switch (c) {
            case 'B' -> encoding = switch (arg.toUpperCase(Locale.ROOT)) {
                case "8BITMIME" -> "8bit";
                case "7BIT" -> "7bit";
                default -> throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "-B option needs 8BITMIME or 7BIT");
            };
            case 'C' -> configDir = arg;
            case 'F' -> fullName = arg;
            case 'f', 'r' -> sender = arg;
            case 'N' -> notify(arg);
            case 'R' -> {
                switch (arg.toLowerCase(Locale.ROOT)) {
                    case "full" -> retFlags = 1;
                    case "hdrs" -> retFlags = 2;
                    default -> warnings.add("bad -R option value -- ignored");
                }
            }
            case 'V' -> {
                if (arg.length() > ENVID_LIMIT) warnings.add("too long -V option value -- ignored");
                else envid = arg;
            }
            case 'X' -> {
                if (arg.startsWith("V")) verp = arg.substring(1); // "" means default_verp_delimiters
                // -X log_file: ignored
            }
            case 'b' -> mode = switch (arg) {
                case "d" -> Mode.DAEMON;
                case "h", "H" -> Mode.NOTHING;
                case "i" -> Mode.NEWALIASES;
                case "l", "m" -> Mode.MAIL;
                case "p" -> Mode.MAILQ;
                case "s" -> Mode.SMTP;
                case "v" -> Mode.VERIFY;
                default -> throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "unsupported: -b" + arg);
            };
            case 'o' -> {
                if (arg.equals("i")) dotEndsInput = false;
                // -o7 -o8 -om -oAfile -oX value: ignored, as Postfix does
            }
            case 'q' -> {
                if (arg.isEmpty()) {
                    mode = Mode.FLUSH;
                } else if (arg.startsWith("R")) {
                    mode = Mode.FLUSH_SITE;
                    flushArgument = arg.substring(1);
                } else if (arg.startsWith("I")) {
                    mode = Mode.FLUSH_ID;
                    flushArgument = arg.substring(1);
                } else if (arg.startsWith("S")) {
                    throw new CommandFailure(CommandFailure.EX_TEMPFAIL, "-qS is not implemented");
                } else {
                    mode = Mode.NOTHING; // -q<interval>: ignored
                }
            }
            default -> {
                // -A -L -O -e -h -p: ignored, as Postfix does
            }
        }
    }

    /** -N: success, delay, failure (comma or space separated) or never. */
    private void notify(String arg) {
        int mask = 0;
        boolean bad = false;
        for (String word : arg.split("[,\\s]+")) {
            if (word.isEmpty()) continue;
            switch (word.toLowerCase(Locale.ROOT)) {
                case "never" -> mask |= NOTIFY_NEVER;
                case "success" -> mask |= NOTIFY_SUCCESS;
                case "failure" -> mask |= NOTIFY_FAILURE;
                case "delay" -> mask |= NOTIFY_DELAY;
                default -> {
                    warnings.add("unknown DSN NOTIFY command value \"" + word + "\" in \"" + arg + "\"");
                    bad = true;
                }
            }
        }
        if ((mask & NOTIFY_NEVER) != 0 && mask != NOTIFY_NEVER) bad = true;
        if (bad || mask == 0) {
            warnings.add("bad -N option value -- ignored");
            return;
        }
        notifyFlags = mask;
    }
}
