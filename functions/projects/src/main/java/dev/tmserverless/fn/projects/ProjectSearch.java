package dev.tmserverless.fn.projects;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.tmserverless.aws.store.ProjectSearchIndex;
import dev.tmserverless.aws.store.ProjectSearchIndex.Entry;
import dev.tmserverless.aws.store.ProjectSearchIndex.Row;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.ProjectCounters;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.search.ProjectSummary;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Project search over the in-memory index (docs/search.md): the reference's filters, AND-ed, its visibility
 * and status rules, its orders with their tie-break, its page of 14, the map of every match and the CSV export.
 */
final class ProjectSearch {
    private ProjectSearch() {}

    /**
     * The matches, in the order asked for: the snapshot's ready order filtered (docs/search.md).
     * {@code only} are the project ids the id-set filters allow, null when none applies ({@link #only}), {@code interests}
     * the interest ids a project must have one of, null when the search does not filter by interest
     * ({@link #interestFilter}).
     */
    static List<Row> matches(SearchQuery q, User user, ProjectSearchIndex.Snapshot snap, java.util.Set<Long> only,
                             java.util.Set<Long> interests) {
        java.util.function.Predicate<Row> test = filter(q, user, snap, only, interests);
        List<Row> out = new ArrayList<>();
        for (Row r : ordered(snap, q.orderBy(), q.descending())) if (test.test(r)) out.add(r);
        return out;
    }

    /**
     * The matches on {@code snap}, from {@code matches}: the same search's matches on {@code before}, a snapshot
     * {@code snap} was derived from. The projects that changed since leave, those of them that match now come back
     * in order; the rest are tested no more (every filter depends on the project's own row, the query and the
     * caller only). Null when {@code snap} was not derived from {@code before} within the history it keeps: then
     * compute it afresh with {@link #matches}.
     */
    static List<Row> rematch(SearchQuery q, User user, ProjectSearchIndex.Snapshot before, List<Row> matches,
                             ProjectSearchIndex.Snapshot snap, java.util.Set<Long> only,
                             java.util.Set<Long> interests) {
        ProjectSearchIndex.Snapshot.Step step = snap.stepFrom(before);
        if (step == null) return null;
        // the caller's managing of any project decides whether managedByMe filters at all: it must not have changed
        if (q.managedByMe() && managesAny(user, before) != managesAny(user, snap)) return null;
        java.util.function.Predicate<Row> test = filter(q, user, snap, only, interests);
        List<Row> back = new ArrayList<>();
        for (Row r : step.changed()) if (test.test(r)) back.add(r);
        return java.util.Arrays.asList(ProjectSearchIndex.Snapshot.merge(matches.toArray(Row[]::new), step.removed(), back,
                order(q.orderBy(), q.descending())));
    }

    /**
     * The project ids the search's id-set filters allow, each read only when the search names it; null when it names
     * none: {@code favoritedByMe} the caller's favourites, {@code mappedByMe} the projects the caller mapped a task of
     * (the profile's {@code projectsMapped}), {@code teamId} the projects the team is on in any role, {@code partnerId}
     * the projects of the partner's partnerships, those begun by {@code partnershipFrom} and not ended before
     * {@code partnershipTo} when given (the reference's conditions).
     */
    static java.util.Set<Long> only(SearchQuery q, java.util.function.Supplier<java.util.Collection<Long>> favourites,
                                    java.util.function.Supplier<java.util.Collection<Long>> mapped,
                                    java.util.function.Supplier<java.util.Collection<Long>> teamProjects,
                                    java.util.function.Supplier<java.util.List<dev.tmserverless.aws.store.PartnerStore.Partnership>> partnerships) {
        java.util.Set<Long> only = null;
        if (q.favoritedByMe()) only = narrow(only, favourites.get());
        if (q.mappedByMe()) only = narrow(only, mapped.get());
        if (q.teamId() != null) only = narrow(only, teamProjects.get());
        if (q.partnerId() != null) {
            Instant from = q.partnershipFrom() == null ? null : q.partnershipFrom().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            Instant to = q.partnershipTo() == null ? null : q.partnershipTo().atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            only = narrow(only, partnerships.get().stream()
                    .filter(p -> from == null || (p.startedOn() != null && !p.startedOn().isAfter(from)))
                    .filter(p -> to == null || p.endedOn() == null || !p.endedOn().isBefore(to))
                    .map(dev.tmserverless.aws.store.PartnerStore.Partnership::projectId).toList());
        }
        return only;
    }

