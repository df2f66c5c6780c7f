package org.posthorn.local;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.posthorn.address.AddressExtension;
import org.posthorn.cleanup.Cleanup;
import org.posthorn.config.Config;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryReport;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.queue.QueueFileReader;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * One local(8) delivery request: for each recipient, in Postfix's order, the Delivered-To
 * loop check, alias_maps (with owner- aliases, :include:, |command, /file), the user's
 * .forward files (forward_path), then the mailbox (mailbox_transport_maps,
 * mailbox_transport, mailbox_command_maps, mailbox_command, home_mailbox,
 * mail_spool_directory); an unknown user goes to fallback_transport_maps,
 * fallback_transport, luser_relay, or bounces. Addresses that
 * leave this machine are forwarded through cleanup. Duplicate mailboxes, files and
 * commands within the request get one copy.
 */
final class LocalDelivery {
    static final String RELAY = "local";
    /** How deep alias, include and .forward expansion may nest before it counts as a loop. */
    static final int MAX_LEVEL = 100;

    /** The outcome of one final destination of one queue-file recipient. */
    static final class Outcome {
        final DeliveryRecipient view;
        DeliveryStatus status;
        /** The tag of the agent that delivered it, when local(8) passed it on; null for local's own. */
        org.posthorn.log.Log passedTo;

        Outcome(DeliveryRecipient view) {
            this.view = view;
        }

        void succeed(String text) {
            status = DeliveryStatus.of("2.0.0", RELAY, text);
        }

        void fail(DeliveryFailure f) {
            status = DeliveryStatus.of(f.dsn(), RELAY, f.getMessage());
        }
    }

    /**
     * Where a destination came from and whose rights it gets.
     *
     * @param sender      the envelope sender for this branch (owner- aliases replace it)
     * @param source      "alias", "forward", "include", or null at the top
     * @param rights      the account commands and files of this branch run as
     * @param delivered   the local address whose expansion this is (forwarded mail's Delivered-To)
     * @param aliases     alias names being expanded on this branch (an alias naming itself delivers to the user)
     * @param forwards    users whose .forward is being expanded on this branch
     * @param level       nesting depth
     */
    private record Branch(String sender, String source, UserAccount rights, String delivered, Set<String> aliases,
                          Set<String> forwards, int level) {
        Branch with(String source, UserAccount rights, String delivered) {
            return new Branch(sender, source, rights, delivered, aliases, forwards, level + 1);
        }
    }

    private final Config config;
    private final Passwd passwd;
    private final Cleanup cleanup;
    private final DeliveryRequest request;
    private final Function<String, DeliveryAgent> agents;
    private final Function<String, org.posthorn.log.Log> logs;
    private final AddressExtension extensions;
    /** Destinations done in this request (mailbox, file, command, alias, include) and the text they were reported with. */
    private final Map<String, String> duplicates = new HashMap<>();
    private Set<String> deliveredTo;

    LocalDelivery(Config config, Passwd passwd, Cleanup cleanup, DeliveryRequest request) {
        this(config, passwd, cleanup, request, transport -> null, transport -> null);
    }

    /**
     * @param agents other transports' agents by name (mailbox_transport, fallback_transport)
     * @param logs   their logs (the tag on the delivery lines of recipients passed to them)
     */
    LocalDelivery(Config config, Passwd passwd, Cleanup cleanup, DeliveryRequest request,
                  Function<String, DeliveryAgent> agents, Function<String, org.posthorn.log.Log> logs) {
        this.agents = agents;
        this.logs = logs;
        this.config = config;
        this.passwd = passwd;
        this.cleanup = cleanup;
        this.request = request;
        this.extensions = new AddressExtension(config.get("recipient_delimiter"), config.getBool("owner_request_special"),
                config.get("double_bounce_sender"));
    }

    /** Delivers every recipient and reports each. */
    void run() {
        for (DeliveryRecipient r : request.recipients()) {
            List<Outcome> outcomes = deliverRecipient(r);
            report(outcomes);
        }
    }

    /**
     * Reports the outcomes of one queue-file recipient: when any branch must be retried, only
     * the deferrals are reported (the recipient stays in the queue and is tried whole again,
     * as Postfix does); otherwise every sent and bounced branch is.
     */
    private void report(List<Outcome> outcomes) {
        boolean deferred = outcomes.stream().anyMatch(o -> o.status.dsn().startsWith("4"));
        for (Outcome o : outcomes) {
            if (deferred && !o.status.dsn().startsWith("4")) continue;
            if (o.passedTo != null) request.report().report(o.view, o.status, o.passedTo);
            else request.report().report(o.view, o.status);
        }
    }

