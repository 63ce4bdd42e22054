package dev.tmserverless.fn.projects;

import dev.tmserverless.aws.http.Request;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The query of {@code GET /projects/}, parsed and checked (docs/search.md). A malformed number or boolean is
 * FastAPI's 422; an unknown difficulty, mapping type or status, an unknown order, a bad date or a bad
 * interest id is the reference's 400 {@code "Projects GET - …"}. The "…ByMe" flags only count for a caller
 * who is logged in.
 */
record SearchQuery(String locale, String difficulty, String action, String organisationName, Long organisationId,
                   Integer teamId, String campaign, String orderBy, boolean descending, int page, String textSearch,
                   String country, boolean omitMapResults, Long lastUpdatedFrom, Long lastUpdatedTo,
                   Long createdFrom, Long createdTo, Integer partnerId, LocalDate partnershipFrom,
                   LocalDate partnershipTo, boolean downloadAsCsv, boolean createdByMe, boolean mappedByMe,
                   boolean favoritedByMe, boolean managedByMe, boolean basedOnMyInterests, List<String> mappingTypes,
                   boolean mappingTypesExact, String imagery, List<ProjectStatus> statuses, List<Long> interests,
                   Boolean sandbox, String database) {

    static final int PER_PAGE = 14;
    /** Python's {@code %Y-%m-%d}: month and day with or without a leading zero. */
    static final java.time.format.DateTimeFormatter DATE = java.time.format.DateTimeFormatter.ofPattern("uuuu-M-d");
    static final Set<String> DIFFICULTIES = Set.of("EASY", "MODERATE", "CHALLENGING");
    static final Set<String> MAPPING_TYPES = Set.of("ROADS", "BUILDINGS", "WATERWAYS", "LAND_USE", "OTHER");
    /** The reference's column names, and the camel-case names the API uses elsewhere for the same columns. */
    static final Map<String, String> ORDERS = Map.ofEntries(Map.entry("id", "id"), Map.entry("priority", "priority"),
            Map.entry("difficulty", "difficulty"), Map.entry("status", "status"),
            Map.entry("last_updated", "last_updated"), Map.entry("lastUpdated", "last_updated"),
            Map.entry("due_date", "due_date"), Map.entry("dueDate", "due_date"),
            Map.entry("created", "created"), Map.entry("createdOn", "created"),
            Map.entry("percent_mapped", "percent_mapped"), Map.entry("percentMapped", "percent_mapped"),
            Map.entry("percent_validated", "percent_validated"), Map.entry("percentValidated", "percent_validated"));

    /** An order name as search takes it ({@code priority} when absent); the reference's 400 for an unknown one. */
    static String orderField(String raw) {
        if (raw == null || raw.isEmpty()) return "priority";
        String o = ORDERS.get(raw);
        if (o == null) throw bad("unknown orderBy '" + raw + "'");
        return o;
    }

    static SearchQuery from(Request req, boolean loggedIn) {
        Map<String, String> q = req.query();
        String difficulty = text(q, "difficulty");
        if (difficulty != null) {
            if (difficulty.equalsIgnoreCase("ALL")) difficulty = null;
            else if (!DIFFICULTIES.contains(difficulty)) throw bad("'" + difficulty + "'");
        }
        String action = text(q, "action");
        if (action != null && !action.equals("map") && !action.equals("validate")) action = null;
        String search = text(q, "textSearch");
        if (search != null && search.length() > MAX_TEXT) throw bad("textSearch is longer than " + MAX_TEXT + " characters");
        String orderBy = text(q, "orderBy");
        orderBy = orderBy == null ? "priority" : ORDERS.get(orderBy);
        if (orderBy == null) throw bad("unknown orderBy '" + q.get("orderBy") + "'");
        List<String> types = list(q, "mappingTypes");
        for (String t : types) if (!MAPPING_TYPES.contains(t)) throw bad("'" + t + "'");
        List<ProjectStatus> statuses = new ArrayList<>();
        for (String s : list(q, "projectStatuses")) {
            try {
                statuses.add(ProjectStatus.valueOf(s));
            } catch (IllegalArgumentException e) {
                throw bad("'" + s + "'");
            }
        }
        List<Long> interests = new ArrayList<>();
        for (String s : list(q, "interests")) {
            try {
                interests.add(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                throw bad("invalid literal for int() with base 10: '" + s + "'");
            }
        }
        boolean csv = bool(q, "downloadAsCSV", false);
        return new SearchQuery(req.locale(), difficulty, action, text(q, "organisationName"),
                integer(q, "organisationId"), (Integer) intOrNull(q, "teamId"), text(q, "campaign"), orderBy,
                "DESC".equals(q.get("orderByType")), integer(q, "page") == null ? 1 : integer(q, "page").intValue(),
                search, text(q, "country"), bool(q, "omitMapResults", false),
                startOf(q, "lastUpdatedFrom"), startOf(q, "lastUpdatedTo"), startOf(q, "createdFrom"),
                startOf(q, "createdTo"), (Integer) intOrNull(q, "partnerId"), date(q, "partnershipFrom"),
                date(q, "partnershipTo"), csv, loggedIn && bool(q, "createdByMe", false),
                loggedIn && bool(q, "mappedByMe", false), loggedIn && bool(q, "favoritedByMe", false),
                loggedIn && bool(q, "managedByMe", false), loggedIn && bool(q, "basedOnMyInterests", false), types,
                bool(q, "mappingTypesExact", false), text(q, "imagery"), statuses, interests,
                q.containsKey("sandbox") ? bool(q, "sandbox", false) : null, text(q, "database"));
    }

    /** The reference's checks of its option combinations, in its order. */
    void checkCombinations(boolean admin) {
        if (omitMapResults && downloadAsCsv) throw new ApiException(ErrorCode.SEARCH_OMIT_AND_CSV);
        if ((partnershipFrom != null || partnershipTo != null) && partnerId == null) {
            throw new ApiException(ErrorCode.PARTNERSHIP_WITHOUT_PARTNER);
        }
        if (partnerId != null && partnershipFrom != null && partnershipTo != null && partnershipFrom.isAfter(partnershipTo)) {
            throw new ApiException(ErrorCode.PARTNERSHIP_FROM_AFTER_TO);
        }
        if ((partnerId != null || partnershipFrom != null || partnershipTo != null) && !admin) {
            throw new ApiException(ErrorCode.PARTNER_FILTER_ADMIN_ONLY);
        }
    }

    private static ApiException bad(String why) {
        return new ApiException(ErrorCode.SEARCH_BAD_VALUE, ErrorCode.SEARCH_BAD_VALUE.message + why);
    }

    /** A text parameter; empty counts as absent, as the reference's truthiness tests make it. */
    private static String text(Map<String, String> q, String name) {
        String v = q.get(name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** Longest {@code textSearch} taken (docs/search.md "Limits"). */
    static final int MAX_TEXT = 1_000;
    /** Most values of one comma-separated parameter. */
    static final int MAX_VALUES = 100;

    private static List<String> list(Map<String, String> q, String name) {
        String v = text(q, name);
        if (v == null) return List.of();
        List<String> out = List.of(v.split(",", MAX_VALUES + 1));
        if (out.size() > MAX_VALUES) throw bad(name + " has more than " + MAX_VALUES + " values");
        return out;
    }

    private static Long integer(Map<String, String> q, String name) {
        String v = q.get(name);
        if (v == null) return null;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw schema(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing");
        }
    }

    private static Object intOrNull(Map<String, String> q, String name) {
        Long v = integer(q, name);
        if (v == null) return null;
        if (v != v.intValue()) throw schema(name, "Input should be a valid integer", "int_parsing");
        return v.intValue();
    }

    /** FastAPI's boolean words. */
    private static boolean bool(Map<String, String> q, String name, boolean dflt) {
        String v = q.get(name);
        if (v == null) return dflt;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "1", "on", "t", "true", "y", "yes" -> true;
            case "0", "off", "f", "false", "n", "no" -> false;
            default -> throw schema(name, "Input should be a valid boolean, unable to interpret input", "bool_parsing");
        };
    }

    private static LocalDate date(Map<String, String> q, String name) {
        String v = text(q, name);
        if (v == null) return null;
        try {
            LocalDate d = LocalDate.parse(v.trim(), DATE);
            // Python's dates run from year 1 to 9999
            if (d.getYear() < 1 || d.getYear() > 9999) throw new DateTimeParseException("year", v, 0);
            return d;
        } catch (DateTimeParseException e) {
            throw bad("InvalidDateValue- Invalid date value");
        }
    }

    /**
     * A date bound as the reference compares it with a timestamp: midnight (UTC) at the start of that day, for
     * both "from" and "to".
     */
    private static Long startOf(Map<String, String> q, String name) {
        LocalDate d = date(q, name);
        return d == null ? null : d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    private static ApiException schema(String field, String msg, String type) {
        return new ApiException(ErrorCode.SCHEMA_INVALID, msg, Map.of("loc", List.of("query", field), "type", type));
    }
}
