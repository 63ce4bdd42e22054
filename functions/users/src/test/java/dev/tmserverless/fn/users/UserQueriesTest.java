package dev.tmserverless.fn.users;

import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.auth.SessionTokens;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.UserRole;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import dev.tmserverless.testing.Api;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;

import static dev.tmserverless.fn.users.Http.get;
import static dev.tmserverless.fn.users.Http.token;
import static org.assertj.core.api.Assertions.assertThat;

/** GET /users/queries/{username}/ and the token rules every login-required route shares (docs/api-differences.md D1, D19). */
class UserQueriesTest {
    static final AtomicLong IDS = new AtomicLong(7_000_000);
    static Isolated.Applied env;
    static UsersFunction fn;
    static UserStore users;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-queries").applyAsSystemProperties();
        fn = new UsersFunction();
        users = fn.getApplicationContext().getBean(UserStore.class);
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static User user(String name, String email) {
        return users.upsertOnLogin(IDS.incrementAndGet(), name, "https://osm.test/" + name + ".png", email, false,
                Instant.now());
    }

    static String path(String username) { return "/api/v2/users/queries/" + username + "/"; }

    /** projectsMapped counts the projects in which the user marked a task MAPPED (null before the first). */
    @Test
    void projectsMappedCountsTheProjectsWhereTheUserMappedATask() {
        User u = user("pat-projects", null);
        User viewer = user("pat-viewer", null);
        assertThat(get(fn, path("pat-projects"), token(viewer.id())).json().path("projectsMapped").isNull()).isTrue();
        var userTasks = fn.getApplicationContext().getBean(dev.tmserverless.aws.store.UserTasks.class);
        Instant now = Instant.now();
        for (long project : new long[]{901, 902, 901}) {
            int taskId = (int) (project % 10) + (int) IDS.incrementAndGet() % 1000;
            var t = dev.tmserverless.core.domain.Task.ready(project, taskId, 1, 1, 12, true);
            var locked = dev.tmserverless.core.domain.TaskMachine.lockForMapping(t, u.actor(), now, Duration.ofHours(2));
            var mapped = dev.tmserverless.core.domain.TaskMachine.unlockAfterMapping(locked.after(), u.actor(), now, "MAPPED", null);
            userTasks.recordWrites(mapped);
        }
        assertThat(get(fn, path("pat-projects"), token(viewer.id())).json().path("projectsMapped").asInt()).isEqualTo(2);
    }

