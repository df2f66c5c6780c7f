package org.posthorn.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.posthorn.config.Config;
import org.posthorn.config.MasterCf;
import org.posthorn.log.Log;
import org.posthorn.master.Service;
import org.posthorn.master.ServiceContext;
import org.posthorn.master.ServiceRegistry;
import org.posthorn.qmgr.DeliveryAgent;
import org.posthorn.qmgr.Transports;

/** The agents start as master services and sign up with qmgr under their row's name. */
class ServiceStartTest {
    @TempDir
    Path tmp;

    record Registered(String transport, DeliveryAgent agent, int maxproc) {
    }

    private ServiceContext context(String row, List<Registered> registered, boolean withQmgr) throws Exception {
        MasterCf.Service entry = MasterCf.parse(tmp.resolve("master.cf"), List.of(row)).services().get(0);
        Config config = Config.of(tmp, Map.of("default_process_limit", "100"));
        return new ServiceContext() {
            @Override
            public MasterCf.Service entry() {
                return entry;
            }

            @Override
            public Config config() {
                return config;
            }

            @Override
            public Log log() {
                return Log.of("test");
            }

            @Override
            public Path queueDirectory() {
                return tmp;
            }

            @Override
            @SuppressWarnings("unchecked")
            public <T> T seam(Class<T> type) {
                if (type == Transports.class && withQmgr) {
                    return (T) (Transports) (t, a, m) -> registered.add(new Registered(t, a, m));
                }
                throw new IllegalStateException("no " + type.getSimpleName());
            }

            @Override
            public boolean stopping() {
                return false;
            }
        };
    }

    @Test
    void programsRegisterUnderTheirServiceName() throws Exception {
        List<Registered> seen = new ArrayList<>();
        for (String row : List.of("local unix - n n - - local", "virtual unix - n n - 7 virtual",
                "uucp unix - n n - 3 pipe flags=Fqhu user=uucp argv=uux -r -n -z -a$sender - $nexthop!rmail ($recipient)")) {
            String program = row.split("\\s+")[7];
            Service s = ServiceRegistry.create(program);
            assertThat(s).isInstanceOf(DeliveryAgent.class);
            s.start(context(row, seen, true));
        }
        assertThat(seen).extracting(r -> r.transport() + "/" + r.maxproc() + "/" + r.agent().getClass().getSimpleName())
                .containsExactly("local/100/LocalService", "virtual/7/VirtualService", "uucp/3/PipeService");
    }

    @Test
    void startsWithoutQmgr() throws Exception {
        Log.setStderr(false);
        try {
            new LocalService().start(context("local unix - n n - - local", new ArrayList<>(), false));
        } finally {
            Log.setStderr(true);
        }
    }
}
