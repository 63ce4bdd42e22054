package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.Json;
import dev.tmserverless.aws.store.BadgeStore;
import dev.tmserverless.aws.store.LevelStore;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.EmailTokens;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.emulators.MailStandIn;
import dev.tmserverless.emulators.OsmStandIn;
import dev.tmserverless.testing.Api.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tmserverless.fn.users.Http.call;
import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.post;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Users as people (docs/people.md): profiles and their privacy rule, own settings, e-mail verification through the
 * SES stand-in, the user list and mention autocomplete, deletion, administrators' actions, levels and badges and the
 * promotion rules, contact mail and image upload.
 */
class PeopleTest {
    static final AtomicLong IDS = new AtomicLong(9_100_000);
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;
    static LevelStore levels;
    static BadgeStore badges;
    static MessageStore messages;
    static User admin;
    static String adminAuth;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-people").applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
        levels = fn.getApplicationContext().getBean(LevelStore.class);
        badges = fn.getApplicationContext().getBean(BadgeStore.class);
        messages = fn.getApplicationContext().getBean(MessageStore.class);
        admin = user("boss");
        users.setRole(admin.id(), UserRole.ADMIN);
        adminAuth = token(admin.id());
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static String unique(String name) { return name + "-" + UUID.randomUUID().toString().substring(0, 8); }

    static User user(String name) {
        return users.upsertOnLogin(IDS.incrementAndGet(), unique(name), null, null, false, Instant.now());
    }

    static User user(long id, String name, String email) {
        return users.upsertOnLogin(id, name, null, email, false, Instant.now());
    }

    static JsonNode profile(String username, String auth) {
        Answer a = get(fn, "/api/v2/users/queries/" + username + "/", auth);
        assertThat(a.status()).as(a.body()).isEqualTo(200);
        return a.json();
    }

    static Answer patch(String path, String auth, String body) { return call(fn, "PATCH", path, auth, body); }

    static MailStandIn mail() { return Emulators.shared().mail(); }

    // ------------------------------------------------------------------------------------------------ profiles

    @Test
    void privateFieldsFollowTheAccountNotTheName() {
        String name = unique("sam");
        User first = user(IDS.incrementAndGet(), name, "first@example.org");
        // the first account changes its OSM name; another account takes the old one
        users.upsertOnLogin(first.id(), name + "-renamed", null, null, false, Instant.now());
        User second = user(IDS.incrementAndGet(), name, "second@example.org");

        JsonNode own = profile(name, token(second.id()));
        assertThat(own.path("id").asLong()).isEqualTo(second.id());
        assertThat(own.path("emailAddress").asText()).isEqualTo("second@example.org");
        assertThat(own.path("isEmailVerified").asBoolean()).isFalse();
        JsonNode seenByFirst = profile(name, token(first.id()));
        assertThat(seenByFirst.path("emailAddress").isNull()).isTrue();
        assertThat(seenByFirst.path("isEmailVerified").isNull()).isTrue();
        assertThat(get(fn, "/api/v2/users/" + first.id() + "/", token(second.id())).json().path("username").asText())
                .isEqualTo(name + "-renamed");
        assertThat(get(fn, "/api/v2/users/987654321987/", token(second.id())).structuredSubCode()).isEqualTo("USER_NOT_FOUND");
    }

    @Test
    void aUserEditsTheirOwnSettingsAndNobodyElses() {
        User u = user("kit");
        String auth = token(u.id());
        String body = "{\"id\": " + u.id() + ", \"name\": \"Kit Carson\", \"city\": \"Nairobi\", \"country\": \"Kenya\","
                + " \"twitterId\": \"kit\", \"defaultEditor\": \"JOSM\", \"isExpert\": true, \"gender\": \"SELF_DESCRIBE\","
                + " \"selfDescriptionGender\": \"x\", \"mentionsNotifications\": false, \"role\": \"ADMIN\","
                + " \"isEmailVerified\": true, \"mappingLevel\": \"ADVANCED\"}";
        Answer saved = patch("/api/v2/users/me/actions/set-user/", auth, body);
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.json().path("verificationEmailSent").asBoolean()).isFalse();
        JsonNode p = profile(u.username(), auth);
        assertThat(p.path("name").asText()).isEqualTo("Kit Carson");
        assertThat(p.path("city").asText()).isEqualTo("Nairobi");
        assertThat(p.path("country").asText()).isEqualTo("Kenya");
        assertThat(p.path("twitterId").asText()).isEqualTo("kit");
        assertThat(p.path("defaultEditor").asText()).isEqualTo("JOSM");
        assertThat(p.path("isExpert").asBoolean()).isTrue();
        assertThat(p.path("gender").asText()).isEqualTo("SELF_DESCRIBE");
        assertThat(p.path("selfDescriptionGender").asText()).isEqualTo("x");
        assertThat(p.path("mentionsNotifications").asBoolean()).isFalse();
        // what only administrators or the system change is ignored
        assertThat(p.path("role").asText()).isEqualTo("MAPPER");
        assertThat(p.path("mappingLevel").asText()).isEqualTo("BEGINNER");
        // others see the public part only
        JsonNode seen = profile(u.username(), adminAuth);
        assertThat(seen.path("name").asText()).isEqualTo("Kit Carson");
        assertThat(seen.path("gender").isNull()).isTrue();