    List<Outcome> deliverRecipient(DeliveryRecipient r) {
        List<Outcome> outcomes = new ArrayList<>();
        Forwarder forwarder = new Forwarder();
        Branch top = new Branch(request.sender(), null, null, null, Set.of(), Set.of(), 0);
        try {
            deliverAddress(r, top, r.address(), outcomes, forwarder);
        } catch (RuntimeException e) {
            Outcome o = new Outcome(r);
            o.fail(new DeliveryFailure("4.3.0", "local delivery failure: " + e));
            outcomes.add(o);
        }
        forwarder.flush(cleanup, request.queueFile(), prepends("forward"));
        outcomes.removeIf(o -> o.status == null);
        if (outcomes.isEmpty()) {
            // an alias or include file without members: Postfix completes it silently; qmgr needs a report
            outcome(r, r.address(), outcomes).succeed("expansion has no destinations");
        }
        return outcomes;
    }

    private Outcome outcome(DeliveryRecipient r, String address, List<Outcome> outcomes) {
        DeliveryRecipient view = address.equals(r.address()) ? r
                : new DeliveryRecipient(address, r.originalAddress() != null ? r.originalAddress() : r.address(),
                        r.dsnOrigRcpt(), r.dsnNotify(), r.offset());
        Outcome o = new Outcome(view);
        outcomes.add(o);
        return o;
    }

    private String originalRecipient(DeliveryRecipient r) {
        if (r.originalAddress() != null && !r.originalAddress().isEmpty()) return r.originalAddress();
        return config.getBool("enable_original_recipient") ? r.address() : null;
    }

    private boolean prepends(String what) {
        return Parameters.lists(config, "prepend_delivered_header", what);
    }

    private String myorigin() {
        return config.get("myorigin");
    }

