package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Tokens;
import dev.tmserverless.aws.store.MessageStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.Messages;
import dev.tmserverless.core.domain.User;
import jakarta.inject.Singleton;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** The OSM OAuth 2 login: the authorize URL, then the callback that signs the user in. */
@Singleton
public class LoginService {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LoginService.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TmConfig config;
    private final OsmClient osm;
    private final UserStore users;
    private final Tokens tokens;
    private final MessageStore messages;
    private final People people;

    public LoginService(TmConfig config, OsmClient osm, UserStore users, Tokens tokens, MessageStore messages, People people) {
        this.messages = messages;
        this.people = people;
        this.config = config;
        this.osm = osm;
        this.users = users;
        this.tokens = tokens;
    }

    /** {@code {"auth_url", "state"}}; the browser keeps {@code state} and checks it on the way back. */
    public Map<String, Object> loginUrl(String redirectUri) {
        String state = state();
        String url = osm.baseUrl() + "/oauth2/authorize?response_type=code"
                + "&client_id=" + enc(config.osmClientId())
                + "&redirect_uri=" + enc(redirectUri(redirectUri))
                + "&scope=" + enc(config.osmScope())
                + "&state=" + state;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("auth_url", url);
        out.put("state", state);
        return out;
    }

    /**
     * Exchanges the code, reads who the user is, creates or refreshes them (bootstrap administrators become
     * ADMIN), and answers {@code {"username", "session_token", "picture", "session"}}.
     */
    public Map<String, Object> callback(String code, String redirectUri, String email, Instant now) {
        ObjectNode session = osm.exchangeCode(code, redirectUri(redirectUri));
        OsmClient.OsmUser who = osm.userDetails(session.path("access_token").asText());
        // OSM user ids only: a display name can change hands, and its next holder would become administrator
        boolean admin = config.bootstrapAdmins().stream().anyMatch(a -> a.equals(Long.toString(who.id())));
        String address = email == null || email.isBlank() ? null : email.trim();
        boolean firstLogin = users.get(who.id()).isEmpty();
        User user = users.upsertOnLogin(who.id(), who.displayName(), who.pictureUrl(), address, admin, now);
        // its fixed id in the inbox makes two racing first logins deliver it once
        if (firstLogin && messages.sendOnce(Messages.welcome(user, config.orgCode(), now))) people.countNewUser();
        // OSM's changeset count is what badges are earned from; the rules run at once
        people.recordStats(user.id(), who.changesets(), now);
        try {
            people.evaluate(users.profile(user.id()).orElseThrow(), now);
        } catch (RuntimeException e) {
            LOG.warn("level evaluation after login of user {} failed: {}", user.id(), e.toString());
        }
        user = users.get(user.id()).orElseThrow();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", user.username());
        out.put("session_token", tokens.get().issue(user.id(), now));
        out.put("picture", user.pictureUrl());
        out.put("session", session);
        return out;
    }

    private String redirectUri(String given) {
        return given == null || given.isBlank() ? config.redirectUri() : given;
    }

    /** 48 characters from [A-Za-z0-9-_]: 36 random bytes in unpadded base64url. */
    static String state() {
        byte[] bytes = new byte[36];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }
}
