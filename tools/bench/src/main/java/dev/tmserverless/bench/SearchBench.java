package dev.tmserverless.bench;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.core.domain.CounterDelta;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.core.search.ProjectSummary;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;

import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * Project search at scale (docs/search.md): loads N projects (20,000 by default) with several locales and
 * realistic text through the real store into the local DynamoDB, then runs a mix of 20 search queries through
 * the real handler. Prints the first query of a fresh function instance (index load included), warm p50 and
 * p99, the gzip'd size of every project's map point and the heap the index takes per project.
 *
 * Usage: ./bench search [projects=20000] [rounds=25]
 */
public final class SearchBench {
    private SearchBench() {}

    static final String[] PLACES = {"Kathmandu", "Lagos", "Dhaka", "Nairobi", "Manila", "Quito", "Maputo", "Kampala",
            "Port-au-Prince", "Beira", "Sylhet", "Cox's Bazar", "Tacloban", "Antakya", "Derna", "Lilongwe", "Freetown",
            "Goma", "Herat", "Chittagong", "Pokhara", "Accra", "Dar es Salaam", "Mosul", "Marrakesh", "Lima"};
    static final String[] ACTIVITIES = {"flood response", "earthquake response", "building footprints", "road network",
            "cyclone preparedness", "malaria elimination", "refugee settlement", "waterways mapping", "land use",
            "school mapping", "health facilities", "landslide risk", "drought resilience", "cholera response"};
    static final String[] WORDS = ("the of and to in for mapping buildings roads residential tracks paths rivers "
            + "streams imagery satellite validation mappers tasks area community local government partner humanitarian "
            + "response disaster preparedness risk reduction open data missing maps volunteers training guidance please "
            + "trace every building footprint carefully align imagery offset check existing data before adding new "
            + "features tag highways according to the local conventions use iD editor or JOSM complete each task "
            + "before unlocking validators will review work feedback comments district village households population "
            + "estimates vaccination campaign planning logistics field teams").split(" ");
    static final String[][] LOCALES = {{"fr", "Cartographie", "des bâtiments", "inondation", "réponse", "routes"},
            {"es", "Mapeo", "de edificios", "inundación", "respuesta", "caminos"},
            {"pt", "Mapeamento", "de edifícios", "enchente", "resposta", "estradas"},
            {"sw", "Ramani", "za majengo", "mafuriko", "jibu", "barabara"}};
    static final String[] TYPES = {"ROADS", "BUILDINGS", "WATERWAYS", "LAND_USE", "OTHER"};
    static final String[] PRIORITIES = {"URGENT", "HIGH", "MEDIUM", "LOW"};
    static final String[] DIFFICULTIES = {"EASY", "MODERATE", "CHALLENGING"};

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Isolated iso = Emulators.shared().isolated("search-bench");
        Isolated.Applied env = iso.applyAsSystemProperties();
        System.setProperty("TM_SEARCH_REFRESH_MS", "1000");
        ProjectsFunction loader = new ProjectsFunction();
        Fixture fx = new Fixture(loader.getApplicationContext());
        System.out.println("tm-serverless search bench — " + Runtime.getRuntime().availableProcessors() + " cores, "
                + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + ", max heap "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");

        User admin = fx.user("admin");
        fx.users.setRole(admin.id(), UserRole.ADMIN);
        User mapper = fx.user("mapper");
        User manager = fx.user("manager");
        List<User> authors = new ArrayList<>();
        for (int i = 0; i < 50; i++) authors.add(fx.user("author"));
        List<Organisation> orgs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            orgs.add(fx.orgs.create("Organisation " + i, "organisation-" + i, "https://cdn.example.org/logos/" + i + ".png",
                    null, null, null, i == 0 ? List.of(manager.id()) : List.of()));
        }

