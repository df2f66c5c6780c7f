package org.posthorn.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.posthorn.config.Config;
import org.posthorn.log.Log;
import org.posthorn.master.PublicSocket;
import org.posthorn.showq.ShowqService;

/**
 * The training run of the commands' AOT cache (JDK 25, -XX:AOTCacheOutput): bin/posthorn
 * runs this once per jar, in the background, and the JVM records the classes the commands
 * load and link. It runs the everyday short commands (postconf, postfix check and status,
 * sendmail -t, postqueue -p with and without a showq service, mailq, postsuper, postmap,
 * postalias) against a throwaway instance in a temporary directory, with small stand-ins
 * for public/pickup and public/showq, and removes the directory at the end. Its output is
 * of no interest (the launcher sends it to /dev/null); it exits 0 unless the set-up fails.
 */
public final class AotTraining {
    private static final String MESSAGE = """
            From: training@example.org
            To: rcpt@example.net, Other <other@example.net>
            Subject: AOT cache training

            A short body.
            """;

    private AotTraining() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("posthorn-aot-training");
        try {
            train(dir);
        } finally {
            deleteTree(dir);
        }
    }

    private static void train(Path dir) throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        String user = System.getProperty("user.name");
        // mail_owner is the caller: postqueue -p may then read the queue directly, as root may
        Files.writeString(etc.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/spool
                data_directory = %1$s/data
                mail_owner = %2$s
                default_privs = %2$s
                myhostname = training.example
                mydestination = $myhostname, localhost
                maillog_file = %1$s/maillog
                maillog_file_prefixes = %1$s
                alias_maps = hash:%1$s/etc/aliases
                alias_database = hash:%1$s/etc/aliases
                """.formatted(dir, user));
        Files.writeString(etc.resolve("master.cf"), """
                pickup    unix  n       -       n       60      1       pickup
                cleanup   unix  n       -       n       -       0       cleanup
                qmgr      unix  n       -       n       300     1       qmgr
                showq     unix  n       -       n       -       -       showq
                """);
        Files.writeString(etc.resolve("aliases"), "postmaster: " + user + "\nlist: a@example.net, b@example.net\n");
        Files.writeString(etc.resolve("access"), "example.net OK\n192.0.2.1 REJECT\n");
        String c = etc.toString();

        // every command names the instance: none may make the checkout's default instance
        run("postconf", "-c", c, "-d", "mail_version");
        run("postconf", "-c", c, "-n");
        run("postconf", "-c", c, "-h", "queue_directory", "myhostname");
        run("postconf", "-c", c, "-M");
        run("postfix", "-c", c, "check"); // makes the queue directories
        run("postfix", "-c", c, "status");
        run("postqueue", "-c", c, "-p"); // master down: the queue read directly
        sendmail("-C", c, "-t");
        sendmail("-C", c, "-f", "sender@example.org", "rcpt@example.net");
        run("postqueue", "-c", c, "-p");
        run("postqueue", "-c", c, "-j");

        // the same with a master's public sockets answering, as on a running system
        Config config = Config.load(etc);
        Path spool = Path.of(config.get("queue_directory"));
        try (ServerSocketChannel pickup = listen(spool, "pickup");
             ServerSocketChannel showq = listen(spool, "showq")) {
            Thread.ofPlatform().daemon().start(() -> serve(pickup, ch -> ch.read(ByteBuffer.allocate(64))));
            Thread.ofPlatform().daemon().start(() -> serve(showq, ch -> ShowqService.reply(ch, config, Log.of("showq"))));
            sendmail("-C", c, "-t");
            run("postqueue", "-c", c, "-p");
            run("mailq", "-C", c);
        }
        run("postsuper", "-c", c, "-d", "ALL");
        run("postmap", "-c", c, "hash:" + etc.resolve("access"));
        run("postmap", "-c", c, "-q", "example.net", "hash:" + etc.resolve("access"));
        run("postalias", "-c", c, "hash:" + etc.resolve("aliases"));
        run("postalias", "-c", c, "-q", "list", "hash:" + etc.resolve("aliases"));
    }

    /** sendmail with the training message on standard input. */
    private static void sendmail(String... args) {
        System.setIn(new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.UTF_8)));
        String[] argv = new String[args.length + 1];
        argv[0] = "sendmail";
        System.arraycopy(args, 0, argv, 1, args.length);
        run(argv);
    }

    /** Runs one command through Main, as the launcher does; its failures are part of the training. */
    private static void run(String... argv) {
        Main.run(argv);
        System.out.flush();
    }

    private static ServerSocketChannel listen(Path spool, String service) throws IOException {
        Path socket = PublicSocket.path(spool, service);
        Files.createDirectories(socket.getParent());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        return server;
    }

    /** What a stand-in service does with one connection. */
    private interface Handler {
        void handle(SocketChannel connection) throws IOException;
    }

    private static void serve(ServerSocketChannel server, Handler handler) {
        while (server.isOpen()) {
            try (SocketChannel ch = server.accept()) {
                handler.handle(ch);
            } catch (IOException e) {
                // closed at the end of training, or a client gone
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = paths.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.deleteIfExists(p);
        }
    }
}
