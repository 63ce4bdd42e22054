package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Tokens;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.aws.store.BadgeStore;
import dev.tmserverless.aws.store.LevelStore;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.EmailTokens;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Promotion;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserProfile;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.core.dto.Pagination;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Users as people: profiles and their privacy rule, the user's own settings, e-mail verification, the user list and
 * mention autocomplete, account deletion, the administrators' actions and the mapper-level promotion rules
 * (docs/people.md). Every rule that grants something follows the OSM account id; usernames only find accounts.
 */
@Singleton
public class People {
    private static final Logger LOG = LoggerFactory.getLogger(People.class);
    static final int MAX_TEXT = 256;
    static final int MAX_EMAIL = 254;
    /** Mention autocomplete answers this many names a page, as the reference. */
    static final int FILTER_PAGE = 20;

    private final UserStore users;
    private final LevelStore levels;
    private final BadgeStore badges;
    private final MessageStore messages;
    private final ApplicationKeyStore keys;
    private final Mailer mailer;
    private final Tokens tokens;
    private final TmConfig config;
    private final OsmClient osm;
    private final dev.tmserverless.aws.store.StatsReads statistics;
    private final dev.tmserverless.aws.store.ChatStore chat;
    private final dev.tmserverless.aws.store.InterestStore interests;

    public People(UserStore users, LevelStore levels, BadgeStore badges, MessageStore messages, ApplicationKeyStore keys,
                  Mailer mailer, Tokens tokens, TmConfig config, OsmClient osm, dev.tmserverless.aws.store.StatsReads statistics,
                  dev.tmserverless.aws.store.ChatStore chat, dev.tmserverless.aws.store.InterestStore interests) {
        this.statistics = statistics;
        this.chat = chat;
        this.interests = interests;
        this.users = users;
        this.levels = levels;
        this.badges = badges;
        this.messages = messages;
        this.keys = keys;
        this.mailer = mailer;
        this.tokens = tokens;
        this.config = config;
        this.osm = osm;
    }

    // ------------------------------------------------------------------------------------------------ profiles

    /** {@code GET /users/queries/{username}/}: re-evaluates the user's level first, as the reference does. */
    public Map<String, Object> byUsername(User viewer, String username) {
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        UserProfile p = evaluate(profile(u.id()), Instant.now());
        return dto(p, viewer);
    }

    public Map<String, Object> byId(User viewer, long id) {
        return dto(users.profile(id).orElseThrow(() -> userNotFound("user_id", id)), viewer);
    }

    private UserProfile profile(long id) {
        return users.profile(id).orElseThrow(() -> userNotFound("user_id", id));
    }

    static ApiException userNotFound(String key, Object value) {
        return new ApiException(ErrorCode.USER_NOT_FOUND, ErrorCode.USER_NOT_FOUND.message, Map.of(key, value));
    }

    /** The reference's UserDTO; e-mail, its verification and gender only for the account itself. */
    Map<String, Object> dto(UserProfile p, User viewer) {
        User u = p.user();
        boolean self = Permissions.seesPrivateProfile(viewer, u);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", u.id());
        m.put("username", u.username());
        m.put("role", u.role().name());
        m.put("mappingLevel", levelName(u.mappingLevel()));
        m.put("level_ordering", u.mappingLevel().ordering());
        m.put("projectsMapped", p.projectsMapped().isEmpty() ? null : p.projectsMapped().size());
        m.put("emailAddress", self ? u.emailAddress() : null);
        m.put("isEmailVerified", self ? p.emailVerified() : null);
        m.put("isExpert", p.expert());
        for (String f : List.of("twitterId", "facebookId", "linkedinId", "slackId", "ircId", "skypeId", "city", "country", "name")) {
            m.put(f, p.text(f));
        }
        m.put("pictureUrl", u.pictureUrl());
        m.put("defaultEditor", p.defaultEditor());
        for (String f : UserProfile.NOTIFICATION_DEFAULTS.keySet()) m.put(f, p.notification(f));
        m.put("gender", self ? p.gender() : null);
        m.put("selfDescriptionGender", self && p.gender() != null ? p.selfDescriptionGender() : null);
        return m;
    }

