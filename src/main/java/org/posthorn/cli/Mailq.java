package org.posthorn.cli;

/** mailq(1): Postfix's mailq is sendmail -bp, so the queue listing of postqueue -p, with sendmail's options. */
public final class Mailq implements Command {
    @Override
    public int run(String[] args) throws Exception {
        String[] all = new String[args.length + 1];
        all[0] = "-bp";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Sendmail().run(all);
    }
}
