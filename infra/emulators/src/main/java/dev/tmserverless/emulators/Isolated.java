package dev.tmserverless.emulators;

import dev.tmserverless.core.catalogue.Resources;
import java.util.HashMap;
import java.util.Map;

/**
 * A fresh, uniquely named copy of the catalogue's table, queues (with DLQs) and bucket on shared emulators, plus
 * its own OSM OAuth client, so a test class sees only its own data and its own injected OSM faults.
 *
 * @param resources the names, queue URLs and ARNs of the copy
 * @param env       the environment a function needs to run against this copy (see {@link Emulators#env()})
 * @param osm       the OSM stand-in client this copy's {@code TM_OSM_CLIENT_ID}/{@code TM_OSM_CLIENT_SECRET} name
 * @param ohsome    the ohsome stand-in token this copy's {@code TM_OHSOME_STATS_TOKEN} names (its faults)
 */
public record Isolated(ResourceSet resources, Map<String, String> env, OsmStandIn.Client osm, OhsomeStandIn.Client ohsome) {

    /** Undoes {@link #applyAsSystemProperties()}. */
    @FunctionalInterface
    public interface Applied extends AutoCloseable {
        @Override
        void close();
    }

    public Isolated {
        env = Map.copyOf(env);
    }

    /** A copy without an ohsome token of its own (it shares the one its env names). */
    public Isolated(ResourceSet resources, Map<String, String> env, OsmStandIn.Client osm) {
        this(resources, env, osm, null);
    }

    public String table() {
        return resources.table();
    }

    public String bucket() {
        return resources.bucket();
    }

    public String queueUrl(Resources.Queue queue) {
        return resources.queue(queue).url();
    }

    public String dlqUrl(Resources.Queue queue) {
        return resources.queue(queue).dlqUrl();
    }

    /**
     * Sets {@link #env()} as JVM system properties (the configuration reader falls back to a system property of
     * the same name) until the returned handle is closed, which restores the previous values. System properties
     * are JVM-global: use this only from tests that do not run concurrently with other such tests.
     */
    public Applied applyAsSystemProperties() {
        Map<String, String> previous = new HashMap<>();
        env.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
        return () -> previous.forEach((k, v) -> {
            if (v == null) {
                System.clearProperty(k);
            } else {
                System.setProperty(k, v);
            }
        });
    }
}