    /** A level's current name (levels can be renamed after a user reached them). */
    private String levelName(MappingLevel l) {
        return levels.get(l.id).map(LevelStore.Level::name).orElse(l.name());
    }

    // ------------------------------------------------------------------------------------------------ own settings

    /** The body of {@code PATCH /users/me/actions/set-user/}: a UserDTO; only the owner's own fields are taken. */
    record UserUpdate(Long id, UserStore.ProfileChanges changes) {
        static UserUpdate from(JsonNode body) {
            if (body == null || !body.isObject()) throw invalid();
            Long id = null;
            JsonNode idNode = body.get("id");
            if (idNode != null && !idNode.isNull()) {
                if (!idNode.isIntegralNumber() || !idNode.canConvertToLong()) throw invalid();
                id = idNode.asLong();
            }
            Map<String, String> texts = new HashMap<>();
            for (String f : UserProfile.TEXT_FIELDS) {
                String v = text(body, f, MAX_TEXT);
                if (v != null) texts.put(f, v);
            }
            Map<String, Boolean> notifications = new HashMap<>();
            for (String f : UserProfile.NOTIFICATION_DEFAULTS.keySet()) {
                Boolean v = flag(body, f);
                if (v != null) notifications.put(f, v);
            }
            String editor = text(body, "defaultEditor", 32);
            if (editor != null && !UserProfile.EDITORS.contains(editor.toUpperCase(Locale.ROOT))) throw invalid();
            String gender = text(body, "gender", 32);
            if (gender != null && !UserProfile.GENDERS.contains(gender)) throw invalid();
            String selfDescription = text(body, "selfDescriptionGender", MAX_TEXT);
            String email = text(body, "emailAddress", MAX_EMAIL);
            if (email != null && email.isBlank()) email = null; // the reference reads "" as "not given"
            if (email != null) {
                email = email.trim().toLowerCase(Locale.ROOT);
                if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) throw invalid();
            }
            return new UserUpdate(id, new UserStore.ProfileChanges(texts, notifications,
                    editor == null ? null : editor.toUpperCase(Locale.ROOT), gender, selfDescription, flag(body, "isExpert"), email));
        }