    private boolean isLocalDomain(String domain) {
        if (domain.isEmpty()) return true;
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.startsWith("[")) return false;
        for (String m : config.getList("mydestination")) if (m.equalsIgnoreCase(d)) return true;
        return d.equalsIgnoreCase(config.get("myhostname"));
    }

    private void deliverAddress(DeliveryRecipient r, Branch b, String address, List<Outcome> outcomes, Forwarder forwarder) {
        if (address.indexOf('@') < 0) address = address + "@" + myorigin();
        int at = address.lastIndexOf('@');
        String domain = address.substring(at + 1);
        if (!isLocalDomain(domain)) {
            forwarder.add(b.sender(), expanded(r, b), address, () -> outcome(r, r.address(), outcomes));
            return;
        }
        if (b.level() > MAX_LEVEL) {
            outcome(r, address, outcomes).fail(new DeliveryFailure("5.4.6", "mail forwarding loop for " + address));
            return;
        }
        if (loopDetected(address)) {
            outcome(r, address, outcomes).fail(new DeliveryFailure("5.4.6", "mail forwarding loop for " + address));
            return;
        }
        String local = address.substring(0, at).toLowerCase(Locale.ROOT);
        int split = extensions.splitPoint(local);
        String user = split < 0 ? local : local.substring(0, split);
        String extension = split < 0 ? null : local.substring(split + 1);
        try {
            if (!b.aliases().contains(user) && alias(r, b, address, local, user, outcomes, forwarder)) return;
            UserAccount account = passwd.lookup(user);
            Map<String, String> attrs = null;
            if (account != null) {
                attrs = attributes(r, b, address, account, user, extension);
                if (!b.forwards().contains(user) && forward(r, b, address, account, attrs, outcomes, forwarder)) return;
            }
            // as Postfix: mailbox_transport(_maps) take every local user, with an account or not
            if (delegate(r, b, address, user, "mailbox_transport_maps", "mailbox_transport", outcomes)) return;
            if (account == null) {
                unknownUser(r, b, address, user, extension, outcomes, forwarder);
                return;
            }
            Outcome o = outcome(r, address, outcomes);
            mailbox(r, b, address, account, attrs, user, o);
        } catch (DeliveryFailure f) {
            outcome(r, address, outcomes).fail(f);
        } catch (TableException | IOException e) {
            outcome(r, address, outcomes).fail(new DeliveryFailure("4.3.0", "cannot look up " + user + ": " + e.getMessage()));
        }
    }

    /** Whether the message already has a Delivered-To: header with this address. */
    private boolean loopDetected(String address) {
        if (deliveredTo == null) deliveredTo = readDeliveredTo();
        return deliveredTo.contains(address.toLowerCase(Locale.ROOT));
    }

    private Set<String> readDeliveredTo() {
        Set<String> found = new HashSet<>();
        try (QueueFileReader reader = QueueFileReader.open(request.queueFile());
             InputStream in = new java.io.BufferedInputStream(reader.contentStream("\n"))) {
            String header;
            while ((header = HeaderLines.next(in)) != null) {
                if (header.regionMatches(true, 0, "Delivered-To:", 0, 13)) {
                    found.add(header.substring(13).strip().toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException e) {
            // the delivery itself reports the unreadable file
        }
        return found;
    }

    /** alias_maps: true when the name is an alias (its destinations are then delivered). */
    private boolean alias(DeliveryRecipient r, Branch b, String address, String local, String user,
                          List<Outcome> outcomes, Forwarder forwarder) throws TableException, IOException {
        Maps maps = Maps.of("alias_maps", config);
        if (maps.isEmpty()) return false;
        Maps.Match m = maps.find(local, false);
        if (m == null && !local.equals(user)) m = maps.find(user, false);
        if (m == null) return false;
        String name = m.key();
        if (duplicates.putIfAbsent("alias " + r.offset() + " " + b.level() + " " + name, "") != null) return true;
        String sender = b.sender();
        if (!name.startsWith("owner-")) {
            Maps.Match owner = maps.find("owner-" + name, false);
            if (owner != null && !sender.isEmpty()) {
                List<Destination> od = Destination.parse(owner.value());
                sender = config.getBool("expand_owner_alias") && od.size() == 1 && od.get(0) instanceof Destination.Address a
                        ? a.address() : "owner-" + name + "@" + myorigin();
            }
        }
        Set<String> aliases = new HashSet<>(b.aliases());
        aliases.add(user);
        aliases.add(name);
        UserAccount rights = fileRights(tablePath(m.table().name()));
        Branch next = new Branch(sender, "alias", rights, address, aliases, b.forwards(), b.level() + 1);
        for (Destination d : Destination.parse(m.value())) destination(r, next, d, outcomes, forwarder);
        return true;
    }

    private static Path tablePath(String spec) {
        int colon = spec.indexOf(':');
        String file = colon < 0 ? spec : spec.substring(colon + 1);
        return file.startsWith("/") ? Path.of(file) : null;
    }

    /**
     * The account that commands and files of an alias or include file run as: the owner of
     * the file, or default_privs when root owns it; unprivileged, ourselves.
     */
    private UserAccount fileRights(Path file) throws IOException {
        int uid = Ownership.privileged() && file != null ? Ownership.ownerOf(file) : Ownership.selfUid();
        if (Ownership.privileged() && uid <= 0) {
            UserAccount nobody = passwd.lookup(config.get("default_privs"));
            if (nobody != null) return nobody;
            return new UserAccount(config.get("default_privs"), 65534, 65534, "/", "/bin/sh");
        }
        UserAccount a = passwd.byUid(uid);
        return a != null ? a : new UserAccount(System.getProperty("user.name"), uid, uid,
                System.getProperty("user.home"), "/bin/sh");
    }

    /** The user's .forward: true when one was found and not empty. */
    private boolean forward(DeliveryRecipient r, Branch b, String address, UserAccount account, Map<String, String> attrs,
                            List<Outcome> outcomes, Forwarder forwarder) throws DeliveryFailure {
        String paths = config.raw("forward_path");
        if (paths == null || paths.isBlank()) return false;
        Expansion exp = new Expansion(name -> attrs.containsKey(name) ? attrs.get(name) : configValue(name),
                config.get("forward_expansion_filter"));
        for (String entry : paths.split("[,\\s]+")) {
            if (entry.isEmpty()) continue;
            String file = exp.expandDefined(entry);
            if (file == null || file.isEmpty()) continue;
            Path path = Path.of(file);
            if (!Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) continue;
            if (Ownership.privileged()) {
                int owner = Ownership.ownerOf(path);
                if (owner != account.uid() && owner != 0) continue;
            }
            String text;
            try {
                text = Files.readString(path, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new DeliveryFailure("4.3.0", "cannot open " + path + ": " + MailboxFile.reason(e));
            }
            List<Destination> list = Destination.parse(text);
            if (list.isEmpty()) return false;
            Set<String> forwards = new HashSet<>(b.forwards());
            forwards.add(account.name());
            Set<String> aliases = new HashSet<>(b.aliases());
            aliases.add(account.name());
            Branch next = new Branch(b.sender(), "forward", account, address, aliases, forwards, b.level() + 1);
            for (Destination d : list) destination(r, next, d, outcomes, forwarder);
            return true;
        }
        return false;
    }

    private String configValue(String name) {
        return config.raw(name) != null ? config.get(name) : null;
    }

    private void destination(DeliveryRecipient r, Branch b, Destination d, List<Outcome> outcomes, Forwarder forwarder) {
        switch (d) {
            case Destination.Address a -> deliverAddress(r, b, a.address(), outcomes, forwarder);
            case Destination.Mailbox m -> {
                Set<String> aliases = new HashSet<>(b.aliases());
                aliases.add(m.user().toLowerCase(Locale.ROOT));
                Set<String> forwards = new HashSet<>(b.forwards());
                forwards.add(m.user().toLowerCase(Locale.ROOT));
                deliverAddress(r, new Branch(b.sender(), b.source(), b.rights(), b.delivered(), aliases, forwards, b.level() + 1),
                        m.user(), outcomes, forwarder);
            }
            case Destination.Command c -> attempt(outcome(r, expanded(r, b), outcomes), o -> command(r, b, c.command(), o));
            case Destination.File f -> attempt(outcome(r, expanded(r, b), outcomes), o -> file(r, b, f.path(), o));
            case Destination.Include i -> include(r, b, i.path(), outcomes, forwarder);
        }
    }

    /** One command or file delivery whose failure becomes its outcome. */
    @FunctionalInterface
    private interface Attempt {
        void run(Outcome o) throws DeliveryFailure;
    }

    private static void attempt(Outcome o, Attempt a) {
        try {
            a.run(o);
        } catch (DeliveryFailure f) {
            o.fail(f);
        }
    }

    /** The local address whose alias, include or .forward expansion this branch is (to= of its commands and files). */
    private static String expanded(DeliveryRecipient r, Branch b) {
        return b.delivered() != null ? b.delivered() : r.address();
    }

    private void include(DeliveryRecipient r, Branch b, String file, List<Outcome> outcomes, Forwarder forwarder) {
        Path path = Path.of(file);
        String text;
        UserAccount rights;
        try {
            if (!file.startsWith("/")) throw new DeliveryFailure("5.3.5", ":include: " + file + ": not an absolute path");
            Ownership.checkReadable(path, b.rights());
            text = Files.readString(path, StandardCharsets.UTF_8);
            rights = fileRights(path);
        } catch (DeliveryFailure f) {
            outcome(r, expanded(r, b), outcomes).fail(f);
            return;
        } catch (IOException e) {
            String dsn = e instanceof java.nio.file.NoSuchFileException ? "5.3.0" : "4.3.0";
            outcome(r, expanded(r, b), outcomes).fail(new DeliveryFailure(dsn, "cannot open include file " + file + ": " + MailboxFile.reason(e)));
            return;
        }
        if (duplicates.putIfAbsent("include " + r.offset() + " " + file, "") != null) return;
        Branch next = b.with("include", rights, b.delivered());
        for (Destination d : Destination.parse(text)) destination(r, next, d, outcomes, forwarder);
    }

    private boolean allowed(String parameter, Branch b) {
        return b.source() == null || Parameters.lists(config, parameter, b.source());
    }

    private void command(DeliveryRecipient r, Branch b, String command, Outcome o) throws DeliveryFailure {
        if (!allowed("allow_mail_to_commands", b)) throw new DeliveryFailure("5.7.1", "mail to command is restricted");
        UserAccount rights = unprivileged(b.rights());
        String key = "command " + (rights == null ? -1 : rights.uid()) + " " + command;
        if (duplicate(key, o)) return;
        String address = o.view.address();
        Map<String, String> env = environment(r, b, address, "forward".equals(b.source()) ? b.rights() : null);
        MailCopy copy = MailCopy.command(originalRecipient(r), prepends("command") ? address : null);
        runCommand(command, env, rights, copy, b.sender());
        done(key, o, "delivered to command: " + command);
    }

    /**
     * Whether this destination already had its copy in this request. Postfix delivers one
     * copy and says nothing more; qmgr here needs every recipient reported, so the repeat is
     * reported sent with the first copy's text.
     */
    private boolean duplicate(String key, Outcome o) {
        String text = duplicates.get(key);
        if (text == null) return false;
        o.succeed(text);
        return true;
    }

    private void done(String key, Outcome o, String text) {
        duplicates.put(key, text);
        o.succeed(text);
    }

    /**
     * The account a command or file delivery really runs as: never root when we are root
     * (a root recipient's commands and files run as default_privs, as in Postfix).
     */
    private UserAccount unprivileged(UserAccount rights) throws DeliveryFailure {
        if (!Ownership.privileged() || rights == null || rights.uid() != 0) return rights;
        try {
            UserAccount nobody = passwd.lookup(config.get("default_privs"));
            if (nobody == null || nobody.uid() == 0) {
                throw new DeliveryFailure("4.3.5", "mail system configuration error: default_privs: unknown or privileged user "
                        + config.get("default_privs"));
            }
            return nobody;
        } catch (IOException e) {
            throw new DeliveryFailure("4.3.0", "cannot look up default_privs: " + e.getMessage(), e);
        }
    }

    private void runCommand(String command, Map<String, String> env, UserAccount rights, MailCopy copy, String sender)
            throws DeliveryFailure {
        String dir = config.get("command_execution_directory");
        CommandRunner.run(RELAY, CommandRunner.shellArgv(command, config.get("local_command_shell")), command, env, rights,
                dir.isBlank() ? null : Path.of(dir), Duration.ofSeconds(config.getTime("command_time_limit")),
                out -> copy.copy(request.queueFile(), sender, out));
    }

    private void file(DeliveryRecipient r, Branch b, String path, Outcome o) throws DeliveryFailure {
        if (!allowed("allow_mail_to_files", b)) throw new DeliveryFailure("5.7.1", "mail to file is restricted");
        UserAccount rights = unprivileged(b.rights());
        String key = "file " + (rights == null ? -1 : rights.uid()) + " " + path;
        if (duplicate(key, o)) return;
        String address = o.view.address();
        String delivered = prepends("file") ? address : null;
        long limit = config.getSize("mailbox_size_limit");
        try {
            Ownership.checkWritable(Path.of(path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path), rights);
            if (path.endsWith("/")) {
                Maildir.deliver(Path.of(path), rights, limit, MailCopy.maildir(originalRecipient(r), delivered),
                        request.queueFile(), b.sender());
                done(key, o, "delivered to maildir");
            } else {
                MailboxLock lock = new MailboxLock(List.of("fcntl"), config.getInt("deliver_lock_attempts"),
                        Duration.ofSeconds(config.getTime("deliver_lock_delay")), Duration.ofSeconds(config.getTime("stale_lock_time")));
                MailboxFile.append(Path.of(path), rights, lock, limit, MailCopy.mbox(originalRecipient(r), delivered),
                        request.queueFile(), b.sender());
                done(key, o, "delivered to file: " + path);
            }
        } catch (DeliveryFailure f) {
            throw new DeliveryFailure(f.dsn(), "cannot append message to file " + path + ": " + f.getMessage(), f);
        }
    }

    private void mailbox(DeliveryRecipient r, Branch b, String address, UserAccount account, Map<String, String> attrs,
                         String user, Outcome o) throws DeliveryFailure, TableException {
        String key = "mailbox " + account.name();
        if (duplicate(key, o)) return;
        Maps commandMaps = Maps.of("mailbox_command_maps", config);
        Maps.Match perUser = commandMaps.isEmpty() ? null : commandMaps.find(user, false);
        String command = perUser != null ? perUser.value() : config.raw("mailbox_command");
        if (command != null && !command.isBlank()) {
            String expanded = new Expansion(name -> attrs.containsKey(name) ? attrs.get(name) : configValue(name),
                    config.get("command_expansion_filter")).expand(command);
            UserAccount rights = unprivileged(account);
            Map<String, String> env = environment(r, b, address, account);
            runCommand(expanded, env, rights, MailCopy.command(originalRecipient(r), address), b.sender());
            done(key, o, "delivered to command: " + expanded);
            return;
        }
        long limit = config.getSize("mailbox_size_limit");
        String home = config.get("home_mailbox");
        Path box;
        if (!home.isEmpty()) {
            box = Path.of(account.home()).resolve(home);
        } else {
            String spool = config.get("mail_spool_directory");
            box = Path.of(spool).resolve(account.name());
            if (spool.endsWith("/")) home = "/";
        }
        if (home.endsWith("/")) {
            try {
                Maildir.deliver(box, account, limit, MailCopy.maildir(originalRecipient(r), address), request.queueFile(), b.sender());
            } catch (DeliveryFailure f) {
                throw new DeliveryFailure(f.dsn(), "maildir delivery failed: " + f.getMessage(), f);
            }
            done(key, o, "delivered to maildir");
            return;
        }
        try {
            MailboxFile.append(box, account, Parameters.lock(config, "mailbox_delivery_lock"), limit,
                    MailCopy.mbox(originalRecipient(r), address), request.queueFile(), b.sender());
        } catch (DeliveryFailure f) {
            throw new DeliveryFailure(f.dsn(), "cannot update mailbox " + box + " for user " + account.name() + ". "
                    + f.getMessage(), f);
        }
        done(key, o, "delivered to mailbox");
    }

    /**
     * mailbox_transport(_maps) and fallback_transport(_maps): the recipient goes to the
     * named transport's agent, as Postfix's local(8) passes it on with deliver_pass. The
     * maps are looked up by user name; a value or the parameter is {@code transport} or
     * {@code transport:nexthop} (the nexthop defaults to this request's). The outcome is the
     * other agent's, with its relay= and text. False when neither is set.
     */
    private boolean delegate(DeliveryRecipient r, Branch b, String address, String user, String mapsParameter,
                             String parameter, List<Outcome> outcomes) throws TableException {
        Maps maps = Maps.of(mapsParameter, config);
        Maps.Match m = maps.isEmpty() ? null : maps.find(user, false);
        String spec = m != null ? m.value().strip() : config.get(parameter).strip();
        if (spec.isEmpty()) return false;
        Outcome o = outcome(r, address, outcomes);
        if (duplicate("transport " + spec + " " + address, o)) return true;
        int colon = spec.indexOf(':');
        String transport = colon < 0 ? spec : spec.substring(0, colon);
        String nexthop = colon < 0 || colon + 1 == spec.length() ? request.nexthop() : spec.substring(colon + 1);
        DeliveryAgent agent = agents.apply(transport);
        if (agent == null) {
            o.fail(new DeliveryFailure("4.3.0", "mail transport unavailable"));
            return true;
        }
        DeliveryRecipient passed = new DeliveryRecipient(address, originalRecipient(r), r.dsnOrigRcpt(), r.dsnNotify(),
                r.offset());
        PassedReport report = new PassedReport();
        try {
            agent.deliver(new DeliveryRequest(transport, nexthop, request.queueId(), request.queueFile(), request.arrival(),
                    request.activeSince(), b.sender(), request.contentSize(), request.dsnRet(), request.dsnEnvid(),
                    request.attributes(), List.of(passed), report, request.backlog()));
        } catch (Exception e) {
            o.fail(new DeliveryFailure("4.3.0", "unknown mail transport error"));
            return true;
        }
        o.status = report.status != null ? report.status : DeliveryStatus.of("4.3.0", RELAY, "unknown mail transport error");
        if (report.status != null) o.passedTo = logs.apply(transport);
        return true;
    }

    /** Catches the outcome of a recipient passed to another transport; local(8) reports it. */
    private static final class PassedReport implements DeliveryReport {
        volatile DeliveryStatus status;

        @Override
        public void sent(DeliveryRecipient recipient, DeliveryStatus s) {
            status = s;
        }

        @Override
        public void deferred(DeliveryRecipient recipient, DeliveryStatus s) {
            status = s;
        }

        @Override
        public void bounced(DeliveryRecipient recipient, DeliveryStatus s) {
            status = s;
        }
    }

    private void unknownUser(DeliveryRecipient r, Branch b, String address, String user, String extension,
                             List<Outcome> outcomes, Forwarder forwarder) {
        try {
            if (delegate(r, b, address, user, "fallback_transport_maps", "fallback_transport", outcomes)) return;
        } catch (TableException e) {
            outcome(r, address, outcomes).fail(new DeliveryFailure("4.3.0", "table lookup failure"));
            return;
        }
        String relay = config.raw("luser_relay");
        if (relay != null && !relay.isBlank() && b.level() == 0) {
            Map<String, String> attrs = attributes(r, b, address, null, user, extension);
            String target = new Expansion(name -> attrs.containsKey(name) ? attrs.get(name) : configValue(name),
                    config.get("forward_expansion_filter")).expand(relay).strip();
            Set<String> aliases = new HashSet<>(b.aliases());
            aliases.add(user);
            deliverAddress(r, new Branch(b.sender(), b.source(), b.rights(), address, aliases, b.forwards(), b.level() + 1),
                    target, outcomes, forwarder);
            return;
        }
        outcome(r, address, outcomes).fail(new DeliveryFailure("5.1.1", "unknown user: \"" + user + "\""));
    }

    /** The names forward_path, luser_relay and mailbox_command can use. */
    private Map<String, String> attributes(DeliveryRecipient r, Branch b, String address, UserAccount account, String user,
                                           String extension) {
        Map<String, String> a = new HashMap<>();
        int at = address.lastIndexOf('@');
        a.put("user", user);
        a.put("local", address.substring(0, at).toLowerCase(Locale.ROOT));
        a.put("domain", address.substring(at + 1));
        a.put("recipient", address);
        a.put("mailbox", user);
        String delim = config.get("recipient_delimiter");
        if (!delim.isEmpty()) {
            int split = extensions.splitPoint(address.substring(0, at).toLowerCase(Locale.ROOT));
            if (extension != null) a.put("recipient_delimiter", address.substring(split, split + 1));
            else a.put("recipient_delimiter", delim.substring(0, 1));
        }
        if (extension != null) a.put("extension", extension);
        if (account != null) {
            a.put("home", account.home());
            a.put("shell", account.shell());
        }
        return a;
    }

    /**
     * The environment of a delivery command as Postfix's local(8) sets it: USER and LOGNAME
     * are the recipient's user name (for an alias command, the alias name), HOME and SHELL
     * come only with a user's own account (.forward commands, mailbox_command).
     */
    private Map<String, String> environment(DeliveryRecipient r, Branch b, String address, UserAccount user) {
        Map<String, String> env = new HashMap<>();
        for (String name : config.getList("export_environment")) {
            String v = System.getenv(name);
            if (v != null) env.put(name, v);
        }
        env.put("PATH", CommandRunner.DEFAULT_PATH);
        String filter = config.get("command_expansion_filter");
        int at = address.lastIndexOf('@');
        String local = address.substring(0, at).toLowerCase(Locale.ROOT);
        int split = extensions.splitPoint(local);
        put(env, "USER", split < 0 ? local : local.substring(0, split), filter);
        put(env, "LOGNAME", env.get("USER"), filter);
        if (user != null) {
            env.put("HOME", user.home());
            env.put("SHELL", user.shell());
        }
        put(env, "SENDER", b.sender(), filter);
        put(env, "RECIPIENT", address, filter);
        put(env, "LOCAL", local, filter);
        put(env, "DOMAIN", address.substring(at + 1), filter);
        if (split >= 0) put(env, "EXTENSION", local.substring(split + 1), filter);
        String orig = originalRecipient(r);
        if (orig != null) put(env, "ORIGINAL_RECIPIENT", orig, filter);
        Map<String, String> attrs = request.attributes() == null ? Map.of() : request.attributes();
        put(env, "CLIENT_ADDRESS", attrs.get("client_address"), filter);
        put(env, "CLIENT_HOSTNAME", attrs.get("client_name"), filter);
        put(env, "CLIENT_HELO", attrs.get("helo_name"), filter);
        put(env, "CLIENT_PROTOCOL", attrs.get("protocol_name"), filter);
        put(env, "SASL_METHOD", attrs.get("sasl_method"), filter);
        put(env, "SASL_USERNAME", attrs.get("sasl_username"), filter);
        put(env, "SASL_SENDER", attrs.get("sasl_sender"), filter);
        if (request.dsnEnvid() != null) put(env, "ENVID", request.dsnEnvid(), filter);
        return env;
    }

    private static void put(Map<String, String> env, String name, String value, String allowed) {
        if (value == null) return;
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) b.append(allowed.indexOf(c) >= 0 ? c : '_');
        env.put(name, b.toString());
    }
}