    private static java.util.Set<Long> narrow(java.util.Set<Long> only, java.util.Collection<Long> ids) {
        java.util.Set<Long> next = new java.util.TreeSet<>(ids);
        if (only != null) next.retainAll(only);
        return next;
    }

    /**
     * The interest ids a project must have one of: those named in the query, or the caller's own ({@code mine}; then
     * the query's are ignored), as the reference; null when neither applies. Only interests that still exist count
     * ({@code live}): a deleted interest's links go with it in the reference, so naming only deleted ones matches
     * no project, while projects and users that chose it keep its id until they are next saved.
     */
    static java.util.Set<Long> interestFilter(SearchQuery q, java.util.Collection<Long> mine, java.util.Set<Long> live) {
        if (!q.basedOnMyInterests() && q.interests().isEmpty()) return null;
        java.util.Set<Long> wanted = new java.util.TreeSet<>(q.basedOnMyInterests() ? mine : q.interests());
        wanted.retainAll(live);
        return wanted;
    }

    /** Whether a project matches the search: the reference's filters, AND-ed, cheapest first. */
    static java.util.function.Predicate<Row> filter(SearchQuery q, User user, ProjectSearchIndex.Snapshot snap,
                                                   java.util.Set<Long> only, java.util.Set<Long> interests) {
        boolean admin = Permissions.managesEverything(user);
        boolean managedFilter = q.managedByMe() && !admin && managesAny(user, snap);
        String text = q.textSearch() == null ? null : cleanSearchText(q.textSearch());
        String[] words = text == null ? null : stems(text);
        String locale = q.locale() == null ? null : q.locale().toLowerCase(Locale.ROOT);
        long localeMask = locale == null ? 0 : ProjectSearchIndex.localeBit(locale) | ProjectSearchIndex.localeBit("en");
        // a campaign is named: the projects linked to a campaign of that name
        java.util.Set<Long> campaignIds;
        if (q.campaign() != null) {
            campaignIds = new java.util.HashSet<>();
            for (var c : snap.campaigns().entrySet()) if (c.getValue().equals(q.campaign())) campaignIds.add(c.getKey());
        } else {
            campaignIds = null;
        }
        return r -> {
            Entry e = r.entry();
            ProjectSummary s = e.summary();
            Organisation org = r.org();
            if (s.centroid() == null) return false;
            if (q.organisationId() != null && s.organisationId() != q.organisationId()) return false;
            if (q.difficulty() != null && !q.difficulty().equals(s.difficulty())) return false;
            if (!statusMatches(q, user, s, org)) return false;
            if (!admin && !Permissions.listable(user, s, org)) return false;
            if (q.createdByMe() && s.authorId() != user.id()) return false;
            if (only != null && !only.contains(s.id())) return false;
            if (interests != null && !anyIn(s.interests(), interests)) return false;
            if (campaignIds != null && !anyIn(s.campaigns(), campaignIds)) return false;
            if (!q.mappingTypes().isEmpty() && !typesMatch(q, s.mappingTypes())) return false;
            if (q.lastUpdatedFrom() != null && s.lastUpdated() < q.lastUpdatedFrom()) return false;
            if (q.lastUpdatedTo() != null && s.lastUpdated() > q.lastUpdatedTo()) return false;
            if (q.createdFrom() != null && s.created() < q.createdFrom()) return false;
            if (q.createdTo() != null && s.created() > q.createdTo()) return false;
            if (q.sandbox() != null) {
                if (s.sandbox() != q.sandbox()) return false;
                if (q.database() != null && !q.database().equals(s.database())) return false;
            }
            if (q.imagery() != null && !imageryMatches(q.imagery(), s.imagery())) return false;
            if (q.organisationName() != null && (org == null || !q.organisationName().equals(org.name()))) return false;
            if (q.country() != null && s.countries().stream().noneMatch(c -> c.equalsIgnoreCase(q.country()))) return false;
            if (q.action() != null && !actionMatches(q.action().equals("validate"), user, s, e.counters())) return false;
            if (managedFilter && !Permissions.manages(user, s.authorId(), org)) return false;
            return (locale == null && text == null) || textMatches(e, locale, localeMask, text, words);
        };
    }

    private static boolean anyIn(List<Long> ids, java.util.Set<Long> wanted) {
        for (int i = 0; i < ids.size(); i++) if (wanted.contains(ids.get(i))) return true;
        return false;
    }