        private static String text(JsonNode body, String f, int max) {
            JsonNode v = body.get(f);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual() || v.asText().length() > max) throw invalid();
            return v.asText();
        }

        private static Boolean flag(JsonNode body, String f) {
            JsonNode v = body.get(f);
            if (v == null || v.isNull()) return null;
            if (!v.isBoolean()) throw invalid();
            return v.asBoolean();
        }

        private static ApiException invalid() { return new ApiException(ErrorCode.UPDATE_USER_INVALID); }
    }

    /** Saves the caller's own settings; a new address is stored unverified and sent a verification link. */
    public Map<String, Object> setUser(User caller, UserUpdate update, Instant now) {
        if (update.id() == null || update.id() != caller.id()) throw new ApiException(ErrorCode.UNABLE_TO_AUTH);
        boolean emailChanged = users.updateProfileWrite(caller.id(), update.changes());
        boolean sent = false;
        if (emailChanged) {
            try {
                sendVerification(profile(caller.id()).user(), now);
                sent = true;
            } catch (ApiException e) {
                LOG.warn("verification mail for user {} not sent: {}", caller.id(), e.getMessage());
            }
        }
        return Map.of("verificationEmailSent", sent);
    }

    /** Sends the verification link again to the caller's current address. */
    public void resendVerification(User caller, Instant now) {
        User u = profile(caller.id()).user();
        if (u.emailAddress() == null || u.emailAddress().isBlank()) throw new ApiException(ErrorCode.EMAIL_NOT_SET);
        sendVerification(u, now);
    }

    private void sendVerification(User u, Instant now) {
        if (!mailer.configured()) throw new ApiException(ErrorCode.MAIL_SERVICE_ERROR);
        String token = tokens.email().issue(u.emailAddress(), u.id(), now);
        String link = appBaseUrl() + "/verify-email/?token=" + enc(token) + "&username=" + enc(u.username());
        String text = "Hi " + u.username() + ",\n\nPlease confirm your email address for the " + config.orgName()
                + " Tasking Manager by opening this link within 24 hours:\n" + link + "\n";
        String html = "<p>Hi " + dev.tmserverless.core.domain.Html.escape(u.username()) + ",</p><p>Please confirm your"
                + " email address for the " + dev.tmserverless.core.domain.Html.escape(config.orgName())
                + " Tasking Manager within 24 hours:</p><p><a href=\"" + dev.tmserverless.core.domain.Html.escape(link)
                + "\">Confirm my email address</a></p>";
        send(new Mailer.Mail(u.emailAddress(), "Confirm your email address", text, html, null));
    }

    private void send(Mailer.Mail m) {
        try {
            mailer.send(m);
        } catch (RuntimeException e) {
            LOG.warn("mail to {} failed: {}", m.to().replaceAll("^[^@]{0,3}", "***"), e.toString());
            throw new ApiException(ErrorCode.MAIL_SERVICE_ERROR);
        }
    }

    /** The web frontend's origin: TM_APP_BASE_URL, else the origin of the OAuth redirect URI. */
    String appBaseUrl() {
        return config.get("TM_APP_BASE_URL").map(s -> s.replaceAll("/+$", "")).orElseGet(() -> {
            URI r = URI.create(config.redirectUri());
            return r.getScheme() + "://" + r.getAuthority();
        });
    }

    /**
     * The link's check: the named user (404), then the token (403 ExpiredToken / BadSignature), then that it was
     * issued to this account for its current address (403 InvalidEmail).
     */
    public void verifyEmail(String username, String token, Instant now) {
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        EmailTokens.Check c = tokens.email().check(token, now);
        switch (c.outcome()) {
            case EXPIRED -> throw new ApiException(ErrorCode.EXPIRED_TOKEN);
            case BAD_SIGNATURE -> throw new ApiException(ErrorCode.BAD_SIGNATURE);
            case OK -> { }
        }
        if (c.userId() != u.id() || u.emailAddress() == null || !u.emailAddress().equalsIgnoreCase(c.email())
                || !users.verifyEmailWrite(u.id(), u.emailAddress())) {
            throw new ApiException(ErrorCode.INVALID_EMAIL);
        }
    }

    /** {@code POST /system/contact-admin/}: the visitor's message to the administrators' address. */
    public void contactAdmin(JsonNode body) {
        String to = mailer.contactAddress().orElseThrow(() -> new ApiException(ErrorCode.CONTACT_NOT_CONFIGURED));
        dev.tmserverless.aws.http.Fields.object(body);
        String name = field(body, "name", 200, false);
        String email = field(body, "email", MAX_EMAIL, false);
        String content = field(body, "content", 10_000, true);
        String replyTo = email != null && email.trim().matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+") ? email.trim() : null;
        String who = (name == null ? "anonymous" : name.replaceAll("[\\r\\n]+", " ")) + (email == null ? "" : " - " + email);
        send(new Mailer.Mail(to, "New contact from " + (name == null ? "anonymous" : name.replaceAll("[\\r\\n]+", " ")),
                "New contact from " + who + ".\n\n" + content + "\n",
                "<p>New contact from " + dev.tmserverless.core.domain.Html.escape(who) + ".</p><p>"
                        + dev.tmserverless.core.domain.Html.escape(content).replace("\n", "<br />") + "</p>", replyTo));
    }

    private static String field(JsonNode body, String f, int max, boolean required) {
        JsonNode v = body.get(f);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            if (required) throw dev.tmserverless.aws.http.Fields.schema(f, "Field required", "missing");
            return null;
        }
        if (!v.isTextual()) throw dev.tmserverless.aws.http.Fields.schema(f, "Input should be a valid string", "string_type");
        if (v.asText().length() > max) {
            throw dev.tmserverless.aws.http.Fields.schema(f, "String should have at most " + max + " characters", "string_too_long");
        }
        return v.asText();
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    // ------------------------------------------------------------------------------------------------ lists

    /** {@code GET /users/} query. */
    record ListQuery(int page, int perPage, boolean paginate, String sort, boolean descending, String username,
                     Set<UserRole> roles, Set<Integer> levels) {}

    /**
     * The user list. Without {@code sort}, a page is read page-wise from the directory in username order with the
     * filters as the Query's FilterExpression, and the total is a COUNT Query; with {@code sort} (a statistic) or
     * {@code pagination=false} every matching user is read and ordered here (docs/people.md "The user list").
     */
    public Map<String, Object> list(User caller, ListQuery q) {
        if (q.sort() == null && q.paginate()) {
            var filter = new UserStore.DirectoryFilter(q.username(), q.roles(), q.levels());
            List<UserProfile> page = users.directoryPage(filter, (long) (q.page() - 1) * q.perPage(), q.perPage());
            return listBody(caller, page, Pagination.of(q.page(), q.perPage(), users.directoryCount(filter)));
        }
        List<UserProfile> all = new ArrayList<>();
        String needle = q.username() == null ? null : q.username().toLowerCase(Locale.ROOT);
        for (UserProfile p : users.allByName()) {
            User u = p.user();
            if (needle != null && !u.username().toLowerCase(Locale.ROOT).contains(needle)) continue;
            if (!q.roles().isEmpty() && !q.roles().contains(u.role())) continue;
            if (!q.levels().isEmpty() && !q.levels().contains(u.mappingLevel().id)) continue;
            all.add(p);
        }
        if (q.sort() != null) {
            Comparator<UserProfile> byStat = Comparator.comparing(p -> p.stats().get(q.sort()),
                    Comparator.nullsLast(q.descending() ? Comparator.<Long>reverseOrder() : Comparator.<Long>naturalOrder()));
            all.sort(byStat);
        } else {
            // the reference's ORDER BY requires_approval, username: false before true
            all.sort(Comparator.comparing((UserProfile p) -> p.nominatedLevel() != null));
        }
        List<UserProfile> page = all;
        Map<String, Object> pagination = null;
        if (q.paginate()) {
            int from = (int) Math.min((long) (q.page() - 1) * q.perPage(), all.size());
            page = all.subList(from, Math.min(from + q.perPage(), all.size()));
            pagination = Pagination.of(q.page(), q.perPage(), all.size());
        }
        return listBody(caller, page, pagination);
    }

    private Map<String, Object> listBody(User caller, List<UserProfile> page, Map<String, Object> pagination) {
        Map<Integer, String> names = new HashMap<>();
        for (var l : levels.all()) names.put(l.id(), l.name());
        List<Map<String, Object>> out = new ArrayList<>();
        for (UserProfile p : page) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.user().id());
            m.put("username", p.user().username());
            m.put("role", p.user().role().name());
            m.put("mappingLevel", names.getOrDefault(p.user().mappingLevel().id, p.user().mappingLevel().name()));
            m.put("pictureUrl", p.user().pictureUrl());
            m.put("statsLastUpdated", p.statsUpdated() == null ? null : p.statsUpdated().toString());
            m.put("stats", p.stats().isEmpty() ? null : new java.util.TreeMap<>(p.stats()));
            m.put("requires_approval", p.nominatedLevel() != null);
            m.put("user_has_voted", p.levelVotes().contains(caller.id()));
            out.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pagination", pagination);
        body.put("users", out);
        return body;
    }

    /**
     * Mention autocomplete: usernames that start with {@code prefix} (case-insensitive), those who mapped in
     * {@code projectId} first, twenty a page; none ⇒ 404 USER_NOT_FOUND as the reference.
     */
    public Map<String, Object> filter(String prefix, Long projectId, int page) {
        List<UserProfile> matches = new ArrayList<>(users.byNamePrefix(prefix));
        if (projectId != null) {
            matches.sort(Comparator.comparing((UserProfile p) -> !p.projectsMapped().contains(projectId)));
        }
        int from = (int) Math.min((long) (page - 1) * FILTER_PAGE, matches.size());
        List<UserProfile> shown = matches.subList(from, Math.min(from + FILTER_PAGE, matches.size()));
        if (shown.isEmpty()) throw userNotFound("username", prefix);
        List<String> usernames = new ArrayList<>();
        List<Map<String, Object>> participants = new ArrayList<>();
        for (UserProfile p : shown) {
            usernames.add(p.user().username());
            if (projectId != null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("username", p.user().username());
                m.put("projectId", projectId);
                m.put("isParticipant", p.projectsMapped().contains(projectId));
                participants.add(m);
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("pagination", Pagination.of(page, FILTER_PAGE, matches.size()));
        body.put("usernames", usernames);
        body.put("users", participants);
        return body;
    }

    // ------------------------------------------------------------------------------------------------ deletion

    /**
     * Anonymises an account (the account itself or an administrator), as the reference: profile, e-mail, licences
     * and interests go, the text of the user's chat messages is replaced, application keys and notifications are
     * deleted; tasks, their history, team memberships and organisations stay. The answer is the anonymised UserDTO.
     * The writes run in that order and each can be repeated: a deletion that dies part-way is finished by asking again.
     */
    public Map<String, Object> delete(User caller, long userId) {
        Permissions.checkCanDeleteUser(caller, userId);
        if (users.get(userId).isEmpty()) throw new ApiException(ErrorCode.DELETE_USER_NOT_FOUND);
        users.anonymiseWrite(userId);
        interests.setForUser(userId, List.of());
        chat.rewriteByAuthorWrite(userId, "Deleted user_" + userId + " message");
        for (var k : keys.list(userId)) keys.delete(k);
        for (var m : messages.inbox(userId)) messages.delete(userId, m.id());
        return dto(profile(userId), caller);
    }

    // ------------------------------------------------------------------------------------------------ administrators

    public void setRole(User admin, String username, String roleName) {
        Permissions.checkAdmin(admin);
        UserRole role;
        try {
            role = UserRole.valueOf(roleName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.UNKNOWN_ADD_ROLE, " Unknown role " + roleName
                    + " accepted values are ADMIN, PROJECT_MANAGER, VALIDATOR");
        }
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        users.setRole(u.id(), role);
    }

    /** Sets a user's level by its name (400 UnknownUserRole for a name no level has, as the reference words it). */
    public void setLevel(User admin, String username, String levelName, Instant now) {
        Permissions.checkAdmin(admin);
        LevelStore.Level level = levels.byName(levelName)
                .orElseThrow(() -> new ApiException(ErrorCode.UNKNOWN_LEVEL, " Unknown role " + levelName));
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        moveLevel(u, level, false, now);
    }

    /** Expert mode of the named user (the reference applies it to the calling administrator instead). */
    public void setExpert(User admin, String username, String isExpert) {
        Permissions.checkAdmin(admin);
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        users.setExpertWrite(u.id(), "true".equals(isExpert));
    }

    /**
     * One administrator's vote for the user's nomination; enough votes move the user up. Nothing nominated: nothing
     * happens (200, as the reference).
     */
    public void approveLevel(User voter, String username, Instant now) {
        Permissions.checkAdmin(voter);
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        Permissions.checkCanVote(voter, u);
        UserProfile p = profile(u.id());
        if (p.nominatedLevel() == null) return;
        LevelStore.Level level = levels.get(p.nominatedLevel()).orElse(null);
        if (level == null || !users.voteWrite(u.id(), level.id(), voter.id())) return;
        UserProfile after = profile(u.id());
        if (Promotion.votesCarry(after.levelVotes().size(), rules(level))) moveLevel(u, level, true, now);
    }

    /** Refreshes the statistics badges are earned from (OSM's changeset count), then applies the promotion rules. */
    public void updateStats(User admin, String username, Instant now) {
        Permissions.checkAdmin(admin);
        User u = users.byUsername(username).orElseThrow(() -> userNotFound("username", username));
        Long changesets = osm.account(u.id()).changesetCount();
        recordStats(u.id(), changesets, now);
        evaluate(profile(u.id()), now);
    }

    /** Records OSM's changeset count (the statistic badges name {@code changeset}); null leaves them as they are. */
    public void recordStats(long userId, Long changesets, Instant now) {
        if (changesets == null) return;
        Map<String, Long> stats = new HashMap<>(users.profile(userId).map(UserProfile::stats).orElse(Map.of()));
        stats.put("changeset", changesets);
        users.recordStatsWrite(userId, stats, now);
    }

    /**
     * The promotion rules (Promotion) applied to a user: badges earned are awarded (each holder counted once), then
     * the next level is reached or the user nominated. Answers the profile as it is afterwards.
     */
    public UserProfile evaluate(UserProfile p, Instant now) {
        List<LevelStore.Level> ladder = levels.all();
        List<BadgeStore.Badge> all = badges.all();
        Map<String, Long> stats = new HashMap<>(p.stats());
        stats.put("projectsMapped", (long) p.projectsMapped().size());
        // the task counters the statistics aggregator keeps for the user
        var counted = statistics.userFigures(p.user().id());
        stats.put("tasksMapped", counted.map(f -> (long) f.tasksMapped).orElse(0L));
        stats.put("tasksValidated", counted.map(f -> (long) f.tasksValidated).orElse(0L));
        stats.put("tasksInvalidated", counted.map(f -> (long) f.tasksInvalidated).orElse(0L));
        Promotion.Decision d = Promotion.decide(p.user().mappingLevel().ordering(), p.badges(), stats,
                all.stream().map(b -> new Promotion.Badge(b.id(), LevelsAndBadges.requirementsOf(b.requirements()), b.enabled())).toList(),
                ladder.stream().map(People::rules).toList(), p.nominatedLevel());
        boolean changed = false;
        for (Long b : d.newBadges()) {
            if (users.awardBadgeWrite(p.user().id(), b)) badges.addHolderWrite(b);
            changed = true;
        }
        if (d.kind() == Promotion.Kind.PROMOTE) {
            LevelStore.Level next = ladder.stream().filter(l -> l.id() == d.level().id()).findFirst().orElseThrow();
            changed |= moveLevel(p.user(), next, true, now);
        } else if (d.kind() == Promotion.Kind.NOMINATE) {
            changed |= users.nominateWrite(p.user().id(), d.level().id());
        }
        return changed ? profile(p.user().id()) : p;
    }

    /**
     * Moves a user to {@code level} on condition they are still at the level {@code u} shows; the level counts
     * follow. A lost condition means the user moved meanwhile: an administrator's explicit choice is applied to the
     * fresh state, a promotion (decided from the old level) is dropped.
     */
    private boolean moveLevel(User u, LevelStore.Level level, boolean promotion, Instant now) {
        MappingLevel from = u.mappingLevel();
        if (from.id == level.id()) return false;
        if (!users.changeLevelWrite(u.id(), from, level.asMappingLevel())) {
            if (promotion) return false;
            User fresh = users.get(u.id()).orElseThrow(() -> userNotFound("user_id", u.id()));
            if (fresh.mappingLevel().id == from.id) throw new ApiException(ErrorCode.CONFLICT);
            return moveLevel(fresh, level, false, now);
        }
        levels.moveUserCountWrite(from.id, level.id());
        if (promotion) messages.send(Messages.levelUpgrade(u, level.name(), config.orgCode(), now));
        return true;
    }

    private static Promotion.Level rules(LevelStore.Level l) {
        return new Promotion.Level(l.id(), l.ordering(), l.approvalsRequired(), l.requiredBadges());
    }

    /**
     * {@code POST /users/actions/register/}: somebody without an OpenStreetMap account leaves their address (the
     * frontend then sends them to OSM's sign-up). One item per address; the same address again answers its id.
     */
    public Map<String, Object> register(JsonNode body) {
        dev.tmserverless.aws.http.Fields.object(body);
        String email = field(body, "email", MAX_EMAIL, true).trim().toLowerCase(Locale.ROOT);
        if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
            throw dev.tmserverless.aws.http.Fields.schema("email", "value is not a valid email address", "value_error");
        }
        long id = users.registerEmailWrite(email);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("email", email);
        out.put("success", true);
        out.put("details", "User created successfully");
        return out;
    }

    /** A new user counts at the beginner level. */
    public void countNewUser() {
        levels.moveUserCountWrite(null, MappingLevel.BEGINNER.id);
    }

    Optional<User> byName(String username) { return users.byUsername(username); }
}
