package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.NameTaken;
import dev.tmserverless.aws.store.PartnerStore;
import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Names;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Partners (administrators manage them; anyone reads one by its permalink) and projects' partnerships (their
 * project managers manage them; anyone reads them). docs/reference-data.md.
 */
@Singleton
public class Partners {
    /** The reference keeps up to five website links, as {@code name_1}/{@code url_1} … {@code name_5}/{@code url_5}. */
    static final int LINKS = 5;
    private static final java.time.format.DateTimeFormatter ISO = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** The most members one page of {@code general-statistics} asks MapSwipe for. */
    static final int MAX_MEMBERS_PAGE = 1_000;

    private final PartnerStore store;
    private final ProjectAccess projects;
    private final MapSwipeClient mapswipe;

    public Partners(PartnerStore store, ProjectAccess projects, MapSwipeClient mapswipe) {
        this.store = store;
        this.projects = projects;
        this.mapswipe = mapswipe;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.PARTNERS, this::list)
                .on(Routes.CREATE_PARTNER, this::create)
                .on(Routes.PARTNER, this::get)
                .on(Routes.UPDATE_PARTNER, this::update)
                .on(Routes.DELETE_PARTNER, this::delete)
                .on(Routes.PARTNER_GENERAL_STATISTICS, req -> statistics(req, false))
                .on(Routes.PARTNER_FILTERED_STATISTICS, req -> statistics(req, true))
                .on(Routes.CREATE_PARTNERSHIP, this::createPartnership)
                .on(Routes.PARTNERSHIP, req -> Response.ok(dto(partnership(partnershipId(req)))))
                .on(Routes.UPDATE_PARTNERSHIP, this::updatePartnership)
                .on(Routes.DELETE_PARTNERSHIP, this::deletePartnership)
                .on(Routes.PROJECT_PARTNERS, this::ofProject);
    }

    /**
     * A partner's fields in the reference's snake_case; on create {@code name} and {@code primary_hashtag} are
     * required; on update (PUT, as the reference: a partial replace) only the fields present change. Website links
     * come as {@code name_i}/{@code url_i} pairs; on update, the pairs sent replace the list when there is any.
     */
    record PartnerBody(Map<String, String> fields, List<PartnerStore.Link> links, boolean linksSent) {
        static final List<String> FIELDS = List.of("name", "primary_hashtag", "secondary_hashtag", "link_x", "link_meta",
                "link_instagram", "logo_url", "current_projects", "permalink", "mapswipe_group_id");

        static PartnerBody from(JsonNode body, boolean create) {
            if (body == null || !body.isObject() || body.isEmpty()) throw new ApiException(ErrorCode.INVALID_DATA, "Data not provided");
            Map<String, String> fields = new LinkedHashMap<>();
            Set<String> known = new HashSet<>(FIELDS);
            for (int i = 1; i <= LINKS; i++) {
                known.add("name_" + i);
                known.add("url_" + i);
            }
            var names = body.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                // the frontend sends the whole form back, links and the id included
                if (!known.contains(f) && !f.equals("id") && !f.equals("website_links")) {
                    throw new ApiException(ErrorCode.INVALID_DATA, "Unknown partner field " + f);
                }
            }
            for (String f : FIELDS) {
                JsonNode v = body.get(f);
                if (v == null) continue;
                if (!v.isNull() && !v.isTextual()) throw Fields.schema(f, "Input should be a valid string", "string_type");
                String raw = v.isNull() ? null : v.asText();
                fields.put(f, switch (f) {
                    case "name" -> raw == null ? null : Names.name(raw, "name", Names.NAME_MAX);
                    case "primary_hashtag", "secondary_hashtag" -> Names.optional(raw, f, 200, true);
                    case "link_x", "link_meta", "link_instagram", "logo_url" -> Names.url(raw, f);
                    case "permalink" -> permalink(raw);
                    case "current_projects" -> Names.optional(raw, f, Names.TEXT_MAX, true);
                    default -> Names.optional(raw, f, 200, true);
                });
            }
            if (create && fields.get("name") == null) throw new ApiException(ErrorCode.INVALID_DATA, "Partner name is not provided");
            if (create && fields.get("primary_hashtag") == null) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Partner primary_hashtag is not provided");
            }
            if (!create && fields.containsKey("name") && fields.get("name") == null) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Partner name is not provided");
            }
            if (!create && fields.containsKey("primary_hashtag") && fields.get("primary_hashtag") == null) {
                throw new ApiException(ErrorCode.INVALID_DATA, "Partner primary_hashtag is not provided");
            }
            List<PartnerStore.Link> links = new ArrayList<>();
            boolean sent = false;
            for (int i = 1; i <= LINKS; i++) {
                JsonNode n = body.get("name_" + i);
                JsonNode u = body.get("url_" + i);
                if (n != null || u != null) sent = true;
                String name = n == null || n.isNull() ? null : Names.optional(textOf(n, "name_" + i), "name_" + i, Names.NAME_MAX, true);
                String url = u == null || u.isNull() ? null : Names.url(textOf(u, "url_" + i), "url_" + i);
                if (name != null && url != null) links.add(new PartnerStore.Link(name, url));
            }
            return new PartnerBody(fields, links, sent);
        }

        private static String textOf(JsonNode v, String f) {
            if (!v.isTextual()) throw Fields.schema(f, "Input should be a valid string", "string_type");
            return v.asText();
        }

        /** A permalink is one path segment that is not a number (numbers name partners by id). */
        private static String permalink(String raw) {
            String s = Names.optional(raw, "permalink", Names.NAME_MAX, true);
            if (s != null && (!s.matches("[A-Za-z0-9][A-Za-z0-9._~-]*") || s.matches("\\d+"))) {
                throw new ApiException(ErrorCode.INVALID_DATA, "permalink must be letters, digits, '.', '_', '~' or '-', and not only digits");
            }
            return s;
        }

        PartnerStore.Partner apply(PartnerStore.Partner p) {
            return new PartnerStore.Partner(p.id(), pick("name", p.name()), pick("primary_hashtag", p.primaryHashtag()),
                    pick("secondary_hashtag", p.secondaryHashtag()), pick("logo_url", p.logoUrl()), pick("link_meta", p.linkMeta()),
                    pick("link_x", p.linkX()), pick("link_instagram", p.linkInstagram()),
                    pick("current_projects", p.currentProjects()), pick("permalink", p.permalink()),
                    linksSent && !links.isEmpty() ? links : p.websiteLinks(), pick("mapswipe_group_id", p.mapswipeGroupId()));
        }

        private String pick(String f, String current) { return fields.containsKey(f) ? fields.get(f) : current; }
    }

    Response list(Request req) {
        admin(req);
        return Response.ok(store.all().stream().map(Partners::dto).toList());
    }

    Response create(Request req) {
        admin(req);
        PartnerBody b = PartnerBody.from(req.json(), true);
        PartnerStore.Partner blank = new PartnerStore.Partner(0, null, null, null, null, null, null, null, null, null, List.of(), null);
        try {
            return Response.ok(dto(store.create(b.apply(blank))));
        } catch (NameTaken e) {
            throw Interests.taken(e.value());
        }
    }

    /** A number is a partner's id (administrators only); anything else a permalink (public). */
    Response get(Request req) {
        String key = req.pathParams().get("partnerId");
        if (key != null && key.matches("\\d{1,18}")) {
            admin(req);
            return Response.ok(dto(partner(Long.parseLong(key))));
        }
        return Response.ok(dto(byPermalink(key)));
    }

    Response update(Request req) {
        admin(req);
        long id = req.longParam("partnerId", ErrorCode.PARTNER_NOT_FOUND);
        PartnerBody b = PartnerBody.from(req.json(), false);
        for (int attempt = 0; attempt < 3; attempt++) {
            PartnerStore.Partner current = partner(id);
            PartnerStore.Partner next = b.apply(current);
            try {
                if (store.replace(current, next)) return Response.ok(dto(next));
            } catch (NameTaken e) {
                throw Interests.taken(e.value());
            }
        }
        throw new ApiException(ErrorCode.CONFLICT);
    }

    Response delete(Request req) {
        admin(req);
        PartnerStore.Partner p = partner(req.longParam("partnerId", ErrorCode.PARTNER_NOT_FOUND));
        if (!store.delete(p)) throw notFound("partner_id", p.id());
        return Response.ok(Map.of("Success", "Partner deleted"));
    }

    /**
     * The partner's MapSwipe statistics, asked of MapSwipe's GraphQL API after the reference's checks (dates, partner,
     * MapSwipe group) and answered in the reference's shape: {@code general-statistics} the group's members (paged
     * by {@code limit}/{@code offset}, or every member as CSV with {@code downloadAsCSV}) and totals,
     * {@code filtered-statistics} its contributions between two dates (docs/reference-data.md "Partner statistics").
     */
    Response statistics(Request req, boolean filtered) {
        String from = null;
        String to = null;
        int limit = 10;
        int offset = 0;
        boolean csv = false;
        if (filtered) {
            from = req.query("fromDate").orElse(null);
            to = req.query("toDate").orElse(null);
            if (from == null) throw timeRange("fromDate is missing", from, to);
            if (to == null) throw timeRange("toDate is missing", from, to);
            LocalDate f = date(from, "fromDate");
            LocalDate t = date(to, "toDate");
            if (f.isAfter(t)) throw timeRange("fromDate should be less than toDate", from, to);
            from = f.toString();
            to = t.toString();
        } else {
            Long l = Fields.queryLong(req, "limit");
            Long o = Fields.queryLong(req, "offset");
            csv = Fields.queryBool(req, "downloadAsCSV", false);
            limit = l == null ? 10 : (int) Math.max(0, Math.min(l, MAX_MEMBERS_PAGE));
            offset = o == null ? 0 : (int) Math.max(0, Math.min(o, Integer.MAX_VALUE));
        }
        PartnerStore.Partner p = byPermalink(req.pathParams().get("permalink"));
        String group = p.mapswipeGroupId();
        if (group == null || group.isEmpty()) throw new ApiException(ErrorCode.EMPTY_MAPSWIPE_GROUP);
        if (filtered) return Response.ok(MapSwipeStats.filtered(p.id(), group, from, to, mapswipe.filteredStats(group, from, to)));
        // the CSV lists every member, as the reference asks MapSwipe for a million of them
        Map<String, Object> dto = MapSwipeStats.grouped(p.id(), group,
                csv ? mapswipe.groupStats(group, 1_000_000, 0) : mapswipe.groupStats(group, limit, offset));
        if (!csv) return Response.ok(dto);
        return Response.text(MapSwipeStats.membersCsv(dto), "text/csv; charset=utf-8")
                .asAttachment("partner_members.csv", "text/csv; charset=utf-8");
    }

    // ---- partnerships ----

    /** {@code projectId}, {@code partnerId} (both required), {@code startedOn} (default now), {@code endedOn}. */
    record PartnershipBody(Long projectId, Long partnerId, Instant startedOn, Instant endedOn, Set<String> present) {
        static PartnershipBody from(JsonNode body, boolean create) {
            Fields.object(body);
            Set<String> present = new HashSet<>();
            body.fieldNames().forEachRemaining(present::add);
            Long project = create ? Fields.integer(body, "projectId") : null;
            Long partner = create ? Fields.integer(body, "partnerId") : null;
            return new PartnershipBody(project, partner, instant(body, "startedOn"), instant(body, "endedOn"), present);
        }
    }

    Response createPartnership(Request req) {
        User caller = req.caller().require();
        PartnershipBody b = PartnershipBody.from(req.json(), true);
        manager(b.projectId(), caller);
        partner(b.partnerId());
        Instant start = b.startedOn() == null ? Instant.now().truncatedTo(ChronoUnit.SECONDS) : b.startedOn();
        checkRange(start, b.endedOn());
        PartnerStore.Partnership p = store.createPartnership(b.projectId(), b.partnerId(), start, b.endedOn());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Success", "Partner " + p.partnerId() + " assigned to project " + p.projectId());
        m.put("partnershipId", p.id());
        return Response.created(m);
    }

    Response updatePartnership(Request req) {
        User caller = req.caller().require();
        long id = partnershipId(req);
        PartnershipBody b = PartnershipBody.from(req.json(), false);
        PartnerStore.Partnership current = partnership(id);
        manager(current.projectId(), caller);
        Instant start = b.startedOn() != null ? b.startedOn() : current.startedOn();
        Instant end = b.endedOn() != null ? b.endedOn() : current.endedOn();
        checkRange(start, end);
        PartnerStore.Partnership next = new PartnerStore.Partnership(id, current.projectId(), current.partnerId(), start, end);
        if (!store.updatePartnership(next)) throw notFound("partnership_id", id);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Success", "Updated time range. startedOn: " + iso(start) + ", endedOn: " + iso(end));
        m.put("startedOn", iso(start));
        m.put("endedOn", iso(end));
        return Response.ok(m);
    }

    Response deletePartnership(Request req) {
        User caller = req.caller().require();
        long id = partnershipId(req);
        PartnerStore.Partnership p = partnership(id);
        manager(p.projectId(), caller);
        if (!store.deletePartnership(id)) throw notFound("partnership_id", id);
        return Response.ok(Map.of("Success", "Partnership ID " + id + " deleted"));
    }

    Response ofProject(Request req) {
        long projectId = req.longParam("projectId", ErrorCode.PROJECT_NOT_FOUND);
        projects.visible(projectId, req.caller().optional().orElse(null));
        return Response.ok(Map.of("partnerships", store.partnershipsOf(projectId).stream().map(Partners::dto).toList()));
    }

    // ---- helpers ----

    /** The project exists (404) and the caller manages it (401 UserPermissionError, as the reference). */
    private void manager(long projectId, User caller) {
        if (!projects.load(projectId, caller).pm()) throw new ApiException(ErrorCode.PARTNERSHIP_NOT_MANAGER);
    }

    private static void checkRange(Instant start, Instant end) {
        if (end != null && start.isAfter(end)) {
            throw new ApiException(ErrorCode.INVALID_TIME_RANGE, "Partnership cannot end before it started.",
                    Map.of("started_on", iso(start), "ended_on", iso(end)));
        }
    }

    private static ApiException timeRange(String message, String from, String to) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("from_date", from);
        d.put("to_date", to);
        return new ApiException(ErrorCode.INVALID_TIME_RANGE, message, d);
    }

    private static LocalDate date(String s, String name) {
        try {
            return LocalDate.parse(s);
        } catch (DateTimeParseException e) {
            throw new ApiException(ErrorCode.INVALID_TIME_RANGE, name + " must be a date as yyyy-mm-dd", Map.of(name, s));
        }
    }

    /** A naive or zoned ISO date-time (or a date, at midnight UTC), or null when absent. */
    static Instant instant(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isTextual()) throw Fields.schema(field, "Input should be a valid datetime", "datetime_type");
        String s = v.asText().trim();
        try {
            if (s.matches("\\d{4}-\\d{2}-\\d{2}")) return LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC);
            if (s.endsWith("Z") || s.matches(".*[+-]\\d{2}:\\d{2}$")) return java.time.OffsetDateTime.parse(s).toInstant();
            return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw Fields.schema(field, "Input should be a valid datetime", "datetime_parsing");
        }
    }

    static String iso(Instant i) {
        return i == null ? null : ISO.format(LocalDateTime.ofInstant(i, ZoneOffset.UTC)) + "Z";
    }

    private static void admin(Request req) {
        if (!Permissions.canManagePartners(req.caller().require())) throw new ApiException(ErrorCode.PARTNER_ADMIN_ONLY);
    }

    private PartnerStore.Partner partner(long id) {
        return store.get(id).orElseThrow(() -> notFound("partner_id", id));
    }

    private PartnerStore.Partner byPermalink(String permalink) {
        return (permalink == null ? java.util.Optional.<PartnerStore.Partner>empty() : store.byPermalink(permalink))
                .orElseThrow(() -> new ApiException(ErrorCode.PARTNER_NOT_FOUND, ErrorCode.PARTNER_NOT_FOUND.message,
                        Map.of("permalink", String.valueOf(permalink))));
    }

    private PartnerStore.Partnership partnership(long id) {
        return store.partnership(id).orElseThrow(() -> notFound("partnership_id", id));
    }

    private static long partnershipId(Request req) { return req.longParam("partnershipId", ErrorCode.PARTNERSHIP_NOT_FOUND); }

    private static ApiException notFound(String key, long id) {
        ErrorCode code = key.equals("partner_id") ? ErrorCode.PARTNER_NOT_FOUND : ErrorCode.PARTNERSHIP_NOT_FOUND;
        return new ApiException(code, code.message, Map.of(key, id));
    }

    /** The reference's partner dictionary: snake_case fields, then the website links as name_i/url_i. */
    static Map<String, Object> dto(PartnerStore.Partner p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("name", p.name());
        m.put("primary_hashtag", p.primaryHashtag());
        m.put("secondary_hashtag", p.secondaryHashtag());
        m.put("link_x", p.linkX());
        m.put("link_meta", p.linkMeta());
        m.put("link_instagram", p.linkInstagram());
        m.put("logo_url", p.logoUrl());
        m.put("current_projects", p.currentProjects());
        m.put("permalink", p.permalink());
        m.put("mapswipe_group_id", p.mapswipeGroupId());
        for (int i = 0; i < p.websiteLinks().size(); i++) {
            m.put("name_" + (i + 1), p.websiteLinks().get(i).name());
            m.put("url_" + (i + 1), p.websiteLinks().get(i).url());
        }
        return m;
    }

    static Map<String, Object> dto(PartnerStore.Partnership p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", p.id());
        m.put("projectId", p.projectId());
        m.put("partnerId", p.partnerId());
        m.put("startedOn", iso(p.startedOn()));
        m.put("endedOn", iso(p.endedOn()));
        return m;
    }
}