    /** The reference filters by the managed projects only when the caller manages any. */
    private static boolean managesAny(User user, ProjectSearchIndex.Snapshot snap) {
        for (Row r : snap.rows()) if (Permissions.manages(user, r.summary().authorId(), r.org())) return true;
        return false;
    }

    /** Every project of the snapshot in the search order, computed once per snapshot and order. */
    static Row[] ordered(ProjectSearchIndex.Snapshot snap, String orderBy, boolean desc) {
        return snap.ordered((desc ? "desc " : "asc ") + orderBy, order(orderBy, desc));
    }

    /**
     * No {@code projectStatuses} and no {@code createdByMe}: published only. DRAFT asked for: never for
     * anonymous callers, every draft for administrators, otherwise the drafts the caller manages.
     */
    static boolean statusMatches(SearchQuery q, User user, ProjectSummary s, Organisation org) {
        if (q.statuses().isEmpty()) return q.createdByMe() || s.status() == ProjectStatus.PUBLISHED;
        if (!q.statuses().contains(s.status())) return false;
        if (s.status() != ProjectStatus.DRAFT) return true;
        return Permissions.listsDraft(user, s, org);
    }

    /** What is left of the search text once the reference's operator characters are gone. */
    static String cleanSearchText(String raw) {
        StringBuilder b = new StringBuilder();
        for (char c : raw.toCharArray()) if ("@|&!><\\():'".indexOf(c) < 0) b.append(c);
        return b.toString().toLowerCase(Locale.ROOT);
    }

    /** The words of the search text, each cut to a crude English stem (docs/search.md "Text search"). */
    static String[] stems(String text) {
        List<String> out = new ArrayList<>();
        for (String w : text.split("[^\\p{L}\\p{N}]+")) {
            if (w.isEmpty()) continue;
            out.add(" " + stem(w)); // with the separator that precedes it in a word list
        }
        return out.toArray(String[]::new);
    }

    static String stem(String w) {
        for (String suffix : new String[]{"ing", "ies", "es", "ed", "s"}) {
            if (w.length() > suffix.length() + 2 && w.endsWith(suffix)) return w.substring(0, w.length() - suffix.length());
        }
        return w;
    }

    /**
     * Some info row in the caller's locale or English (any row when no Accept-Language) whose name contains the
     * text, or among whose words (name, short description, description) every search word starts one.
     * {@code locale} is lower case; {@code localeMask} its bit and English's.
     */
    static boolean textMatches(Entry e, String locale, long localeMask, String text, String[] words) {
        boolean bitsDecide = (localeMask & ProjectSearchIndex.OTHER_LOCALES) == 0
                && (e.localeMask() & ProjectSearchIndex.OTHER_LOCALES) == 0;
        if (locale != null && bitsDecide && (e.localeMask() & localeMask) == 0) return false;
        if (text == null && (locale == null || bitsDecide)) return true;
        List<ProjectSummary.Text> texts = e.summary().texts();
        for (int i = 0; i < texts.size(); i++) {
            ProjectSummary.Text t = texts.get(i);
            if (locale != null && !t.locale().equalsIgnoreCase(locale) && !t.locale().equals("en")) continue;
            if (text == null) return true;
            if (!text.isBlank() && e.lowerNames()[i].contains(text)) return true;
            if (words.length > 0 && allWordsStart(t.words(), words)) return true;
        }
        return false;
    }

    /** {@code words} as {@link #stems} makes them; {@code list} is a sorted, space-separated word list. */
    private static boolean allWordsStart(String list, String[] words) {
        for (String w : words) {
            if (!list.startsWith(w.substring(1)) && list.indexOf(w) < 0) return false;
        }
        return true;
    }

    /**
     * {@code action=map}: published and some task left to map; {@code validate}: published and some task left
     * to validate; and the caller's side of the project's rule (Permissions).
     */
    static boolean actionMatches(boolean validate, User user, ProjectSummary s, ProjectCounters c) {
        if (s.status() != ProjectStatus.PUBLISHED) return false;
        long open = c.totalTasks() - c.tasksBadImagery();
        long done = validate ? c.tasksValidated() : c.tasksMapped() + c.tasksValidated();
        if (done >= open) return false;
        return Permissions.listedFor(user, s, validate);
    }

    static boolean imageryMatches(String wanted, String imagery) {
        if (wanted.equalsIgnoreCase("custom")) return imagery != null && imagery.startsWith("https://");
        return wanted.equals(imagery);
    }

