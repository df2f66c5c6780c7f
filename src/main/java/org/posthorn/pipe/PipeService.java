package org.posthorn.pipe;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.posthorn.address.Quote;
import org.posthorn.config.Config;
import org.posthorn.local.CommandRunner;
import org.posthorn.local.DeliveryFailure;
import org.posthorn.local.Expansion;
import org.posthorn.local.MailCopy;
import org.posthorn.local.Ownership;
import org.posthorn.local.Parameters;
import org.posthorn.local.Passwd;
import org.posthorn.local.UserAccount;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.local.LocalService;

/**
 * pipe(8): hands the message to an external command named by the master.cf row's argv=,
 * with $sender, $recipient ... expanded (an argument that names a per-recipient macro is
 * repeated for each recipient), the flags' headers and quoting applied to the copy, run as
 * user= when we are root. All recipients of a request share the command's outcome.
 */
public final class PipeService implements Service, DeliveryAgent {
    /** Macros that expand once per recipient. */
    private static final Set<String> PER_RECIPIENT = Set.of("recipient", "original_recipient", "user", "extension",
            "mailbox", "domain");

    private volatile Config config;
    private volatile PipeArgs args;
    private volatile String service;
    private volatile Log log;
    private final Passwd passwd;

    public PipeService() {
        this(Passwd.system());
    }

    PipeService(Passwd passwd) {
        this.passwd = passwd;
    }

    /** An agent outside the master (tests): the service name and its master.cf arguments. */
    public static PipeService of(Config config, String service, List<String> masterArgs, Passwd passwd) {
        PipeService s = new PipeService(passwd);
        s.config = Parameters.withDefaults(config);
        s.service = service;
        s.args = PipeArgs.parse(service, masterArgs);
        return s;
    }

    @Override
    public void start(ServiceContext context) {
        config = Parameters.withDefaults(context.config());
        service = context.entry().name();
        log = context.log();
        args = PipeArgs.parse(service, context.entry().args());
        LocalService.register(context, this);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        DeliveryStatus status;
        try {
            run(request);
            status = DeliveryStatus.of("2.0.0", service, "delivered via " + service + " service");
        } catch (DeliveryFailure f) {
            status = DeliveryStatus.of(f.dsn(), service, f.getMessage());
        }
        for (DeliveryRecipient r : request.recipients()) request.report().report(r, status);
    }

    private void run(DeliveryRequest request) throws DeliveryFailure {
        if (args.size() > 0 && request.contentSize() > args.size()) {
            throw new DeliveryFailure("5.2.3", "message too large");
        }
        if ((args.flag('D') || args.flag('O')) && request.recipients().size() > 1) {
            // one Delivered-To/X-Original-To header cannot name several recipients
            throw new DeliveryFailure("4.3.5", "mail system configuration error: flags D and O need "
                    + service + "_destination_recipient_limit = 1");
        }
        UserAccount user = account();
        List<String> argv;
        try {
            argv = expandArgv(request);
        } catch (IllegalArgumentException e) {
            if (log != null) log.warning("%s", e.getMessage());
            throw new DeliveryFailure("4.3.5", "mail system configuration error");
        }
        DeliveryRecipient first = request.recipients().getFirst();
        String orig = first.originalAddress() != null && !first.originalAddress().isEmpty() ? first.originalAddress() : first.address();
        MailCopy copy = new MailCopy(args.flag('F'), args.flag('R'), args.flag('O') ? orig : null,
                args.flag('D') ? first.address() : null, args.flag('>'), args.flag('.'), args.flag('B'), args.eol());
        Map<String, String> env = new HashMap<>();
        for (String name : config.getList("export_environment")) {
            String v = System.getenv(name);
            if (v != null) env.put(name, v);
        }
        env.putIfAbsent("PATH", CommandRunner.DEFAULT_PATH);
        String limitName = service + "_time_limit";
        long limit = config.raw(limitName) != null ? config.getTime(limitName) : config.getTime("command_time_limit");
        CommandRunner.run("pipe", argv, String.join(" ", argv), env, user,
                args.directory() == null ? null : Path.of(args.directory()), Duration.ofSeconds(limit),
                out -> copy.copy(request.queueFile(), request.sender(), out));
    }

