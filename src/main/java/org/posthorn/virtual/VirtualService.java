package org.posthorn.virtual;

import java.nio.file.Path;
import java.util.Locale;
import org.posthorn.config.Config;
import org.posthorn.local.DeliveryFailure;
import org.posthorn.local.MailCopy;
import org.posthorn.local.MailboxFile;
import org.posthorn.local.Maildir;
import org.posthorn.local.Parameters;
import org.posthorn.local.UserAccount;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.DeliveryRecipient;
import org.posthorn.qmgr.DeliveryRequest;
import org.posthorn.qmgr.DeliveryStatus;
import org.posthorn.local.LocalService;
import org.posthorn.table.AddressLookup;
import org.posthorn.table.Maps;
import org.posthorn.table.TableException;

/**
 * virtual(8): mailbox delivery for hosted domains. The mailbox is
 * $virtual_mailbox_base/ plus the virtual_mailbox_maps result (a trailing '/' selects
 * Maildir), owned by the virtual_uid_maps and virtual_gid_maps ids, which must not be below
 * virtual_minimum_uid; no aliases, .forward files or commands.
 */
public final class VirtualService implements Service, DeliveryAgent {
    static final String RELAY = "virtual";
    private volatile Config config;

    public VirtualService() {
    }

    /** An agent outside the master (tests). */
    public static VirtualService of(Config config) {
        VirtualService s = new VirtualService();
        s.config = Parameters.withDefaults(config);
        return s;
    }

    @Override
    public void start(ServiceContext context) {
        config = Parameters.withDefaults(context.config());
        LocalService.register(context, this);
    }

    @Override
    public void deliver(DeliveryRequest request) {
        for (DeliveryRecipient r : request.recipients()) {
            DeliveryStatus status;
            try {
                status = DeliveryStatus.of("2.0.0", RELAY, deliverOne(request, r));
            } catch (DeliveryFailure f) {
                status = DeliveryStatus.of(f.dsn(), RELAY, f.getMessage());
            }
            request.report().report(r, status);
        }
    }

    private String deliverOne(DeliveryRequest request, DeliveryRecipient r) throws DeliveryFailure {
        String address = r.address().toLowerCase(Locale.ROOT);
        String delimiters = config.get("recipient_delimiter");
        try {
            Maps.Match box = AddressLookup.mailAddress(Maps.of("virtual_mailbox_maps", config), address, delimiters, d -> false);
            if (box == null) throw new DeliveryFailure("5.1.1", "unknown user: \"" + address + "\"");
            int uid = id("virtual_uid_maps", address, delimiters);
            int gid = id("virtual_gid_maps", address, delimiters);
            int minimum = config.getInt("virtual_minimum_uid");
            if (uid < minimum) {
                throw new DeliveryFailure("4.3.5", "mail system configuration error: bad uid " + uid
                        + " in virtual_uid_maps (minimum is " + minimum + ")");
            }
            UserAccount owner = new UserAccount(address, uid, gid, "/", "/bin/sh");
            String base = config.get("virtual_mailbox_base");
            String value = box.value().strip();
            Path path = Path.of(base.isEmpty() ? "/" : base).resolve(value.startsWith("/") ? value.substring(1) : value);
            long limit = config.getSize("virtual_mailbox_limit");
            String orig = r.originalAddress() != null && !r.originalAddress().isEmpty() ? r.originalAddress()
                    : config.getBool("enable_original_recipient") ? r.address() : null;
            if (value.endsWith("/")) {
                try {
                    Maildir.deliver(path, owner, limit, MailCopy.maildir(orig, r.address()), request.queueFile(), request.sender());
                } catch (DeliveryFailure f) {
                    throw new DeliveryFailure(f.dsn(), "maildir delivery failed: " + f.getMessage(), f);
                }
                return "delivered to maildir";
            }
            try {
                MailboxFile.append(path, owner, Parameters.lock(config, "virtual_mailbox_lock"), limit,
                        MailCopy.mbox(orig, r.address()), request.queueFile(), request.sender());
            } catch (DeliveryFailure f) {
                throw new DeliveryFailure(f.dsn(), "cannot update mailbox " + path + " for user " + address + ". "
                        + f.getMessage(), f);
            }
            return "delivered to mailbox";
        } catch (TableException e) {
            throw new DeliveryFailure("4.3.0", "virtual mailbox lookup failure: " + e.getMessage(), e);
        }
    }

    private int id(String parameter, String address, String delimiters) throws TableException, DeliveryFailure {
        Maps.Match m = AddressLookup.mailAddress(Maps.of(parameter, config), address, delimiters, d -> false);
        if (m == null) throw new DeliveryFailure("4.3.5", "mail system configuration error: recipient " + address
                + ": no " + parameter + " entry");
        try {
            return Integer.parseInt(m.value().strip());
        } catch (NumberFormatException e) {
            throw new DeliveryFailure("4.3.5", "mail system configuration error: recipient " + address
                    + ": bad " + parameter + " result: " + m.value());
        }
    }
}
