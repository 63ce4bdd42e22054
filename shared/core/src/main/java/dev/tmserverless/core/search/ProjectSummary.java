package dev.tmserverless.core.search;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectInfo;
import dev.tmserverless.core.domain.ProjectStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What project search knows of a project's settings (docs/search.md): one small document per project, kept
 * beside the project and written with every settings write. {@code bbox} is the AOI's bounding box (minx, miny,
 * maxx, maxy; null in summaries written before it was kept). The task counters are not in it: they move with
 * every task transition and are kept as numbers on the same item. {@code v} is the layout version: a reader
 * skips documents of a layout it does not know.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ProjectSummary(int v, long id, ProjectStatus status, String priority, String difficulty,
                             List<String> mappingTypes, long organisationId, long authorId, String author,
                             long created, long lastUpdated, String dueDate, double[] centroid, double[] bbox,
                             boolean isPrivate,
                             List<Long> allowedUserIds, String mappingPermission, int mappingLevel,
                             String validationPermission, int validationLevel, String defaultLocale,
                             List<Text> texts, List<String> hashtags, boolean sandbox, String database,
                             String imagery, double areaKm2, List<String> countries, List<Long> campaigns,
                             List<Long> interests) {

    public static final int VERSION = 1;

    /**
     * One locale's text: the name and short description as shown in a list, and {@code words}: every distinct
     * word of the name, short description and description, lower-cased, sorted and space-separated (what text
     * search reads; the description itself is never shown in a list, and its words are a fraction of its size).
     */
    public record Text(String locale, String name, String shortDescription, String words) {}

    public ProjectSummary {
        mappingTypes = mappingTypes == null ? List.of() : List.copyOf(mappingTypes);
        allowedUserIds = allowedUserIds == null ? List.of() : List.copyOf(allowedUserIds);
        texts = texts == null ? List.of() : List.copyOf(texts);
        hashtags = hashtags == null ? List.of() : List.copyOf(hashtags);
        countries = countries == null ? List.of() : List.copyOf(countries);
        campaigns = campaigns == null ? List.of() : List.copyOf(campaigns);
        interests = interests == null ? List.of() : List.copyOf(interests);
    }

    /** This summary with the project's campaign and interest ids (kept on the summary item beside it). */
    public ProjectSummary withTags(List<Long> campaignIds, List<Long> interestIds) {
        if (campaigns.equals(campaignIds) && interests.equals(interestIds)) return this;
        return new ProjectSummary(v, id, status, priority, difficulty, mappingTypes, organisationId, authorId, author,
                created, lastUpdated, dueDate, centroid, bbox, isPrivate, allowedUserIds, mappingPermission,
                mappingLevel, validationPermission, validationLevel, defaultLocale, texts, hashtags, sandbox, database,
                imagery, areaKm2, countries, campaignIds, interestIds);
    }

    private static final Pattern HASHTAG = Pattern.compile("#[\\p{L}\\p{N}_-]+");

    /**
     * The summary of a project's settings. Campaigns and interests are empty here: the index takes them from their own
     * attributes of the summary item ({@link #withTags}).
     */
    public static ProjectSummary of(Project p) {
        List<Text> texts = new ArrayList<>();
        for (ProjectInfo i : p.projectInfoLocales()) {
            texts.add(new Text(i.locale(), nz(i.name()), nz(i.shortDescription()),
                    words(nz(i.name()) + " " + nz(i.shortDescription()) + " " + nz(i.description()))));
        }
        List<String> tags = new ArrayList<>();
        if (p.changesetComment() != null) {
            Matcher m = HASHTAG.matcher(p.changesetComment());
            while (m.find()) tags.add(m.group().toLowerCase(Locale.ROOT));
        }
        double[] c = p.aoiCentroid() == null ? null
                : new double[]{round6(p.aoiCentroid()[0]), round6(p.aoiCentroid()[1])};
        return new ProjectSummary(VERSION, p.id(), p.status(), p.projectPriority(), p.difficulty(), p.mappingTypes(),
                p.organisationId(), p.authorId(), p.authorUsername(),
                p.created() == null ? 0 : p.created().toEpochMilli(),
                p.lastUpdated() == null ? 0 : p.lastUpdated().toEpochMilli(), p.dueDate(), c,
                p.aoiBbox() == null ? null : p.aoiBbox().clone(), p.isPrivate(),
                p.allowedUserIds(), p.mappingPermission(), p.mappingPermissionLevelId(), p.validationPermission(),
                p.validationPermissionLevelId(), p.defaultLocale(), texts, tags, p.sandbox(), p.database(),
                p.imagery(), p.areaKm2(), p.countryTag(), List.of(), List.of());
    }

    private static final Pattern NON_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    /** The distinct lower-case words of {@code text}, sorted, separated by one space. */
    public static String words(String text) {
        java.util.TreeSet<String> set = new java.util.TreeSet<>();
        for (String w : NON_WORD.split(text.toLowerCase(Locale.ROOT))) if (!w.isEmpty()) set.add(w);
        return String.join(" ", set);
    }

    /** The text of {@code locale} with each empty field filled from the default locale's, as a project's info is. */
    public Text text(String locale) {
        Text def = texts.stream().filter(t -> t.locale().equals(defaultLocale)).findFirst()
                .orElse(new Text(defaultLocale, "", "", ""));
        Text want = locale == null ? null
                : texts.stream().filter(t -> t.locale().equalsIgnoreCase(locale)).findFirst().orElse(null);
        if (want == null) return def;
        return new Text(want.locale(), or(want.name(), def.name()), or(want.shortDescription(), def.shortDescription()),
                want.words());
    }

    private static String or(String a, String b) { return a == null || a.isEmpty() ? b : a; }

    private static String nz(String s) { return s == null ? "" : s; }

    /** Six decimals (about 10 cm) are plenty for a point on a world map, and keep the map answer small. */
    static double round6(double d) { return Math.round(d * 1e6) / 1e6; }
}
