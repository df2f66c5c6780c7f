package org.posthorn.cli;

import org.posthorn.address.MatchList;
import org.posthorn.address.TableOpener;
import org.posthorn.config.Config;
import org.posthorn.table.TableException;

/**
 * A user list as in authorized_submit_users, authorized_flush_users and
 * authorized_mailq_users (Postfix's string list): login names, {@code !name} to exclude,
 * {@code type:table} lookups ({@code static:anyone} matches everyone) and {@code /file}
 * names. The first matching element decides; no match means not authorized.
 */
final class UserList {
    /** Postfix's default for all three parameters, used while the parameter registry lacks them. */
    static final String DEFAULT = "static:anyone";

    private final String parameter;
    private final MatchList list;

    private UserList(String parameter, MatchList list) {
        this.parameter = parameter;
        this.list = list;
    }

    static UserList of(Config config, String parameter) {
        String value = config.raw(parameter) == null ? DEFAULT : config.get(parameter);
        try {
            return new UserList(parameter, new MatchList(parameter, value, MatchList.Kind.STRING, false, TableOpener.of(config)));
        } catch (TableException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, parameter + ": " + e.getMessage());
        }
    }

    /** Whether the user is on the list. */
    boolean allows(String user) {
        try {
            return list.matches(user);
        } catch (TableException e) {
            throw new CommandFailure(CommandFailure.EX_TEMPFAIL, parameter + ": table lookup problem: " + e.getMessage());
        }
    }
}