    private UserAccount account() throws DeliveryFailure {
        if (args.user() == null) {
            if (Ownership.privileged()) throw new DeliveryFailure("4.3.5", "mail system configuration error: missing user= command-line attribute");
            return null;
        }
        try {
            UserAccount a = passwd.lookup(args.user());
            if (a == null) throw new DeliveryFailure("4.3.5", "mail system configuration error: unknown user name: " + args.user());
            if (a.uid() == 0) throw new DeliveryFailure("4.3.5", "mail system configuration error: user= command-line attribute specifies root privileges");
            if (args.group() == null) return a;
            int gid = groupId(args.group());
            if (gid < 0) throw new DeliveryFailure("4.3.5", "mail system configuration error: unknown group name: " + args.group());
            if (gid == 0) throw new DeliveryFailure("4.3.5", "mail system configuration error: user= command-line attribute specifies privileged group id 0");
            return new UserAccount(a.name(), a.uid(), gid, a.home(), a.shell());
        } catch (IOException e) {
            throw new DeliveryFailure("4.3.0", "cannot look up user " + args.user() + ": " + e.getMessage(), e);
        }
    }

    /** The gid of a group(5) name in /etc/group (user=name:group), or -1. */
    private static int groupId(String group) throws IOException {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/etc/group"))) {
            String[] f = line.split(":", -1);
            if (f.length >= 3 && f[0].equals(group)) {
                try {
                    return Integer.parseInt(f[2]);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The command words with macros expanded; per-recipient words are repeated for each recipient. */
    List<String> expandArgv(DeliveryRequest request) {
        List<String> out = new ArrayList<>();
        Map<String, String> common = commonMacros(request);
        for (String word : args.argv()) {
            if (mentionsRecipient(word)) {
                for (DeliveryRecipient r : request.recipients()) {
                    Map<String, String> m = new HashMap<>(common);
                    m.putAll(recipientMacros(r));
                    out.add(Expansion.of(m, null).strict().expand(word));
                }
            } else {
                out.add(Expansion.of(common, null).strict().expand(word));
            }
        }
        return out;
    }

    private static boolean mentionsRecipient(String word) {
        for (String name : PER_RECIPIENT) {
            if (word.contains("${" + name + "}") || word.contains("$(" + name + ")") || word.contains("${" + name + "?")
                    || word.contains("${" + name + ":") || word.matches(".*\\$" + name + "(?![A-Za-z0-9_]).*")) return true;
        }
        return false;
    }

    private Map<String, String> commonMacros(DeliveryRequest request) {
        Map<String, String> m = new HashMap<>();
        Map<String, String> attrs = request.attributes() == null ? Map.of() : request.attributes();
        String sender = request.sender().isEmpty() ? args.nullSender() : request.sender();
        m.put("sender", args.flag('q') ? Quote.quoteLocal(sender) : sender);
        m.put("nexthop", args.flag('h') ? request.nexthop().toLowerCase(Locale.ROOT) : request.nexthop());
        m.put("queue_id", request.queueId());
        m.put("size", Long.toString(request.contentSize()));
        m.put("client_address", attrs.getOrDefault("client_address", ""));
        m.put("client_hostname", attrs.getOrDefault("client_name", ""));
        m.put("client_helo", attrs.getOrDefault("helo_name", ""));
        m.put("client_port", attrs.getOrDefault("client_port", ""));
        m.put("client_protocol", attrs.getOrDefault("protocol_name", ""));
        m.put("sasl_method", attrs.getOrDefault("sasl_method", ""));
        m.put("sasl_sender", attrs.getOrDefault("sasl_sender", ""));
        m.put("sasl_username", attrs.getOrDefault("sasl_username", ""));
        return m;
    }

    private Map<String, String> recipientMacros(DeliveryRecipient r) {
        Map<String, String> m = new HashMap<>();
        m.put("recipient", address(r.address()));
        String orig = r.originalAddress() != null && !r.originalAddress().isEmpty() ? r.originalAddress() : r.address();
        m.put("original_recipient", address(orig));
        int at = r.address().lastIndexOf('@');
        String local = at < 0 ? r.address() : r.address().substring(0, at);
        String domain = at < 0 ? "" : r.address().substring(at + 1);
        if (args.flag('u')) local = local.toLowerCase(Locale.ROOT);
        if (args.flag('h')) domain = domain.toLowerCase(Locale.ROOT);
        String delims = config.get("recipient_delimiter");
        int split = -1;
        if (!delims.isEmpty()) {
            split = new org.posthorn.address.AddressExtension(delims, config.getBool("owner_request_special"),
                    config.get("double_bounce_sender")).splitPoint(local);
        }
        m.put("mailbox", local);
        m.put("user", split < 0 ? local : local.substring(0, split));
        m.put("extension", split < 0 ? "" : local.substring(split + 1));
        m.put("domain", domain);
        return m;
    }

    /** $recipient / $original_recipient with the u, h and q flags applied. */
    private String address(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? null : address.substring(at + 1);
        if (args.flag('u')) local = local.toLowerCase(Locale.ROOT);
        if (domain != null && args.flag('h')) domain = domain.toLowerCase(Locale.ROOT);
        String a = domain == null ? local : local + "@" + domain;
        return args.flag('q') ? Quote.quoteLocal(a) : a;
    }
}