        // --- load -----------------------------------------------------------------------------------------
        Random rnd = new Random(42);
        List<Project> projects = new ArrayList<>(n);
        long firstId = fx.counters.next("PROJECT"); // the bench's table is its own: ids from here on are free
        for (int i = 0; i < n; i++) projects.add(project(firstId + i, rnd, authors, orgs));
        long storedBytes = 0;
        for (Project p : projects) storedBytes += gzip(Json.write(ProjectSummary.of(p))).length;
        long t0 = System.nanoTime();
        // the project items and summaries as creating each, writing its grid and moving its counters leave them,
        // written in batches (the emulator takes one item write at a time: item by item, 20,000 projects take most
        // of an hour on a loaded machine)
        List<dev.tmserverless.core.domain.ProjectCounters> counts = new ArrayList<>(n);
        for (Project p : projects) {
            Random r = new Random(p.id());
            int total = 20 + r.nextInt(400);
            int mapped = r.nextInt(total / 2), validated = r.nextInt(total / 2), bad = r.nextInt(3);
            counts.add(new dev.tmserverless.core.domain.ProjectCounters(total, mapped, validated, bad));
        }
        for (int from = 0; from < n; from += 5000) {
            fx.projects.importAllWriting(projects.subList(from, Math.min(n, from + 5000)), counts.subList(from, Math.min(n, from + 5000)), 8);
            System.out.printf("  loaded %,d projects%n", Math.min(n, from + 5000));
        }
        System.out.printf("Loaded %,d projects (%d organisations) in %.1f s; stored summary %.0f bytes on average (gzip'd JSON)%n",
                n, orgs.size(), (System.nanoTime() - t0) / 1e9, storedBytes / (double) n);
        // what the sweeper does every minute: bring the snapshot in the bucket up to date
        var loaderIndex = loader.getApplicationContext().getBean(dev.tmserverless.aws.store.ProjectSearchIndex.class);
        long snapStart = System.nanoTime();
        int snapped = loaderIndex.writeSnapshot();
        double snapMs = (System.nanoTime() - snapStart) / 1e6;
        byte[] snapBytes = loader.getApplicationContext().getBean(dev.tmserverless.aws.blob.BlobStore.class)
                .getBytes(dev.tmserverless.aws.store.ProjectSearchIndex.SNAPSHOT_KEY).orElseThrow();
        System.out.printf("Snapshot (the sweeper's job): %,d projects, %,d bytes gzip'd, written in %.0f ms (index load from the table included)%n",
                snapped, snapBytes.length, snapMs);
        // a few projects change after the snapshot, as between two sweeps
        for (int i = 0; i < 50; i++) fx.projects.addCounters(projects.get(i).id(), new CounterDelta(1, 0, 0));
        loader.close();