        assertThat(patch("/api/v2/users/me/actions/set-user/", auth, "{\"id\": " + admin.id() + ", \"name\": \"x\"}").subCode())
                .isEqualTo("UnableToAuth");
        Answer bad = patch("/api/v2/users/me/actions/set-user/", auth, "{\"id\": " + u.id() + ", \"name\": \"Changed\", \"gender\": \"ROBOT\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidData");
        assertThat(profile(u.username(), auth).path("name").asText()).as("nothing written on refusal").isEqualTo("Kit Carson");
        assertThat(patch("/api/v2/users/me/actions/set-user/", auth, "{\"id\": " + u.id() + ", \"city\": \"" + "x".repeat(300) + "\"}").status())
                .isEqualTo(400);
    }

    // ------------------------------------------------------------------------------------------------ e-mail

    @Test
    void aNewAddressIsVerifiedThroughTheMailedLink() throws Exception {
        User u = user("eve");
        String auth = token(u.id());
        String address = unique("eve") + "@example.org";
        Answer saved = patch("/api/v2/users/me/actions/set-user/", auth, "{\"id\": " + u.id() + ", \"emailAddress\": \"" + address.toUpperCase() + "\"}");
        assertThat(saved.json().path("verificationEmailSent").asBoolean()).isTrue();
        assertThat(profile(u.username(), auth).path("emailAddress").asText()).isEqualTo(address);
        assertThat(profile(u.username(), auth).path("isEmailVerified").asBoolean()).isFalse();

        // the stand-in shows the mail over HTTP, as the local stack does
        HttpResponse<String> inbox = HTTP.send(HttpRequest.newBuilder(URI.create(mail().baseUrl() + "/messages?to=" + address)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode mails = Json.parse(inbox.body());
        assertThat(mails).hasSize(1);
        assertThat(mails.get(0).path("from").asText()).isEqualTo(Emulators.MAIL_FROM);
        Matcher link = Pattern.compile("/verify-email/\\?token=([^&\\s\"]+)&username=([^\\s\"<]+)").matcher(mails.get(0).path("text").asText());
        assertThat(link.find()).isTrue();
        String token = URLDecoder.decode(link.group(1), StandardCharsets.UTF_8);
        assertThat(URLDecoder.decode(link.group(2), StandardCharsets.UTF_8)).isEqualTo(u.username());

        String verify = "/api/v2/system/authentication/email/?username=" + Http.enc(u.username()) + "&token=";
        assertThat(get(fn, verify + Http.enc(token + "x"), null).subCode()).isEqualTo("BadSignature");
        EmailTokens tokens = new EmailTokens(Emulators.TOKEN_SECRET);
        assertThat(get(fn, verify + Http.enc(tokens.issue(address, u.id(), Instant.now().minus(Duration.ofDays(2)))), null).subCode())
                .isEqualTo("ExpiredToken");
        // a genuine link for another account does not verify this one
        assertThat(get(fn, verify + Http.enc(tokens.issue(address, admin.id(), Instant.now())), null).subCode()).isEqualTo("InvalidEmail");
        assertThat(profile(u.username(), auth).path("isEmailVerified").asBoolean()).isFalse();

        Answer ok = get(fn, verify + Http.enc(token), null);
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        assertThat(ok.json().path("Status").asText()).isEqualTo("OK");
        assertThat(profile(u.username(), auth).path("isEmailVerified").asBoolean()).isTrue();

        // a link for an address the user has since replaced no longer verifies
        patch("/api/v2/users/me/actions/set-user/", auth, "{\"id\": " + u.id() + ", \"emailAddress\": \"other-" + address + "\"}");
        assertThat(get(fn, verify + Http.enc(token), null).subCode()).isEqualTo("InvalidEmail");
        assertThat(profile(u.username(), auth).path("isEmailVerified").asBoolean()).isFalse();

        Answer resent = patch("/api/v2/users/me/actions/verify-email/", auth, null);
        assertThat(resent.json().path("Success").asText()).isEqualTo("Verification email resent");
        assertThat(mail().to("other-" + address)).hasSize(2);
        assertThat(patch("/api/v2/users/me/actions/verify-email/", token(admin.id()), null).subCode()).isEqualTo("EmailNotSet");
    }

    @Test
    void visitorsWriteToTheAdministrators() {
        String who = unique("visitor");
        Answer sent = post(fn, "/api/v2/system/contact-admin/", null,
                "{\"name\": \"" + who + "\", \"email\": \"v@example.org\", \"content\": \"<b>help</b>\"}");
        assertThat(sent.status()).as(sent.body()).isEqualTo(201);
        assertThat(sent.json().path("Success").asText()).isEqualTo("Email sent");
        List<MailStandIn.Mail> got = mail().to(Emulators.CONTACT_ADDRESS).stream().filter(m -> m.subject().contains(who)).toList();
        assertThat(got).hasSize(1);
        assertThat(got.get(0).html()).contains("&lt;b&gt;help&lt;/b&gt;").doesNotContain("<b>help");
        assertThat(post(fn, "/api/v2/system/contact-admin/", null, "{\"name\": \"x\"}").status()).isEqualTo(422);
    }

    // ------------------------------------------------------------------------------------------------ lists

    @Test
    void theUserListFiltersAndPagesAndAutocompletePutsParticipantsFirst() {
        String stem = unique("zed").toLowerCase();
        List<User> made = new ArrayList<>();
        for (int i = 0; i < 5; i++) made.add(user(IDS.incrementAndGet(), stem + i, null));
        users.setRole(made.get(4).id(), UserRole.READ_ONLY);
        users.addMappedProjectWrite(made.get(3).id(), 77);

        JsonNode page = get(fn, "/api/v2/users/?username=" + stem + "&perPage=2&page=2", adminAuth).json();
        assertThat(page.path("pagination").path("total").asInt()).isEqualTo(5);
        assertThat(page.path("pagination").path("pages").asInt()).isEqualTo(3);
        assertThat(page.path("users")).extracting(u -> u.path("username").asText()).containsExactly(stem + 2, stem + 3);
        JsonNode blocked = get(fn, "/api/v2/users/?username=" + stem + "&role=READ_ONLY", adminAuth).json();
        assertThat(blocked.path("users")).extracting(u -> u.path("username").asText()).containsExactly(stem + 4);
        assertThat(blocked.path("users").get(0).path("role").asText()).isEqualTo("READ_ONLY");
        assertThat(get(fn, "/api/v2/users/?role=WIZARD", adminAuth).subCode()).isEqualTo("InvalidData");
        // the filters together, served by the directory Query: mappers (not the blocked one) at the beginner level
        JsonNode mappers = get(fn, "/api/v2/users/?username=" + stem + "&role=MAPPER&level=1&perPage=3", adminAuth).json();
        assertThat(mappers.path("pagination").path("total").asInt()).isEqualTo(4);
        assertThat(mappers.path("users")).extracting(u -> u.path("username").asText()).containsExactly(stem + 0, stem + 1, stem + 2);
        JsonNode last = get(fn, "/api/v2/users/?username=" + stem + "&role=MAPPER&level=1&perPage=3&page=2", adminAuth).json();
        assertThat(last.path("users")).extracting(u -> u.path("username").asText()).containsExactly(stem + 3);
        assertThat(get(fn, "/api/v2/users/?username=" + stem + "&level=2", adminAuth).json().path("pagination").path("total").asInt()).isZero();
        // the name matches the username only, never the key the directory filters on ("USERNAME#<name>")
        JsonNode byKey = get(fn, "/api/v2/users/?username=%23" + stem, adminAuth).json();
        assertThat(byKey.path("users")).isEmpty();
        assertThat(byKey.path("pagination").path("total").asInt()).isZero();

        JsonNode filtered = get(fn, "/api/v2/users/queries/filter/" + stem.toUpperCase() + "/?projectId=77", token(made.get(0).id())).json();
        assertThat(filtered.path("usernames").get(0).asText()).isEqualTo(stem + 3);
        assertThat(filtered.path("users").get(0).path("isParticipant").asBoolean()).isTrue();
        assertThat(filtered.path("users").get(1).path("isParticipant").asBoolean()).isFalse();
        assertThat(filtered.path("pagination").path("total").asInt()).isEqualTo(5);
        assertThat(profile(stem + 3, adminAuth).path("projectsMapped").asInt()).isEqualTo(1);
        assertThat(get(fn, "/api/v2/users/queries/filter/" + stem + "nobody/", adminAuth).structuredSubCode()).isEqualTo("USER_NOT_FOUND");
    }

    @Test
    void anAccountIsDeletedByItselfOrAnAdministrator() {
        User u = user(IDS.incrementAndGet(), unique("gone"), "gone@example.org");
        patch("/api/v2/users/me/actions/set-user/", token(u.id()), "{\"id\": " + u.id() + ", \"name\": \"Real Name\"}");
        User other = user("bystander");
        var chat = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.ChatStore.class);
        var interests = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.InterestStore.class);
        long projectId = IDS.incrementAndGet();
        chat.post(projectId, u.id(), u.username(), "I live at 1 Main Street", Instant.now());
        chat.post(projectId, other.id(), other.username(), "thanks", Instant.now());
        chat.post(projectId + 1, u.id(), u.username(), "call me on 555", Instant.now());
        interests.setForUser(u.id(), List.of(1L));
        assertThat(call(fn, "DELETE", "/api/v2/users/" + u.id() + "/", token(other.id()), null).subCode()).isEqualTo("UserPermissionError");
        assertThat(chat.page(projectId, 1, 10).messages()).extracting(dev.tmserverless.aws.store.ChatStore.ChatMessage::message)
                .containsExactly("thanks", "I live at 1 Main Street");
        Answer deleted = call(fn, "DELETE", "/api/v2/users/" + u.id() + "/", token(u.id()), null);
        assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.json().path("username").asText()).isEqualTo("user_" + u.id());
        assertThat(deleted.json().path("name").isNull()).isTrue();
        assertThat(deleted.json().path("emailAddress").isNull()).isTrue();
        assertThat(get(fn, "/api/v2/users/queries/" + u.username() + "/", adminAuth).structuredSubCode()).isEqualTo("USER_NOT_FOUND");
        // what they wrote in project chats is replaced, as the reference does; other people's messages stay
        assertThat(chat.page(projectId, 1, 10).messages()).extracting(dev.tmserverless.aws.store.ChatStore.ChatMessage::message)
                .containsExactly("thanks", "Deleted user_" + u.id() + " message");
        assertThat(chat.page(projectId + 1, 1, 10).messages()).extracting(dev.tmserverless.aws.store.ChatStore.ChatMessage::message)
                .containsExactly("Deleted user_" + u.id() + " message");
        assertThat(interests.ofUser(u.id())).isEmpty();
        assertThat(call(fn, "DELETE", "/api/v2/users/99999999999/", adminAuth, null).subCode()).isEqualTo("UserNotFound");
    }

    // ------------------------------------------------------------------------------------------------ administrators

    @Test
    void administratorsSetRolesLevelsAndExpertMode() {
        User u = user("ria");
        String path = "/api/v2/users/" + u.username() + "/actions/";
        assertThat(patch(path + "set-role/ADMIN/", token(u.id()), null).status()).isEqualTo(403);
        assertThat(patch(path + "set-level/ADVANCED/", token(u.id()), null).status()).isEqualTo(403);
        assertThat(patch(path + "set-role/WIZARD/", adminAuth, null).subCode()).isEqualTo("UnknownAddRole");
        assertThat(patch(path + "set-level/WIZARD/", adminAuth, null).subCode()).isEqualTo("UnknownUserRole");

        assertThat(patch(path + "set-level/advanced/", adminAuth, null).json().path("Success").asText()).isEqualTo("Level set");
        assertThat(patch(path + "set-expert-mode/true/", adminAuth, null).json().path("Success").asText()).isEqualTo("Expert mode updated");
        assertThat(patch(path + "set-role/READ_ONLY/", adminAuth, null).json().path("Success").asText()).isEqualTo("Role Added");
        JsonNode p = profile(u.username(), adminAuth);
        assertThat(p.path("mappingLevel").asText()).isEqualTo("ADVANCED");
        assertThat(p.path("level_ordering").asInt()).isEqualTo(3);
        assertThat(p.path("isExpert").asBoolean()).isTrue();
        assertThat(p.path("role").asText()).isEqualTo("READ_ONLY");
        assertThat(profile(admin.username(), adminAuth).path("isExpert").asBoolean()).as("the named user, not the caller").isFalse();
    }

    // ------------------------------------------------------------------------------------------------ levels, badges

    @Test
    void administratorsKeepTheLevelsAndBadges() {
        JsonNode ladder = get(fn, "/api/v2/levels/", null).json().path("levels");
        assertThat(ladder).extracting(l -> l.path("name").asText()).startsWith("BEGINNER", "INTERMEDIATE", "ADVANCED");
        assertThat(ladder.get(0).path("isBeginner").asBoolean()).isTrue();

        User mapper = user("lev");
        String badgeBody = "{\"name\": \"" + unique("Surveyor") + "\", \"description\": \"d\", \"imagePath\": \"https://x/y.png\","
                + " \"requirements\": \"{\\\"changeset\\\": 5}\"}";
        assertThat(post(fn, "/api/v2/badges/", token(mapper.id()), badgeBody).status()).isEqualTo(403);
        assertThat(post(fn, "/api/v2/badges/", adminAuth, badgeBody.replace("5}", "}")).status()).isEqualTo(422);
        assertThat(post(fn, "/api/v2/badges/", adminAuth, badgeBody.replace("{\\\"changeset\\\": 5}", "{}")).status()).isEqualTo(422);
        Answer badge = post(fn, "/api/v2/badges/", adminAuth, badgeBody);
        assertThat(badge.status()).as(badge.body()).isEqualTo(200);
        long badgeId = badge.json().path("id").asLong();
        assertThat(badge.json().path("isEnabled").asBoolean()).isTrue();
        assertThat(get(fn, "/api/v2/badges/" + badgeId + "/", null).json().path("requirements").asText()).isEqualTo("{\"changeset\": 5}");
        assertThat(patch("/api/v2/badges/" + badgeId + "/", adminAuth, "{\"description\": \"new\"}").json().path("description").asText())
                .isEqualTo("new");
        assertThat(get(fn, "/api/v2/badges/987654/", null).structuredSubCode()).isEqualTo("MAPPING_BADGE_NOT_FOUND");

        String name = unique("Cartographer");
        String levelBody = "{\"name\": \"" + name + "\", \"color\": \"#ff0000\", \"requiredBadges\": [{\"id\": " + badgeId + "}]}";
        assertThat(post(fn, "/api/v2/levels/", adminAuth, "{\"name\": \"" + unique("x") + "\"}").status()).isEqualTo(422);
        Answer level = post(fn, "/api/v2/levels/", adminAuth, levelBody);
        assertThat(level.status()).as(level.body()).isEqualTo(200);
        int levelId = level.json().path("id").asInt();
        assertThat(level.json().path("ordering").asInt()).isGreaterThan(3);
        assertThat(level.json().path("requiredBadges").get(0).path("id").asLong()).isEqualTo(badgeId);
        assertThat(post(fn, "/api/v2/levels/", adminAuth, levelBody.replace(name, name.toUpperCase())).subCode()).isEqualTo("NameExists");
        assertThat(get(fn, "/api/v2/levels/" + levelId + "/", null).json().path("color").asText()).isEqualTo("#ff0000");
        assertThat(call(fn, "DELETE", "/api/v2/levels/1/", adminAuth, null).structuredSubCode()).isEqualTo("MAPPING_LEVEL_BEGINNER");

        // a level somebody holds stays; once nobody does it goes
        assertThat(patch("/api/v2/users/" + mapper.username() + "/actions/set-level/" + name + "/", adminAuth, null).status()).isEqualTo(200);
        assertThat(profile(mapper.username(), adminAuth).path("mappingLevel").asText()).isEqualTo(name);
        assertThat(call(fn, "DELETE", "/api/v2/levels/" + levelId + "/", adminAuth, null).structuredSubCode()).isEqualTo("MAPPING_LEVEL_HAS_USERS");
        String renamed = unique("Chief");
        assertThat(patch("/api/v2/levels/" + levelId + "/", adminAuth, levelBody.replace(name, renamed)).json().path("name").asText())
                .isEqualTo(renamed);
        assertThat(profile(mapper.username(), adminAuth).path("mappingLevel").asText()).as("the level's current name").isEqualTo(renamed);
        patch("/api/v2/users/" + mapper.username() + "/actions/set-level/BEGINNER/", adminAuth, null);
        assertThat(call(fn, "DELETE", "/api/v2/levels/" + levelId + "/", adminAuth, null).status()).isEqualTo(200);
        assertThat(get(fn, "/api/v2/levels/" + levelId + "/", null).structuredSubCode()).isEqualTo("MAPPING_LEVEL_NOT_FOUND");
        assertThat(call(fn, "DELETE", "/api/v2/badges/" + badgeId + "/", adminAuth, null).status()).isEqualTo(200);
    }

    /**
     * A badge, and a level above every other requiring it; {@code u} is put on the level just below, so the new
     * level is their next one whatever other tests added to the ladder.
     */
    static long[] ladderStep(User u, int changesets, int approvals) {
        long badgeId = badges.create(unique("Badge"), "d", "https://img/b.png", "{\"changeset\": " + changesets + "}", true, false).id();
        var level = levels.create(unique("Top"), approvals, null, false, java.util.Set.of(badgeId)).orElseThrow();
        var below = levels.all().stream().filter(l -> l.ordering() < level.ordering()).reduce((a, b) -> b).orElseThrow();
        users.setLevel(u.id(), below.asMappingLevel());
        return new long[]{badgeId, level.id()};
    }

    @Test
    void mappersEarnBadgesAndMoveUpWhenAdministratorsApprove() {
        OsmStandIn osm = Emulators.shared().osm();
        String name = unique("climber");
        int osmId = osm.addAccount(name, 12);
        User u = user(osmId, name, null);
        long[] step = ladderStep(u, 10, 2);
        try {
            User admin2 = user("boss2");
            users.setRole(admin2.id(), UserRole.ADMIN);
            Answer refreshed = patch("/api/v2/users/" + name + "/actions/update-stats", adminAuth, null);
            assertThat(refreshed.status()).as(refreshed.body()).isEqualTo(200);
            assertThat(get(fn, "/api/v2/badges/user/" + u.id() + "/", null).json().path("badges"))
                    .extracting(b -> b.path("id").asLong()).contains(step[0]);
            JsonNode listed = get(fn, "/api/v2/users/?username=" + name, adminAuth).json().path("users").get(0);
            assertThat(listed.path("requires_approval").asBoolean()).isTrue();
            assertThat(listed.path("stats").path("changeset").asLong()).isEqualTo(12);
            assertThat(profile(name, adminAuth).path("level_ordering").asLong()).isLessThan(step[1]);

            assertThat(patch("/api/v2/users/" + name + "/actions/approve-level", token(u.id()), null).status()).isEqualTo(403);
            assertThat(patch("/api/v2/users/" + name + "/actions/approve-level", adminAuth, null).status()).isEqualTo(200);
            assertThat(get(fn, "/api/v2/users/?username=" + name, adminAuth).json().path("users").get(0).path("user_has_voted").asBoolean()).isTrue();
            assertThat(profile(name, adminAuth).path("level_ordering").asLong()).as("one vote of two").isLessThan(step[1]);
            assertThat(patch("/api/v2/users/" + name + "/actions/approve-level", token(admin2.id()), null).status()).isEqualTo(200);
            JsonNode p = profile(name, adminAuth);
            assertThat(p.path("level_ordering").asLong()).isEqualTo(step[1]);
            assertThat(messages.inbox(u.id())).filteredOn(m -> m.subject().startsWith("Congratulations")).hasSize(1);
            assertThat(levels.get((int) step[1]).orElseThrow().users()).isEqualTo(1);
        } finally {
            users.setLevel(u.id(), levels.get(1).orElseThrow().asMappingLevel());
        }
    }

    @Test
    void badgesCountTheTasksAMapperMapped() {
        String name = unique("worker");
        User u = user(IDS.incrementAndGet(), name, null);
        long badge = badges.create(unique("Worker"), "d", "https://img/w.png", "{\"tasksMapped\": 2}", true, false).id();
        // the user's task counters are the statistics aggregates: feed them as the aggregator does for each change
        var stats = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.StatsStore.class);
        Instant now = Instant.now();
        for (int i = 1; i <= 2; i++) {
            var t = dev.tmserverless.core.domain.Task.ready(800 + IDS.incrementAndGet() % 100, i, 1, 1, 12, true);
            var locked = dev.tmserverless.core.domain.TaskMachine.lockForMapping(t, u.actor(), now, Duration.ofHours(2));
            var mapped = dev.tmserverless.core.domain.TaskMachine.unlockAfterMapping(locked.after(), u.actor(), now, "MAPPED", null);
            stats.putUserTaskFactsWriting(stats.mergeTaskFactsWriting(dev.tmserverless.core.stats.TaskFacts.of(mapped.after(), false)));
            stats.recomputeUserWriting(u.id());
            profile(name, adminAuth);
            var held = get(fn, "/api/v2/badges/user/" + u.id() + "/", null).json().path("badges");
            if (i == 1) assertThat(held).extracting(b -> b.path("id").asLong()).doesNotContain(badge);
            else assertThat(held).extracting(b -> b.path("id").asLong()).contains(badge);
        }
    }

    /**
     * Many concurrent profile reads all evaluate the same earned badge and the same automatic promotion: the badge is
     * counted once and the user moves up once (one congratulation). Concurrency is real: the reads run on threads.
     */
    @Test
    void concurrentEvaluationsAwardOnceAndPromoteOnce() throws Exception {
        String name = unique("racer");
        User u = user(IDS.incrementAndGet(), name, null);
        long[] step = ladderStep(u, 3, 0);
        users.recordStatsWrite(u.id(), java.util.Map.of("changeset", 4L), Instant.now());
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Callable<Integer> read = () -> {
                    go.await();
                    return get(fn, "/api/v2/users/queries/" + name + "/", adminAuth).status();
                };
                results.add(pool.submit(read));
            }
            go.countDown();
            for (Future<Integer> f : results) assertThat(f.get()).isEqualTo(200);
        } finally {
            pool.shutdownNow();
            users.setLevel(u.id(), levels.get(1).orElseThrow().asMappingLevel());
        }
        assertThat(badges.get(step[0]).orElseThrow().holders()).isEqualTo(1);
        assertThat(messages.inbox(u.id())).filteredOn(m -> m.subject().startsWith("Congratulations")).hasSize(1);
        assertThat(levels.get((int) step[1]).orElseThrow().users()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------------ images

    @Test
    void imagesAreCheckedStoredAndServedFromTheirUrl() throws Exception {
        User u = user("pic");
        byte[] png = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
        String b64 = Base64.getEncoder().encodeToString(png);
        Answer up = post(fn, "/api/v2/system/image-upload/", token(u.id()),
                "{\"mime\": \"image/png\", \"filename\": \"dot.png\", \"data\": \"" + b64 + "\"}");
        assertThat(up.status()).as(up.body()).isEqualTo(201);
        HttpResponse<byte[]> served = HTTP.send(HttpRequest.newBuilder(URI.create(up.json().path("url").asText())).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.body()).isEqualTo(png);

        assertThat(post(fn, "/api/v2/system/image-upload/", token(u.id()),
                "{\"mime\": \"image/jpeg\", \"filename\": \"dot.jpg\", \"data\": \"" + b64 + "\"}").subCode()).isEqualTo("InvalidImage");
        assertThat(post(fn, "/api/v2/system/image-upload/", token(u.id()),
                "{\"mime\": \"image/svg+xml\", \"filename\": \"x.svg\", \"data\": \"PHN2Zy8+\"}").subCode()).isEqualTo("UnsupportedFile");
        assertThat(post(fn, "/api/v2/system/image-upload/", token(u.id()), "{\"mime\": \"image/png\", \"data\": \"" + b64 + "\"}").subCode())
                .isEqualTo("MissingFilename");
        String big = Base64.getEncoder().encodeToString(new byte[4_100_000]);
        assertThat(post(fn, "/api/v2/system/image-upload/", token(u.id()),
                "{\"mime\": \"image/png\", \"filename\": \"big.png\", \"data\": \"" + big + "\"}").subCode()).isEqualTo("ImageTooLarge");
    }
}
