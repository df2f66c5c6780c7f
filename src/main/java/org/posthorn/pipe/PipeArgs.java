package org.posthorn.pipe;

import java.util.ArrayList;
import java.util.List;

/**
 * The pipe(8) attributes of a master.cf row: {@code flags=}, {@code user=}, {@code size=},
 * {@code eol=}, {@code null_sender=}, {@code directory=}, and {@code argv=} with everything
 * after it. {@code -o name=value} options are the master's and are skipped here.
 */
record PipeArgs(String flags, String user, String group, long size, String eol, String nullSender, String directory,
                List<String> argv) {

    static PipeArgs parse(String service, List<String> args) {
        String flags = "";
        String user = null;
        String group = null;
        long size = 0;
        String eol = "\n";
        String nullSender = "MAILER-DAEMON";
        String directory = null;
        List<String> argv = null;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-o")) {
                i++;
                continue;
            }
            if (a.startsWith("argv=")) {
                argv = new ArrayList<>();
                argv.add(a.substring(5));
                argv.addAll(args.subList(i + 1, args.size()));
                break;
            }
            int eq = a.indexOf('=');
            if (eq < 0) throw new IllegalArgumentException(service + ": unknown attribute name: " + a);
            String name = a.substring(0, eq);
            String value = a.substring(eq + 1);
            switch (name) {
                case "flags" -> flags = value;
                case "user" -> {
                    int colon = value.indexOf(':');
                    user = colon < 0 ? value : value.substring(0, colon);
                    group = colon < 0 ? null : value.substring(colon + 1);
                }
                case "size" -> {
                    try {
                        size = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(service + ": bad size= attribute: " + value);
                    }
                }
                case "eol" -> eol = unescape(value);
                case "null_sender" -> nullSender = value;
                case "directory" -> directory = value;
                case "chroot" -> { }
                default -> throw new IllegalArgumentException(service + ": unknown attribute name: " + name);
            }
        }
        if (argv == null || argv.get(0).isEmpty()) throw new IllegalArgumentException(service + ": missing argv= command-line attribute");
        return new PipeArgs(flags, user, group, size, eol, nullSender, directory, List.copyOf(argv));
    }

    /** C-style escapes of eol= (\n, \r, \t, \\, octal). */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'a' -> b.append('\007');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'v' -> b.append('\013');
                default -> {
                    if (n >= '0' && n <= '7') {
                        int v = 0, k = 0;
                        while (k < 3 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7') {
                            v = v * 8 + (s.charAt(i++) - '0');
                            k++;
                        }
                        i--;
                        b.append((char) v);
                    } else {
                        b.append(n);
                    }
                }
            }
        }
        return b.toString();
    }

    boolean flag(char f) {
        return flags.indexOf(f) >= 0;
    }
}