    @Test
    void theUserDtoHasEveryReferenceKey() {
        User u = user("kim", "kim@example.org");
        var a = get(fn, path("kim"), token(u.id()));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.json().fieldNames()).toIterable().containsExactly("id", "username", "role", "mappingLevel",
                "level_ordering", "projectsMapped", "emailAddress", "isEmailVerified", "isExpert", "twitterId",
                "facebookId", "linkedinId", "slackId", "ircId", "skypeId", "city", "country", "name", "pictureUrl",
                "defaultEditor", "mentionsNotifications", "questionsAndCommentsNotifications", "projectsNotifications",
                "tasksNotifications", "taskValidationNotification", "taskInvalidationNotification",
                "taskCommentsNotifications", "teamsAnnouncementNotifications", "gender", "selfDescriptionGender");
        assertThat(a.json().path("id").asLong()).isEqualTo(u.id());
        assertThat(a.json().path("role").asText()).isEqualTo("MAPPER");
        assertThat(a.json().path("mappingLevel").asText()).isEqualTo("BEGINNER");
        assertThat(a.json().path("level_ordering").asInt()).isEqualTo(1);
        assertThat(a.json().path("pictureUrl").asText()).isEqualTo("https://osm.test/kim.png");
        assertThat(a.json().path("twitterId").isNull()).isTrue();
        assertThat(a.json().path("defaultEditor").asText()).isEqualTo("ID");
    }

    @Test
    void emailAndGenderAreShownToTheUserThemselfOnly() {
        User lee = user("lee", "lee@example.org");
        User other = user("max", "max@example.org");
        var self = get(fn, path("lee"), token(lee.id()));
        assertThat(self.json().path("emailAddress").asText()).isEqualTo("lee@example.org");
        assertThat(self.json().path("isEmailVerified").isBoolean()).isTrue();
        var seen = get(fn, path("lee"), token(other.id()));
        assertThat(seen.status()).isEqualTo(200);
        assertThat(seen.json().path("username").asText()).isEqualTo("lee");
        for (String key : new String[]{"emailAddress", "isEmailVerified", "gender", "selfDescriptionGender"}) {
            assertThat(seen.json().has(key)).as(key).isTrue();
            assertThat(seen.json().get(key).isNull()).as(key).isTrue();
        }
    }

    @Test
    void rolesAndLevelsTravelAsNames() {
        User u = user("nia", null);
        users.setRole(u.id(), UserRole.ADMIN);
        users.setLevel(u.id(), MappingLevel.ADVANCED);
        var a = get(fn, path("nia"), token(u.id()));
        assertThat(a.json().path("role").asText()).isEqualTo("ADMIN");
        assertThat(a.json().path("mappingLevel").asText()).isEqualTo("ADVANCED");
        assertThat(a.json().path("level_ordering").asInt()).isEqualTo(3);
    }

    @Test
    void anUnknownUsernameIsAStructured404() {
        User u = user("oli", null);
        var a = get(fn, path("nobody-here"), token(u.id()));
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.structuredSubCode()).isEqualTo("USER_NOT_FOUND");
        assertThat(a.json().path("error").path("code").asInt()).isEqualTo(404);
        assertThat(a.json().path("error").path("details").path("username").asText()).isEqualTo("nobody-here");
    }

    @Test
    void theRouteAnswersWithAndWithoutTheTrailingSlash() {
        User u = user("pat", null);
        var slash = Http.event("GET", "/api/v2/users/queries/pat/", token(u.id()), null);
        // the deployed API Gateway forwards everything under the function's mount through its greedy route
        assertThat(slash.getRouteKey()).isEqualTo("ANY /api/v2/users/{proxy+}");
        assertThat(fn.handleRequest(slash, new Api.TestContext()).getStatusCode()).isEqualTo(200);
        assertThat(get(fn, "/api/v2/users/queries/pat", token(u.id())).status()).isEqualTo(200);
    }

    @Test
    void withoutATokenTheAnswerIs401NotAuthenticated() {
        var a = get(fn, path("anyone"), null);
        assertThat(a.status()).isEqualTo(401);
        assertThat(a.error()).isEqualTo("Not authenticated");
        assertThat(a.subCode()).isEqualTo("InvalidToken");
        assertThat(a.headers()).containsEntry("www-authenticate", "Bearer");
    }

    @Test
    void badTokensAre401InvalidToken() {
        User u = user("quinn", null);
        SessionTokens foreign = new SessionTokens("another-deployment-entirely-its-own-key");
        String[] refused = {
                "Token " + Base64.getEncoder().encodeToString("garbage".getBytes()),
                "Token !!!not-base64!!!",
                "Bearer garbage",
                "Token",
                "Basic " + Base64.getEncoder().encodeToString("quinn:secret".getBytes()),
                // expired: issued eight days ago (tokens live seven)
                SessionTokens.header(Http.issue(u.id(), Instant.now().minus(Duration.ofDays(8)))),
                // genuine format, signed with another key
                SessionTokens.header(foreign.issue(u.id(), Instant.now())),
                // a signature that does not match the payload (the id was changed)
                SessionTokens.header(Http.issue(u.id(), Instant.now()).replaceFirst("^\\d+", String.valueOf(u.id() + 1))),
                // well signed, but for no user this system knows
                token(99_999_999L),
        };
        for (String auth : refused) {
            var a = get(fn, path("quinn"), auth);
            assertThat(a.status()).as(auth).isEqualTo(401);
            assertThat(a.subCode()).as(auth).isEqualTo("InvalidToken");
            assertThat(a.error()).as(auth).isEqualTo("Token is expired or invalid");
            assertThat(a.headers()).containsEntry("www-authenticate", "Bearer");
        }
    }

    @Test
    void theTokenAndBearerSchemesAreBothAccepted() {
        User u = user("remy", null);
        String raw = Http.issue(u.id(), Instant.now());
        String[] accepted = {SessionTokens.header(raw), "Bearer " + raw, "token " + Base64.getEncoder()
                .encodeToString(raw.getBytes()), "bearer " + raw,
                // six days old is still valid
                SessionTokens.header(Http.issue(u.id(), Instant.now().minus(Duration.ofDays(6))))};
        for (String auth : accepted) {
            assertThat(get(fn, path("remy"), auth).status()).as(auth).isEqualTo(200);
        }
    }

    /**
     * A display name changes hands on OSM: the old holder keeps it here until their next login, the new holder logs
     * in with it. Every lookup of the name finds the new holder, whichever of the two accounts is older or was
     * stored first.
     */
    @Test
    void aNameThatChangedHandsResolvesToItsCurrentHolder() {
        Instant t0 = Instant.now();
        long older = IDS.incrementAndGet();
        long newer = IDS.incrementAndGet();
        // the newer account held the name first and lost it; the older account took it over later
        users.upsertOnLogin(newer, "ines", "https://osm.test/a.png", null, false, t0);
        users.upsertOnLogin(older, "ines", "https://osm.test/b.png", null, false, t0.plusSeconds(60));
        for (int i = 0; i < 5; i++) {
            assertThat(users.byUsername("ines")).get().extracting(User::id).isEqualTo(older);
        }
        var profile = get(fn, path("ines"), token(older));
        assertThat(profile.json().path("id").asLong()).isEqualTo(older);
        // the first holder logs in again under the name (OSM gave it back): the name is theirs again
        users.upsertOnLogin(newer, "ines", "https://osm.test/a.png", null, false, t0.plusSeconds(120));
        assertThat(users.byUsername("ines")).get().extracting(User::id).isEqualTo(newer);
    }
}