    static boolean typesMatch(SearchQuery q, List<String> types) {
        if (q.mappingTypesExact()) return types.containsAll(q.mappingTypes()) && types.size() == q.mappingTypes().size();
        return q.mappingTypes().stream().anyMatch(types::contains);
    }

    static final List<String> PRIORITIES = List.of("URGENT", "HIGH", "MEDIUM", "LOW");
    static final List<String> DIFFICULTY_ORDER = List.of("", "EASY", "MODERATE", "CHALLENGING");

    /**
     * The reference's orders: the enumerations by their stored numbers (URGENT first, EASY first, ARCHIVED
     * first), percentages truncated as SQL integer division makes them, a missing value last when ascending and
     * first when descending; ties broken by id, newest first, unless ordering by id.
     */
    static Comparator<Row> order(String orderBy, boolean desc) {
        ToLongFunction<Entry> key = key(orderBy);
        boolean byId = orderBy.equals("id");
        return (a, b) -> {
            int c = compareKeys(key.applyAsLong(a.entry()), key.applyAsLong(b.entry()), desc);
            return c != 0 || byId ? c : Long.compare(b.id(), a.id());
        };
    }

    static ToLongFunction<Entry> key(String orderBy) {
        return switch (orderBy) {
            case "id" -> e -> e.summary().id();
            case "priority" -> e -> priorityRank(e.summary().priority());
            case "difficulty" -> e -> difficultyRank(e.summary().difficulty());
            case "status" -> e -> e.summary().status().ordinal();
            case "last_updated" -> e -> e.summary().lastUpdated();
            case "created" -> e -> e.summary().created();
            case "due_date" -> Entry::dueMillis;
            case "percent_mapped" -> e -> e.counters().percentMapped();
            case "percent_validated" -> e -> e.counters().percentValidated();
            default -> throw new IllegalArgumentException(orderBy);
        };
    }

    /** {@code PRIORITIES.indexOf(p)}, without a walk of the list at every comparison of a sort. */
    static int priorityRank(String p) {
        if (p == null) return -1;
        return switch (p) {
            case "URGENT" -> 0;
            case "HIGH" -> 1;
            case "MEDIUM" -> 2;
            case "LOW" -> 3;
            default -> -1;
        };
    }

    /** {@code DIFFICULTY_ORDER.indexOf(d)}, likewise. */
    static int difficultyRank(String d) {
        if (d == null) return -1;
        return switch (d) {
            case "" -> 0;
            case "EASY" -> 1;
            case "MODERATE" -> 2;
            case "CHALLENGING" -> 3;
            default -> -1;
        };
    }

    private static int compareKeys(long x, long y, boolean desc) {
        if (x == y) return 0;
        if (x == Long.MAX_VALUE) return desc ? -1 : 1; // missing: last ascending, first descending
        if (y == Long.MAX_VALUE) return desc ? 1 : -1;
        return desc ? Long.compare(y, x) : Long.compare(x, y);
    }

    /** One ListSearchResult, keys in the reference's order. */
    static Map<String, Object> result(Row r, String locale, Map<Long, Integer> activeMappers, Map<Long, String> campaigns) {
        Entry e = r.entry();
        Organisation org = r.org();
        ProjectSummary s = e.summary();
        ProjectSummary.Text t = s.text(locale);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("projectId", s.id());
        m.put("locale", t.locale());
        m.put("name", t.name());
        m.put("shortDescription", t.shortDescription());
        m.put("difficulty", s.difficulty());
        m.put("priority", s.priority());
        m.put("organisationName", org == null ? null : org.name());
        m.put("organisationLogo", org == null ? null : org.logo());
        m.put("campaigns", campaigns(s, campaigns));
        m.put("percentMapped", e.counters().percentMapped());
        m.put("percentValidated", e.counters().percentValidated());
        m.put("status", s.status().name());
        m.put("activeMappers", activeMappers.getOrDefault(s.id(), 0));
        m.put("lastUpdated", Instant.ofEpochMilli(s.lastUpdated()));
        m.put("dueDate", s.dueDate());
        m.put("totalContributors", e.contributors());
        m.put("country", s.countries());
        m.put("sandbox", s.sandbox());
        m.put("database", s.database());
        m.put("creationDate", null);
        m.put("author", s.author());
        m.put("partnerNames", null);
        m.put("totalAreaSquareKilometers", null);
        return m;
    }

