package org.posthorn.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * master.cf as master(5) defines it: one service per logical line (a line that starts with
 * white space continues the previous one, '#' lines are comments), eight columns, then the
 * command's arguments where {@code -o name=value} and {@code -o { name = value }} override
 * main.cf for that service. A later (name, type) pair replaces an earlier one.
 *
 * <p>FOUNDATION STUB of the parser: the configuration work completes the validation
 * (errors naming file and line) and keeps this API.
 */
public final class MasterCf {
    private final Path file;
    private final List<Service> services;

    private MasterCf(Path file, List<Service> services) {
        this.file = file;
        this.services = services;
    }

    public static MasterCf load(Path configDir) throws IOException, ConfigException {
        Path file = configDir.resolve("master.cf");
        return parse(file, Files.readAllLines(file));
    }

    public static MasterCf parse(Path file, List<String> lines) throws ConfigException {
        Map<String, Service> byKey = new LinkedHashMap<>();
        StringBuilder logical = null;
        int startLine = 0;
        for (int i = 0; i <= lines.size(); i++) {
            String line = i < lines.size() ? lines.get(i) : null;
            boolean comment = line != null && line.stripLeading().startsWith("#");
            boolean blank = line != null && line.isBlank();
            if (line != null && (comment || blank)) continue;
            if (line != null && !line.isEmpty() && Character.isWhitespace(line.charAt(0)) && logical != null) {
                logical.append(' ').append(line.strip());
                continue;
            }
            if (logical != null) {
                Service s = Service.parse(file, startLine, logical.toString());
                byKey.remove(s.name() + "/" + s.type());
                byKey.put(s.name() + "/" + s.type(), s);
            }
            if (line == null) break;
            logical = new StringBuilder(line.strip());
            startLine = i + 1;
        }
        return new MasterCf(file, List.copyOf(byKey.values()));
    }

    public Path file() {
        return file;
    }

    public List<Service> services() {
        return services;
    }

    /**
     * One master.cf row. Columns keep their text as written ("-" for the built-in default);
     * the typed accessors apply master(5)'s defaults.
     *
     * @param line the line in master.cf where the entry starts, for messages
     * @param args the command's words after the command name, -o options included
     */
    public record Service(String name, String type, String privateColumn, String unprivColumn,
                          String chrootColumn, String wakeupColumn, String maxprocColumn,
                          String command, List<String> args, int line) {

        static Service parse(Path file, int line, String text) throws ConfigException {
            List<String> words = splitWords(file, line, text);
            if (words.size() < 8) {
                throw new ConfigException(file + ", line " + line + ": bad field count: " + text);
            }
            return new Service(words.get(0), words.get(1), words.get(2), words.get(3), words.get(4),
                    words.get(5), words.get(6), words.get(7), List.copyOf(words.subList(8, words.size())), line);
        }

        /** Splits on white space; "{ a b }" is one word "a b" (braces and outer spaces removed). */
        static List<String> splitWords(Path file, int line, String text) throws ConfigException {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < text.length()) {
                char c = text.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '{') {
                    int depth = 0, j = i;
                    for (; j < text.length(); j++) {
                        if (text.charAt(j) == '{') depth++;
                        else if (text.charAt(j) == '}' && --depth == 0) break;
                    }
                    if (j >= text.length()) {
                        throw new ConfigException(file + ", line " + line + ": missing '}' in: " + text);
                    }
                    out.add(text.substring(i + 1, j).strip());
                    i = j + 1;
                } else {
                    int j = i;
                    while (j < text.length() && !Character.isWhitespace(text.charAt(j))) j++;
                    out.add(text.substring(i, j));
                    i = j;
                }
            }
            return out;
        }

        /** The -o overrides in order: "-o name=value" and "-o { name = value }". */
        public Map<String, String> overrides() {
            Map<String, String> out = new LinkedHashMap<>();
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                String nv = null;
                if (a.equals("-o") && i + 1 < args.size()) nv = args.get(++i);
                else if (a.startsWith("-o") && a.length() > 2) nv = a.substring(2);
                if (nv == null) continue;
                int eq = nv.indexOf('=');
                if (eq > 0) out.put(nv.substring(0, eq).strip(), nv.substring(eq + 1).strip());
            }
            return out;
        }

        public boolean isPrivate() {
            return !privateColumn.equals("n") && !type.equals("inet");
        }

        public boolean isUnprivileged() {
            return !unprivColumn.equals("n");
        }

        /** Wakeup seconds (0 = none); "N?" means only after the first use. */
        public int wakeupSeconds() {
            String w = wakeupColumn.equals("-") ? "0" : wakeupColumn.replace("?", "");
            return Integer.parseInt(w);
        }

        public boolean wakeupAfterFirstUse() {
            return wakeupColumn.endsWith("?");
        }

        /** maxproc, "-" meaning default_process_limit; 0 means unlimited. */
        public int maxproc(Config config) {
            return maxprocColumn.equals("-") ? config.getInt("default_process_limit") : Integer.parseInt(maxprocColumn);
        }
    }
}
