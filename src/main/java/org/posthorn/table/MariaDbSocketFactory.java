package org.posthorn.table;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.mariadb.jdbc.Configuration;
import org.mariadb.jdbc.util.ConfigurableSocketFactory;

/**
 * UNIX-domain sockets for the MariaDB driver (mysql "hosts = unix:/path"), whose own support
 * needs JNA: the driver creates this factory by name and hands it its configuration, where the
 * socket's path travels as the option {@value #PATH_OPTION}.
 */
public final class MariaDbSocketFactory extends ConfigurableSocketFactory {
    static final String PATH_OPTION = "posthornUnixSocket";
    private Path path;

    @Override
    public void setConfiguration(Configuration conf, String host) {
        String p = conf.nonMappedOptions().getProperty(PATH_OPTION);
        this.path = p == null ? null : Path.of(p);
    }

    @Override
    public Socket createSocket() throws IOException {
        if (path == null) throw new IOException("no UNIX-domain socket path");
        return new UnixSocketFactory.UnixSocket(path);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        Socket s = createSocket();
        s.connect(null, 0);
        return s;
    }
}
