package dev.tmserverless.emulators;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OsmStandInTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    static final String REDIRECT = "http://127.0.0.1:3000/authorized";
    static OsmStandIn osm;
    static OsmStandIn.Client client;

    @BeforeAll
    static void start() {
        osm = OsmStandIn.start();
        client = osm.registerClient("tm-test", "s3cret");
    }

    @AfterAll
    static void stop() {
        osm.close();
    }

    @BeforeEach
    void clear() {
        client.clearFaults();
    }

    @Test
    void fullAuthorizationCodeFlow() throws Exception {
        HttpResponse<String> authorize = get(authorizeUrl("mapper one", "st4te"), null);
        assertThat(authorize.statusCode()).isEqualTo(302);
        URI location = URI.create(authorize.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(REDIRECT + "?code=");
        Map<String, String> params = OsmStandIn.parseForm(location.getRawQuery());
        assertThat(params.get("state")).isEqualTo("st4te");

        HttpResponse<String> token = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", params.get("code"), "redirect_uri", REDIRECT, "client_id", "tm-test", "client_secret", "s3cret"),
                null);
        assertThat(token.statusCode()).isEqualTo(200);
        JsonNode tokenJson = JSON.readTree(token.body());
        assertThat(tokenJson.get("token_type").asText()).isEqualTo("Bearer");
        assertThat(tokenJson.get("scope").asText()).isEqualTo("read_prefs write_api");
        assertThat(tokenJson.get("created_at").isNumber()).isTrue();
        String accessToken = tokenJson.get("access_token").asText();
        assertThat(accessToken).isNotBlank();

        HttpResponse<String> details = get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + accessToken);
        assertThat(details.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(details.body());
        assertThat(doc.get("version").asText()).isEqualTo("0.6");
        assertThat(doc.get("generator").asText()).isEqualTo("OpenStreetMap server");
        JsonNode user = doc.get("user");
        assertThat(user.get("id").asInt()).isEqualTo(OsmStandIn.userId("mapper one")).isPositive();
        assertThat(user.get("display_name").asText()).isEqualTo("mapper one");
        assertThat(user.get("account_created").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        assertThat(user.get("contributor_terms").get("agreed").asBoolean()).isTrue();
        assertThat(user.get("img").get("href").asText()).startsWith(osm.baseUrl().toString());
        assertThat(user.get("roles").isArray()).isTrue();
        assertThat(user.get("changesets").get("count").asInt()).isZero();
        assertThat(user.get("blocks").get("received").get("active").asInt()).isZero();
        assertThat(user.get("languages").get(0).asText()).isEqualTo("en");
        assertThat(user.has("messages")).isTrue();

        HttpResponse<String> avatar = get(user.get("img").get("href").asText(), null);
        assertThat(avatar.statusCode()).isEqualTo(200);

        // the code is single-use
        HttpResponse<String> again = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", params.get("code"), "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(again.body()).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(JSON.readTree(again.body()).get("error_description").asText()).isNotBlank();
    }

    @Test
    void basicAuthIsAcceptedAndIdsAreStablePerName() throws Exception {
        String token = login("admin");
        JsonNode user = JSON.readTree(get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + token).body())
                .get("user");
        assertThat(user.get("id").asInt()).isEqualTo(OsmStandIn.userId("admin"));
        assertThat(OsmStandIn.userId("admin")).isNotEqualTo(OsmStandIn.userId("Admin"));
        try (OsmStandIn second = OsmStandIn.start()) {
            assertThat(second.baseUrl()).isNotEqualTo(osm.baseUrl());
        }
    }

    @Test
    void badTokensAndBadClientsAreRefused() throws Exception {
        assertThat(get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer nope").statusCode()).isEqualTo(401);
        assertThat(get(osm.baseUrl() + "/api/0.6/user/details.json", null).statusCode()).isEqualTo(401);
        String code = code("someone");
        HttpResponse<String> wrongSecret = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", code, "redirect_uri", REDIRECT), basic("tm-test", "wrong"));
        assertThat(wrongSecret.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(wrongSecret.body()).get("error").asText()).isEqualTo("invalid_client");
        HttpResponse<String> wrongRedirect = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", code, "redirect_uri", "http://elsewhere/"), basic("tm-test", "s3cret"));
        assertThat(wrongRedirect.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrongRedirect.body()).get("error").asText()).isEqualTo("invalid_grant");
        HttpResponse<String> unknown = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", "made-up", "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void withoutUsernameAFormAsksForOne() throws Exception {
        HttpResponse<String> page = get(authorizeUrl(null, "abc"), null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("method=\"post\" action=\"/oauth2/authorize\"").contains("name=\"username\"")
                .contains("name=\"state\" value=\"abc\"").contains("name=\"client_id\" value=\"tm-test\"");
    }

    @Test
    void aPersonApprovesOnTheFormAndIsRedirectedWithCodeAndState() throws Exception {
        HttpResponse<String> page = get(authorizeUrl(null, "st&te 1"), null);
        assertThat(page.statusCode()).isEqualTo(200);
        Map<String, String> form = hiddenFields(page.body());
        assertThat(form).containsEntry("state", "st&te 1").containsEntry("redirect_uri", REDIRECT)
                .doesNotContainKeys("username", "decision");
        form.put("username", "Person Typing");
        form.put("decision", "approve");
        HttpResponse<String> approved = postForm(formAction(page.body()), form, null);
        assertThat(approved.statusCode()).isEqualTo(302);
        URI location = URI.create(approved.headers().firstValue("Location").orElseThrow());
        assertThat(location.toString()).startsWith(REDIRECT + "?code=");
        Map<String, String> params = OsmStandIn.parseForm(location.getRawQuery());
        assertThat(params.get("state")).isEqualTo("st&te 1");

        HttpResponse<String> token = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", params.get("code"), "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(token.statusCode()).isEqualTo(200);
        String accessToken = JSON.readTree(token.body()).get("access_token").asText();
        JsonNode user = JSON.readTree(get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + accessToken)
                .body()).get("user");
        assertThat(user.get("display_name").asText()).isEqualTo("Person Typing");
        assertThat(JSON.readTree(token.body()).get("scope").asText()).isEqualTo("read_prefs write_api");
    }

    @Test
    void denyOnTheFormRedirectsWithAccessDenied() throws Exception {
        HttpResponse<String> page = get(authorizeUrl(null, "s2"), null);
        Map<String, String> form = hiddenFields(page.body());
        form.put("username", "someone");
        form.put("decision", "deny");
        HttpResponse<String> denied = postForm(formAction(page.body()), form, null);
        assertThat(denied.statusCode()).isEqualTo(302);
        Map<String, String> params = OsmStandIn.parseForm(
                URI.create(denied.headers().firstValue("Location").orElseThrow()).getRawQuery());
        assertThat(params).containsEntry("error", "access_denied").containsEntry("state", "s2").doesNotContainKey("code");
    }

    @Test
    void approveWithoutAUsernameShowsTheFormAgain() throws Exception {
        HttpResponse<String> page = get(authorizeUrl(null, "s3"), null);
        Map<String, String> form = hiddenFields(page.body());
        form.put("username", " ");
        form.put("decision", "approve");
        HttpResponse<String> again = postForm(formAction(page.body()), form, null);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("role=\"alert\"");
        assertThat(hiddenFields(again.body())).containsEntry("state", "s3");
    }

    @Test
    void publicUserReadsAnswerForUsersWhoLoggedIn() throws Exception {
        int id = OsmStandIn.userId("public reader");
        assertThat(get(osm.baseUrl() + "/api/0.6/user/" + id + ".json", null).statusCode()).isEqualTo(404);
        login("public reader");
        HttpResponse<String> one = get(osm.baseUrl() + "/api/0.6/user/" + id + ".json", null);
        assertThat(one.statusCode()).isEqualTo(200);
        assertThat(one.headers().firstValue("Access-Control-Allow-Origin")).contains("*");
        JsonNode user = JSON.readTree(one.body()).get("user");
        assertThat(user.get("id").asInt()).isEqualTo(id);
        assertThat(user.get("display_name").asText()).isEqualTo("public reader");
        assertThat(user.get("changesets").get("count").asInt()).isZero();
        assertThat(user.has("languages")).isFalse();
        assertThat(user.has("messages")).isFalse();

        int other = osm.addUser("added by a test");
        HttpResponse<String> many = get(osm.baseUrl() + "/api/0.6/users.json?users=" + id + ",12," + other, null);
        assertThat(many.statusCode()).isEqualTo(200);
        JsonNode users = JSON.readTree(many.body()).get("users");
        assertThat(users).hasSize(2);
        assertThat(users.get(0).get("user").get("display_name").asText()).isEqualTo("public reader");
        assertThat(users.get(1).get("user").get("id").asInt()).isEqualTo(other);
        assertThat(get(osm.baseUrl() + "/api/0.6/users.json", null).statusCode()).isEqualTo(400);
    }

    /** The hidden inputs of the consent page's form, HTML-unescaped. */
    private static Map<String, String> hiddenFields(String html) {
        Map<String, String> fields = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">").matcher(html);
        while (m.find()) {
            fields.put(unescape(m.group(1)), unescape(m.group(2)));
        }
        return fields;
    }

    private static String formAction(String html) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("<form method=\"post\" action=\"([^\"]*)\"").matcher(html);
        assertThat(m.find()).as("a POST form in " + html).isTrue();
        return unescape(m.group(1));
    }

    private static String unescape(String s) {
        return s.replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }

    @Test
    void tokenAndDetailsFaultsAreInjectablePerClient() throws Exception {
        OsmStandIn.Client other = osm.registerClient("tm-other", "x");
        client.failToken(OsmStandIn.Fault.status(503));
        HttpResponse<String> failed = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", code("someone"), "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(failed.statusCode()).isEqualTo(503);

        client.failToken(OsmStandIn.Fault.noAccessToken());
        HttpResponse<String> noToken = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", code("someone"), "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(noToken.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(noToken.body()).has("access_token")).isFalse();

        client.clearFaults();
        String token = login("someone");
        client.failDetails(OsmStandIn.Fault.status(500));
        assertThat(get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + token).statusCode()).isEqualTo(500);
        client.failDetails(OsmStandIn.Fault.emptyJson());
        HttpResponse<String> empty = get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + token);
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(empty.body()).has("user")).isFalse();
        assertThat(other.id()).isEqualTo("tm-other"); // another client is unaffected:
        assertThat(authorizeStatus("tm-other")).isEqualTo(302);
        client.clearFaults();
        assertThat(get(osm.baseUrl() + "/api/0.6/user/details.json", "Bearer " + token).statusCode()).isEqualTo(200);
    }

    @Test
    void unknownClientCannotAuthorize() throws Exception {
        assertThat(authorizeStatus("nobody")).isEqualTo(401);
    }

    private int authorizeStatus(String clientId) throws Exception {
        return get(osm.baseUrl() + "/oauth2/authorize?response_type=code&client_id=" + clientId + "&redirect_uri="
                + enc(REDIRECT) + "&username=x", null).statusCode();
    }

    private String login(String username) throws Exception {
        HttpResponse<String> token = postForm("/oauth2/token", Map.of("grant_type", "authorization_code",
                "code", code(username), "redirect_uri", REDIRECT), basic("tm-test", "s3cret"));
        assertThat(token.statusCode()).isEqualTo(200);
        return JSON.readTree(token.body()).get("access_token").asText();
    }

    private String code(String username) throws Exception {
        HttpResponse<String> authorize = get(authorizeUrl(username, "s"), null);
        assertThat(authorize.statusCode()).isEqualTo(302);
        return OsmStandIn.parseForm(URI.create(authorize.headers().firstValue("Location").orElseThrow()).getRawQuery())
                .get("code");
    }

    private static String authorizeUrl(String username, String state) {
        return osm.baseUrl() + "/oauth2/authorize?response_type=code&client_id=tm-test&redirect_uri=" + enc(REDIRECT)
                + "&scope=" + enc("read_prefs write_api") + "&state=" + enc(state)
                + (username == null ? "" : "&username=" + enc(username));
    }

    private static HttpResponse<String> get(String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> postForm(String path, Map<String, String> form, String authorization)
            throws Exception {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(osm.baseUrl() + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