    /** The project's campaigns as {@code [{id, name}]}, a campaign deleted since left out. */
    static List<Map<String, Object>> campaigns(ProjectSummary s, Map<Long, String> names) {
        if (s.campaigns().isEmpty()) return List.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (long id : s.campaigns()) {
            String name = names.get(id);
            if (name == null) continue;
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", id);
            c.put("name", name);
            out.add(c);
        }
        return out;
    }

    /** The {@code pagination} object: 14 to a page. */
    static Map<String, Object> pagination(int page, int total) {
        return dev.tmserverless.core.dto.Pagination.of(page, SearchQuery.PER_PAGE, total);
    }

    /**
     * Every match's centroid as a point feature with {@code {projectId, priority}}, written straight to JSON text, in
     * id order: the map shows points, not an order, so every order of the same matches has the same map (and
     * the same compressed bytes, kept by {@link #mapFingerprint}).
     */
    static RawValue mapResults(List<Row> all) {
        Row[] byId = all.toArray(Row[]::new);
        java.util.Arrays.sort(byId, Comparator.comparingLong(Row::id));
        StringBuilder b = new StringBuilder(64 + byId.length * 110);
        b.append("{\"type\":\"FeatureCollection\",\"features\":[");
        boolean first = true;
        for (Row r : byId) {
            String f = r.entry().mapFeature();
            if (f == null) continue;
            if (!first) b.append(',');
            first = false;
            b.append(f);
        }
        return new RawValue(b.append("]}").toString());
    }

    /** A fingerprint of the map of {@code all}: the same points in any order give the same number. */
    static long mapFingerprint(List<Row> all) {
        long h = 0;
        for (Row r : all) {
            String f = r.entry().mapFeature();
            long x = (f == null ? 0 : f.hashCode()) * 0x9E3779B97F4A7C15L + r.id();
            x ^= x >>> 31;
            x *= 0xBF58476D1CE4E5B9L;
            h += x ^ (x >>> 29);
        }
        return h * 31 + all.size();
    }

    private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

    /**
     * The CSV export: the reference's columns in its order; percentages to two decimals, area to three, Python's
     * spelling of booleans and lists. Partner names (admins only) are not modelled, so the column is absent.
     */
    static String csv(List<Row> all, String locale) {
        StringBuilder b = new StringBuilder("projectId,name,priority,difficulty,status,sandbox,database,lastUpdated,"
                + "dueDate,organisationName,percentMapped,percentValidated,totalArea,country,creation_date,"
                + "totalContributors,author\n");
        for (Row r : all) {
            Entry e = r.entry();
            ProjectSummary s = e.summary();
            Organisation org = r.org();
            ProjectCounters c = e.counters();
            long open = c.totalTasks() - c.tasksBadImagery();
            String name = s.texts().stream().filter(t -> t.locale().equals(locale == null ? "en" : locale))
                    .findFirst().or(() -> s.texts().stream().filter(t -> t.locale().equals("en")).findFirst())
                    .map(ProjectSummary.Text::name).orElse("");
            List<String> row = List.of(String.valueOf(s.id()), name, s.priority(), s.difficulty(), s.status().name(),
                    s.sandbox() ? "True" : "False", nz(s.database()), time(s.lastUpdated()), nz(s.dueDate()),
                    org == null ? "" : org.name(),
                    percent(c.tasksMapped() + c.tasksValidated(), open), percent(c.tasksValidated(), open),
                    String.format(Locale.ROOT, "%.3f", s.areaKm2()),
                    s.countries().isEmpty() ? "" : "[" + String.join(", ", s.countries().stream().map(x -> "'" + x + "'").toList()) + "]",
                    time(s.created()), String.valueOf(e.contributors()), nz(s.author()));
            for (int i = 0; i < row.size(); i++) {
                if (i > 0) b.append(',');
                b.append(cell(row.get(i)));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String percent(long n, long d) {
        return d <= 0 ? "0.00" : new java.math.BigDecimal(n * 100).divide(java.math.BigDecimal.valueOf(d), 2,
                java.math.RoundingMode.HALF_UP).toPlainString();
    }

    private static String time(long millis) {
        return CSV_TIME.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC));
    }

    private static String nz(String s) { return s == null ? "" : s; }

    private static String cell(String v) {
        if (v.indexOf(',') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0 && v.indexOf('\r') < 0) return v;
        return '"' + v.replace("\"", "\"\"") + '"';
    }
}