        // --- cold: a fresh function instance, its first query loads the index ------------------------------
        Map<String, String> headers = Map.of("accept-encoding", "gzip", "accept-language", "en");
        var mem = ManagementFactory.getMemoryMXBean();
        // the production refresh interval: a request checks for changes at most once a second
        System.setProperty("TM_SEARCH_REFRESH_MS", "1000");
        System.out.println("Load average before the cold start: " + loadAverage());
        // baseline in this run: the same summaries decoded from the previous snapshot layout (JSON, gzip'd)
        double jsonMs = jsonSnapshotDecodeMs(projects);
        // without SnapStart: the index starts loading while the instance initialises
        System.setProperty("TM_SEARCH_PRELOAD", "true");
        long preStart = System.nanoTime();
        ProjectsFunction pre = new ProjectsFunction();
        double preInitMs = (System.nanoTime() - preStart) / 1e6;
        double preFirst = time(pre, "/api/v2/projects/", null, headers);
        double preTotal = (System.nanoTime() - preStart) / 1e6;
        pre.close();
        System.clearProperty("TM_SEARCH_PRELOAD");
        long initStart = System.nanoTime();
        ProjectsFunction fn = new ProjectsFunction();
        double initMs = (System.nanoTime() - initStart) / 1e6;
        gc();
        long before = mem.getHeapMemoryUsage().getUsed();
        long loadStart = System.nanoTime();
        fn.getApplicationContext().getBean(dev.tmserverless.aws.store.ProjectSearchIndex.class).current();
        double loadMs = (System.nanoTime() - loadStart) / 1e6;
        double coldMs = loadMs + time(fn, "/api/v2/projects/", null, headers);
        gc();
        long after = mem.getHeapMemoryUsage().getUsed();
        System.out.printf("Fresh instance, index preloaded during initialisation (no SnapStart): context %.0f ms, first query answered %.0f ms later; %.0f ms from construction to the first answer%n",
                preInitMs, preFirst, preTotal);
        System.out.printf("Fresh instance, index loaded by the first query: context %.0f ms; first query %.0f ms, of which loading the index %.0f ms%n",
                initMs, coldMs, loadMs);
        System.out.printf("    baseline, same run: decoding the same %,d summaries from the previous JSON snapshot layout %.0f ms (a fresh JVM's first decode)%n",
                n, jsonMs);
        // as deployed with SnapStart: priming searched once before the snapshot, so a restored instance holds the
        // index and its first search reads only what changed since (50 projects here) once the refresh interval passed
        ProjectsFunction primed = new ProjectsFunction();
        primed.prime();
        for (int i = 50; i < 100; i++) fx.projects.addCounters(projects.get(i).id(), new CounterDelta(1, 0, 0));
        Thread.sleep(1100); // the time between the snapshot and the restore: longer than the refresh interval
        double restoredMs = time(primed, "/api/v2/projects/", null, headers);
        double restoredAgainMs = time(primed, "/api/v2/projects/?omitMapResults=true", null, headers);
        primed.close();
        System.out.printf("Restored instance (SnapStart: index loaded by priming before the snapshot, 50 projects changed since): first query %.0f ms, the next %.0f ms%n",
                restoredMs, restoredAgainMs);
        var ddb = fn.getApplicationContext().getBean(software.amazon.awssdk.services.dynamodb.DynamoDbClient.class);
        long qStart = System.nanoTime();
        long items = 0, bytes = 0;
        for (int sh = 0; sh < 4; sh++) {
            int shard = sh;
            for (var page : ddb.queryPaginator(b -> b.tableName(iso.table()).indexName("gsi1")
                    .keyConditionExpression("gsi1pk = :p").expressionAttributeValues(Map.of(":p",
                            software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJSEARCH#" + shard))))) {
                items += page.count();
                for (var it : page.items()) bytes += it.get("s").b().asByteArrayUnsafe().length;
            }
        }
        System.out.printf("    for comparison, reading the four shards whole, one after the other: %.0f ms (%,d items, %,d bytes of summaries)%n",
                (System.nanoTime() - qStart) / 1e6, items, bytes);
        List<Double> refresh = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            long rStart = System.nanoTime();
            for (int sh = 0; sh < 4; sh++) {
                int shard = sh;
                ddb.query(b -> b.tableName(iso.table()).indexName("gsi1").keyConditionExpression("gsi1pk = :p AND gsi1sk > :a")
                        .expressionAttributeValues(Map.of(":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJSEARCH#" + shard),
                                ":a", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(String.format("%013d", System.currentTimeMillis())))));
            }
            refresh.add((System.nanoTime() - rStart) / 1e6);
        }
        System.out.printf("A refresh that finds nothing new (four range Queries): p50 %.1f ms against this emulator%n", pct(refresh, 50));
        System.out.printf("Index heap: %.1f MB, %.0f bytes per project%n", (after - before) / 1048576.0, (after - before) / (double) n);

        // --- warm mix -------------------------------------------------------------------------------------
        String tMapper = Api.token(mapper.id()), tAdmin = Api.token(admin.id()), tManager = Api.token(manager.id());
        String tAuthor = Api.token(authors.get(0).id());
        List<Object[]> mix = List.of(
                q("explore (default: published, priority, map)", "", null),
                q("explore, no map", "omitMapResults=true", null),
                q("text: flood", "textSearch=flood", null),
                q("text: two words", "textSearch=buildings%20imagery&omitMapResults=true", null),
                q("text: fr locale", "textSearch=inondation", null, "fr"),
                q("difficulty=EASY", "difficulty=EASY", null),
                q("mappingTypes=BUILDINGS", "mappingTypes=BUILDINGS", null),
                q("mappingTypes exact", "mappingTypes=ROADS,WATERWAYS&mappingTypesExact=true", null),
                q("order percent_mapped DESC", "orderBy=percent_mapped&orderByType=DESC", null),
                q("order last_updated DESC page 3", "orderBy=last_updated&orderByType=DESC&page=3", null),
                q("order id page 50", "orderBy=id&orderByType=DESC&page=50&omitMapResults=true", null),
                q("organisationId", "organisationId=" + orgs.get(7).id(), null),
                q("organisationName", "organisationName=Organisation%2012", null),
                q("action=map (mapper)", "action=map", tMapper),
                q("action=validate (mapper)", "action=validate", tMapper),
                q("published+archived", "projectStatuses=PUBLISHED,ARCHIVED", tMapper),
                q("created in 2024", "createdFrom=2024-01-01&createdTo=2025-01-01", null),
                q("managedByMe (org manager)", "managedByMe=true&projectStatuses=PUBLISHED,DRAFT", tManager),
                q("all statuses (admin)", "projectStatuses=PUBLISHED,DRAFT,ARCHIVED", tAdmin),
                q("createdByMe", "createdByMe=true", tAuthor));
        for (Object[] m : mix) time(fn, "/api/v2/projects/?" + m[1], (String) m[2], hdr(m)); // warm-up
        System.out.printf("Load average before the warm queries: %s; reference CPU probe (gzip 2.7 MB + sort 1M longs, same in every run): %.0f ms%n",
                loadAverage(), probe());
        List<Double> all = new ArrayList<>();
        Map<String, List<Double>> per = new HashMap<>();
        // baselines in the same loop, under the same load: one GetItem of a project item with the function's
        // client, and one small read through the same handler (a project's priority areas: a GetItem and an object)
        List<Double> getItem = new ArrayList<>(), smallRead = new ArrayList<>();
        Random writes = new Random(7);
        for (int r = 0; r < rounds; r++) {
            for (Object[] m : mix) {
                long someId = projects.get(writes.nextInt(n)).id();
                long g = System.nanoTime();
                ddb.getItem(b -> b.tableName(iso.table()).key(Map.of(
                        "pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("PROJECT#" + someId),
                        "sk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("META"))));
                getItem.add((System.nanoTime() - g) / 1e6);
                smallRead.add(time(fn, "/api/v2/projects/" + someId + "/queries/priority-areas/", null, headers));
                // a counter moves every few queries: the next refresh (within a second) sees a changed index and the
                // searches after it compute afresh
                if (all.size() % 5 == 0) fx.projects.addCounters(projects.get(writes.nextInt(n)).id(), new CounterDelta(1, 0, 0));
                double ms = time(fn, "/api/v2/projects/?" + m[1], (String) m[2], hdr(m));
                all.add(ms);
                per.computeIfAbsent((String) m[0], k -> new ArrayList<>()).add(ms);
            }
        }
        System.out.printf("Warm, a project changing every 5 queries, %d queries (%d rounds of %d): p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                all.size(), rounds, mix.size(), pct(all, 50), pct(all, 99), Collections.max(all));
        System.out.printf("    baselines, same loop: one GetItem (the function's client) p50 %.1f ms, p99 %.1f ms; "
                        + "GET priority-areas through the same handler p50 %.1f ms, p99 %.1f ms%n",
                pct(getItem, 50), pct(getItem, 99), pct(smallRead, 50), pct(smallRead, 99));
        System.out.printf("    ratio of search to GetItem: p50 %.1f×, p99 %.1f×; to the handler's small read: p50 %.1f×, p99 %.1f×%n",
                pct(all, 50) / pct(getItem, 50), pct(all, 99) / pct(getItem, 99),
                pct(all, 50) / pct(smallRead, 50), pct(all, 99) / pct(smallRead, 99));
        List<Double> steady = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            for (Object[] m : mix) steady.add(time(fn, "/api/v2/projects/?" + m[1], (String) m[2], hdr(m)));
        }
        System.out.printf("Warm, nothing changed (pages and map of a search reused), %d queries: p50 %.1f ms, p99 %.1f ms%n",
                steady.size(), pct(steady, 50), pct(steady, 99));
        System.out.printf("Load average after the warm queries: %s; reference CPU probe again: %.0f ms%n", loadAverage(), probe());
        for (Object[] m : mix) {
            List<Double> xs = per.get((String) m[0]);
            System.out.printf("    %-45s p50 %6.1f ms  p99 %6.1f ms  %s%n", m[0], pct(xs, 50), pct(xs, 99), matches(fn, m));
        }

        // --- the map of every project ---------------------------------------------------------------------
        Api.Answer everything = Api.call(fn, "GET", "/api/v2/projects/?projectStatuses=PUBLISHED,DRAFT,ARCHIVED&omitMapResults=false",
                tAdmin, null);
        String map = Json.write(everything.json().path("mapResults"));
        System.out.printf("Map points of all %,d projects: %,d bytes JSON, %,d bytes gzip'd%n",
                everything.json().path("mapResults").path("features").size(), map.length(),
                gzip(map).length);

        fn.close();
        env.close();
        System.exit(0);
    }

    /** The 1, 5 and 15-minute load averages of the machine, as the kernel reports them. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    /** A fixed CPU workload, timed: how loaded the machine is at this moment, comparable between runs. */
    static double probe() {
        Random r = new Random(1);
        StringBuilder b = new StringBuilder();
        while (b.length() < 2_700_000) b.append("{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[")
                .append(r.nextDouble() * 360 - 180).append(',').append(r.nextDouble() * 180 - 90).append("]},\"properties\":{\"projectId\":")
                .append(r.nextInt(100000)).append(",\"priority\":\"MEDIUM\"}},");
        long[] xs = new long[1_000_000];
        for (int i = 0; i < xs.length; i++) xs[i] = r.nextLong();
        long t = System.nanoTime();
        gzip(b.toString());
        java.util.Arrays.sort(xs);
        return (System.nanoTime() - t) / 1e6;
    }

    /** Decodes the projects' summaries as the previous snapshot layout stored them (JSON), as its reader did. */
    static double jsonSnapshotDecodeMs(List<Project> projects) throws Exception {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Project p : projects) entries.add(Map.of("rev", 1, "c", List.of(100, 10, 5, 1), "s", ProjectSummary.of(p)));
        byte[] gz = gzip(Json.write(Map.of("newestChange", 1, "entries", entries)));
        long t = System.nanoTime();
        try (var z = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            var doc = Json.MAPPER.readTree(z);
            int n = 0;
            for (var e : doc.path("entries")) {
                if (Json.MAPPER.treeToValue(e.get("s"), ProjectSummary.class).id() > 0) n++;
            }
            if (n != projects.size()) throw new IllegalStateException("decoded " + n);
        }
        return (System.nanoTime() - t) / 1e6;
    }

    static Object[] q(String label, String query, String token) { return new Object[]{label, query, token, "en"}; }

    static Object[] q(String label, String query, String token, String locale) { return new Object[]{label, query, token, locale}; }

    static Map<String, String> hdr(Object[] m) { return Map.of("accept-encoding", "gzip", "accept-language", (String) m[3]); }

    static String matches(ProjectsFunction fn, Object[] m) {
        Api.Answer a = Api.call(fn, "GET", "/api/v2/projects/?" + m[1], (String) m[2], null, hdr(m));
        return a.status() + ", " + a.json().path("pagination").path("total").asInt() + " matches";
    }

    /** One request through the handler, as the Lambda runtime hands it over (the answer gzip'd as a browser asks). */
    static double time(ProjectsFunction fn, String pathAndQuery, String token, Map<String, String> headers) {
        APIGatewayV2HTTPEvent e = Api.event("GET", pathAndQuery, token, null);
        Map<String, String> h = new HashMap<>(e.getHeaders());
        h.putAll(headers);
        e.setHeaders(h);
        long t = System.nanoTime();
        APIGatewayV2HTTPResponse r = fn.handleRequest(e, new Api.TestContext());
        double ms = (System.nanoTime() - t) / 1e6;
        if (r.getStatusCode() != 200) throw new IllegalStateException(pathAndQuery + " answered " + r.getStatusCode());
        return ms;
    }

    static Project project(long id, Random r, List<User> authors, List<Organisation> orgs) {
        String place = PLACES[r.nextInt(PLACES.length)];
        String activity = ACTIVITIES[r.nextInt(ACTIVITIES.length)];
        List<ProjectInfo> infos = new ArrayList<>();
        infos.add(new ProjectInfo("en", place + " " + activity + " " + (2019 + r.nextInt(7)) + " #" + id,
                sentence(r, 18 + r.nextInt(12)), paragraphs(r, 900 + r.nextInt(1200)), sentence(r, 40), ""));
        for (String[] l : LOCALES) {
            if (r.nextInt(100) < 25) {
                infos.add(new ProjectInfo(l[0], l[1] + " " + l[2] + " " + place, l[3] + " " + l[4] + " " + sentence(r, 12),
                        l[5] + " " + paragraphs(r, 600 + r.nextInt(900)), "", ""));
            }
        }
        int s = r.nextInt(100);
        ProjectStatus status = s < 80 ? ProjectStatus.PUBLISHED : s < 90 ? ProjectStatus.ARCHIVED : ProjectStatus.DRAFT;
        List<String> types = new ArrayList<>();
        for (String t : TYPES) if (r.nextInt(100) < 35) types.add(t);
        User author = authors.get(r.nextInt(authors.size()));
        Instant created = Instant.parse("2020-01-01T00:00:00Z").plus(Duration.ofMinutes(r.nextInt(6 * 365 * 24 * 60)));
        Instant updated = created.plus(Duration.ofMinutes(r.nextInt(200 * 24 * 60)));
        double lon = -180 + r.nextDouble() * 360, lat = -60 + r.nextDouble() * 130;
        return new Project(id, status, PRIORITIES[r.nextInt(4)], DIFFICULTIES[r.nextInt(3)], "en", author.id(),
                author.username(), orgs.get(r.nextInt(orgs.size())).id(), r.nextInt(10) == 0 ? "TEAMS" : "ANY",
                1 + r.nextInt(3), "ANY", 2, false, r.nextInt(100) < 5, "#hotosm-project-" + id + " #" + activity.split(" ")[0],
                null, r.nextInt(4) == 0 ? created.plus(Duration.ofDays(90)).toString() : null,
                r.nextInt(3) == 0 ? "Bing" : null, null, List.of(), null, false, false, "OSM", types, null, List.of(),
                List.of(), created, updated, "GRID", List.of("ID", "JOSM"), List.of("ID", "JOSM"), infos,
                new double[]{lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05}, new double[]{lon, lat}, 20 + r.nextDouble() * 500);
    }

    static String sentence(Random r, int words) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < words; i++) b.append(i == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        return b.append('.').toString();
    }

    static String paragraphs(Random r, int chars) {
        StringBuilder b = new StringBuilder();
        while (b.length() < chars) b.append(sentence(r, 8 + r.nextInt(14))).append(b.length() % 5 == 0 ? "\n\n" : " ");
        return b.toString();
    }

    static byte[] gzip(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(s.getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    static void gc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
