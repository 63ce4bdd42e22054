package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.BadgeStore;
import dev.tmserverless.aws.store.LevelStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.UserProfile;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Mapping levels and badges: anyone reads them, administrators write them (docs/people.md "Levels and badges"). */
@Singleton
public class LevelsAndBadges {
    static final int MAX_NAME = 128;
    static final int MAX_DESCRIPTION = 2_000;
    static final int MAX_URL = 2_048;
    static final int MAX_REQUIREMENTS = 2_000;

    private final LevelStore levels;
    private final BadgeStore badges;
    private final UserStore users;

    public LevelsAndBadges(LevelStore levels, BadgeStore badges, UserStore users) {
        this.levels = levels;
        this.badges = badges;
        this.users = users;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.LEVELS, req -> Response.ok(Map.of("levels", levelDtos(levels.all()))))
                .on(Routes.LEVEL, req -> Response.ok(levelDto(level(levelId(req)), badgeNames())))
                .on(Routes.CREATE_LEVEL, this::createLevel)
                .on(Routes.UPDATE_LEVEL, this::updateLevel)
                .on(Routes.DELETE_LEVEL, this::deleteLevel)
                .on(Routes.BADGES, req -> Response.ok(Map.of("badges", badges.all().stream().map(LevelsAndBadges::badgeDto).toList())))
                .on(Routes.BADGE, req -> Response.ok(badgeDto(badge(badgeId(req)))))
                .on(Routes.CREATE_BADGE, this::createBadge)
                .on(Routes.UPDATE_BADGE, this::updateBadge)
                .on(Routes.DELETE_BADGE, this::deleteBadge)
                .on(Routes.USER_BADGES, this::userBadges)
                .on(Routes.USER_NEXT_LEVEL, this::nextLevel);
    }

    /**
     * The level above the user's, the sum of its badges' requirements ({@code aggregatedGoal}), the sum of the
     * user's statistics those requirements name ({@code aggregatedProgress}) and their names ({@code metrics});
     * null at the top of the ladder. The statistics are those badges are earned from (the profile's, refreshed by
     * update-stats and the ohsome route).
     */
    Response nextLevel(Request req) {
        req.caller().require();
        Long userId = Fields.queryLong(req, "userId");
        UserProfile p = (userId == null ? Optional.<UserProfile>empty() : users.profile(userId))
                .orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND));
        var next = levels.next(p.user().mappingLevel().id);
        // the reference's JSON null at the top of the ladder (the frontend reads an absent nextLevel from it)
        if (next.isEmpty()) return Response.text("null", "application/json");
        double goal = 0;
        Set<String> metrics = new java.util.LinkedHashSet<>();
        for (var b : badges.all()) {
            if (!next.get().requiredBadges().contains(b.id())) continue;
            for (var r : requirementsOf(b.requirements()).entrySet()) {
                goal += r.getValue();
                metrics.add(r.getKey());
            }
        }
        double progress = 0;
        for (var s : p.stats().entrySet()) if (metrics.contains(s.getKey())) progress += s.getValue();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nextLevel", next.get().name());
        m.put("aggregatedProgress", progress);
        m.put("aggregatedGoal", goal);
        m.put("metrics", List.copyOf(metrics));
        return Response.ok(m);
    }

    // ------------------------------------------------------------------------------------------------ levels

    /** A level's body: name, approvalsRequired (≥ 0), color, isBeginner, requiredBadges [{id}] (≥ 1 unless beginner). */
    record LevelBody(String name, Integer approvalsRequired, String color, Boolean beginner, Set<Long> requiredBadges) {
        static LevelBody from(JsonNode body, boolean create) {
            Fields.object(body);
            String name = create || body.hasNonNull("name") ? capped(body, "name", MAX_NAME).trim() : null;
            if (name != null && name.isEmpty()) throw Fields.schema("name", "String should have at least 1 character", "string_too_short");
            Integer approvals = null;
            if (body.hasNonNull("approvalsRequired")) {
                approvals = Fields.smallInteger(body, "approvalsRequired");
                if (approvals < 0 || approvals > 100) {
                    throw Fields.schema("approvalsRequired", "Input should be between 0 and 100", "less_than_equal");
                }
            }
            String color = body.hasNonNull("color") ? capped(body, "color", 32) : null;
            Boolean beginner = body.hasNonNull("isBeginner") ? Fields.flag(body, "isBeginner", false) : null;
            Set<Long> required = new LinkedHashSet<>();
            JsonNode list = body.get("requiredBadges");
            if (list != null && !list.isNull()) {
                if (!list.isArray()) throw Fields.schema("requiredBadges", "Input should be a valid list", "list_type");
                if (list.size() > 100) throw Fields.schema("requiredBadges", "List should have at most 100 items", "too_long");
                for (JsonNode b : list) {
                    if (!b.isObject()) throw Fields.schema("requiredBadges", "Input should be a valid dictionary", "dict_type");
                    required.add(Fields.integer(b, "id"));
                }
            }
            // the reference's rule: a level other than the beginner one needs at least one badge
            if (required.isEmpty() && !Boolean.TRUE.equals(beginner)) {
                throw Fields.schema("requiredBadges", "Value error, needs at least one badge", "value_error");
            }
            return new LevelBody(name, approvals, color, beginner, required);
        }
    }

    Response createLevel(Request req) {
        Permissions.checkAdmin(req.caller().require());
        LevelBody b = LevelBody.from(req.json(), true);
        requireBadges(b.requiredBadges());
        var created = levels.create(b.name(), b.approvalsRequired() == null ? 0 : b.approvalsRequired(), b.color(),
                Boolean.TRUE.equals(b.beginner()), b.requiredBadges())
                .orElseThrow(() -> new ApiException(ErrorCode.LEVEL_NAME_EXISTS));
        return Response.ok(levelDto(created, badgeNames()));
    }

    Response updateLevel(Request req) {
        Permissions.checkAdmin(req.caller().require());
        int id = levelId(req);
        LevelBody b = LevelBody.from(req.json(), false);
        LevelStore.Level old = level(id);
        requireBadges(b.requiredBadges());
        var changed = new LevelStore.Level(id, b.name() == null ? old.name() : b.name(),
                b.approvalsRequired() == null ? old.approvalsRequired() : b.approvalsRequired(),
                b.color() == null ? old.color() : b.color(), b.beginner() == null ? old.beginner() : b.beginner(),
                b.requiredBadges(), old.users());
        try {
            return Response.ok(levelDto(levels.update(changed).orElseThrow(() -> levelNotFound(id)), badgeNames()));
        } catch (LevelStore.NameTakenException e) {
            throw new ApiException(ErrorCode.LEVEL_NAME_EXISTS);
        }
    }

    Response deleteLevel(Request req) {
        Permissions.checkAdmin(req.caller().require());
        int id = levelId(req);
        if (level(id).beginner()) throw new ApiException(ErrorCode.MAPPING_LEVEL_BEGINNER);
        return switch (levels.delete(id)) {
            case DELETED -> Response.ok(null);
            case NOT_FOUND -> throw levelNotFound(id);
            case HAS_USERS -> throw new ApiException(ErrorCode.MAPPING_LEVEL_HAS_USERS);
        };
    }

    private void requireBadges(Set<Long> ids) {
        Set<Long> known = badgeNames().keySet();
        for (Long id : ids) if (!known.contains(id)) throw badgeNotFound(id);
    }

    private LevelStore.Level level(int id) {
        return levels.get(id).orElseThrow(() -> levelNotFound(id));
    }

    static int levelId(Request req) {
        long id = req.longParam("levelId", ErrorCode.MAPPING_LEVEL_NOT_FOUND);
        if (id < 1 || id > Integer.MAX_VALUE) throw levelNotFound(id);
        return (int) id;
    }

    static ApiException levelNotFound(long id) {
        return new ApiException(ErrorCode.MAPPING_LEVEL_NOT_FOUND, ErrorCode.MAPPING_LEVEL_NOT_FOUND.message,
                Map.of("mapping_level_id", id));
    }

    private Map<Long, String> badgeNames() {
        Map<Long, String> names = new LinkedHashMap<>();
        for (var b : badges.all()) names.put(b.id(), b.name());
        return names;
    }

    private List<Map<String, Object>> levelDtos(List<LevelStore.Level> all) {
        Map<Long, String> names = badgeNames();
        return all.stream().map(l -> levelDto(l, names)).toList();
    }

    /** The reference's MappingLevelDTO, with the level's required badges filled in every answer. */
    static Map<String, Object> levelDto(LevelStore.Level l, Map<Long, String> badgeNames) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", l.id());
        m.put("name", l.name());
        m.put("approvalsRequired", l.approvalsRequired());
        m.put("color", l.color());
        m.put("ordering", l.ordering());
        m.put("isBeginner", l.beginner());
        List<Map<String, Object>> required = new ArrayList<>();
        for (Long id : l.requiredBadges()) {
            if (!badgeNames.containsKey(id)) continue; // a badge deleted since
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("id", id);
            b.put("name", badgeNames.get(id));
            required.add(b);
        }
        m.put("requiredBadges", required);
        return m;
    }

    // ------------------------------------------------------------------------------------------------ badges

    /** A badge's body; on create name, description, imagePath and requirements are required. */
    record BadgeBody(String name, String description, String imagePath, String requirements, Boolean enabled,
                     Boolean internal) {
        static BadgeBody from(JsonNode body, boolean create) {
            Fields.object(body);
            String name = create || body.hasNonNull("name") ? capped(body, "name", MAX_NAME).trim() : null;
            if (name != null && name.isEmpty()) throw Fields.schema("name", "String should have at least 1 character", "string_too_short");
            String description = create || body.hasNonNull("description") ? capped(body, "description", MAX_DESCRIPTION) : null;
            String image = create || body.hasNonNull("imagePath") ? capped(body, "imagePath", MAX_URL) : null;
            String requirements = create || body.hasNonNull("requirements") ? requirements(capped(body, "requirements", MAX_REQUIREMENTS)) : null;
            Boolean enabled = body.hasNonNull("isEnabled") ? Fields.flag(body, "isEnabled", true) : null;
            Boolean internal = body.hasNonNull("isInternal") ? Fields.flag(body, "isInternal", false) : null;
            return new BadgeBody(name, description, image, requirements, enabled, internal);
        }

        /** A JSON object of at least one statistic name ⇒ non-negative whole-number threshold. */
        static String requirements(String text) {
            JsonNode r;
            try {
                r = Json.parse(text);
            } catch (RuntimeException e) {
                throw Fields.schema("requirements", "Value error, invalid json", "value_error");
            }
            if (r == null || !r.isObject()) throw Fields.schema("requirements", "Value error, invalid json", "value_error");
            if (r.isEmpty()) throw Fields.schema("requirements", "Value error, needs at least one requirement", "value_error");
            var names = r.fieldNames();
            while (names.hasNext()) {
                String k = names.next();
                JsonNode v = r.get(k);
                if (k.isBlank() || k.length() > 64 || !v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
                    throw Fields.schema("requirements", "Value error, each requirement is a statistic and a whole number >= 0", "value_error");
                }
            }
            return text;
        }
    }

    /** Requirements as the promotion rules read them. */
    static Map<String, Long> requirementsOf(String text) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (text == null) return out;
        try {
            JsonNode r = Json.parse(text);
            if (r != null && r.isObject()) r.fields().forEachRemaining(e -> {
                if (e.getValue().canConvertToLong()) out.put(e.getKey(), e.getValue().asLong());
            });
        } catch (RuntimeException ignored) {
            // stored text was checked on write
        }
        return out;
    }

    Response createBadge(Request req) {
        Permissions.checkAdmin(req.caller().require());
        BadgeBody b = BadgeBody.from(req.json(), true);
        var created = badges.create(b.name(), b.description(), b.imagePath(), b.requirements(),
                b.enabled() == null || b.enabled(), Boolean.TRUE.equals(b.internal()));
        return Response.ok(badgeDto(created));
    }

    Response updateBadge(Request req) {
        Permissions.checkAdmin(req.caller().require());
        long id = badgeId(req);
        BadgeBody b = BadgeBody.from(req.json(), false);
        var old = badge(id);
        var changed = new BadgeStore.Badge(id, b.name() == null ? old.name() : b.name(),
                b.description() == null ? old.description() : b.description(),
                b.imagePath() == null ? old.imagePath() : b.imagePath(),
                b.requirements() == null ? old.requirements() : b.requirements(),
                b.enabled() == null ? old.enabled() : b.enabled(), b.internal() == null ? old.internal() : b.internal(),
                old.holders());
        if (!badges.update(changed)) throw badgeNotFound(id);
        return Response.ok(badgeDto(badge(id)));
    }

    Response deleteBadge(Request req) {
        Permissions.checkAdmin(req.caller().require());
        long id = badgeId(req);
        return switch (badges.delete(id)) {
            case DELETED -> Response.ok(null);
            case NOT_FOUND -> throw badgeNotFound(id);
            case HAS_USERS -> throw new ApiException(ErrorCode.MAPPING_BADGE_HAS_USERS);
        };
    }

    /** The enabled, public badges a user has earned (nobody's: an empty list, as the reference). */
    Response userBadges(Request req) {
        long userId = req.longParam("userId", ErrorCode.USER_NOT_FOUND);
        Set<Long> held = users.profile(userId).map(UserProfile::badges).orElse(Set.of());
        List<Map<String, Object>> out = new ArrayList<>();
        for (var b : badges.all()) {
            if (!held.contains(b.id()) || !b.enabled() || b.internal()) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", b.id());
            m.put("name", b.name());
            m.put("description", b.description());
            m.put("imagePath", b.imagePath());
            out.add(m);
        }
        return Response.ok(Map.of("badges", out));
    }

    private BadgeStore.Badge badge(long id) {
        return badges.get(id).orElseThrow(() -> badgeNotFound(id));
    }

    static long badgeId(Request req) {
        return req.longParam("badgeId", ErrorCode.MAPPING_BADGE_NOT_FOUND);
    }

    static ApiException badgeNotFound(long id) {
        return new ApiException(ErrorCode.MAPPING_BADGE_NOT_FOUND, ErrorCode.MAPPING_BADGE_NOT_FOUND.message,
                Map.of("badge_id", id));
    }

    static Map<String, Object> badgeDto(BadgeStore.Badge b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", b.id());
        m.put("name", b.name());
        m.put("description", b.description());
        m.put("imagePath", b.imagePath());
        m.put("requirements", b.requirements());
        m.put("isEnabled", b.enabled());
        m.put("isInternal", b.internal());
        return m;
    }

    static String capped(JsonNode body, String field, int max) {
        String v = Fields.text(body, field);
        if (v.length() > max) throw Fields.schema(field, "String should have at most " + max + " characters", "string_too_long");
        return v;
    }
}
