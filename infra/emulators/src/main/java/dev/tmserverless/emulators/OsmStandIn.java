package dev.tmserverless.emulators;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * An OpenStreetMap stand-in for the OAuth 2 authorization-code flow, answering like openstreetmap.org
 * (Doorkeeper) does, so login runs the production code path locally:
 * <ul>
 *   <li>{@code GET /oauth2/authorize?response_type=code&client_id&redirect_uri&scope&state} — a small HTML page
 *       where a person types a username and presses Approve or Deny; the page posts its form to
 *       {@code POST /oauth2/authorize}, which answers 302 to {@code redirect_uri?code=…&state=…} (Approve) or
 *       {@code redirect_uri?error=access_denied&…} (Deny), as openstreetmap.org does after its consent page;</li>
 *   <li>the non-interactive path, for tests and the local login helper: the extra query parameter
 *       {@code username=NAME} on the GET approves at once for that name (the real OSM has no such shortcut);</li>
 *   <li>{@code POST /oauth2/token} (form {@code grant_type=authorization_code, code, redirect_uri}, client
 *       credentials in the form or as HTTP Basic) ⇒ {@code {"access_token","token_type":"Bearer","scope",
 *       "created_at"}}; an unknown, used or expired code ⇒ 400 {@code invalid_grant}; bad client ⇒ 401
 *       {@code invalid_client};</li>
 *   <li>{@code GET /api/0.6/user/details.json} with {@code Authorization: Bearer <token>} ⇒ the OSM user
 *       document; a bad token ⇒ 401;</li>
 *   <li>the public user reads, no token needed: {@code GET /api/0.6/user/{id}.json} ⇒ {@code {"user":{…}}} and
 *       {@code GET /api/0.6/users.json?users=ID,ID…} ⇒ {@code {"users":[{"user":{…}}…]}} (unknown ids left out),
 *       with the public fields only; an id nobody has logged in with ({@link #addUser}, {@link #addAccount}) is
 *       404, a deleted account ({@link #deleteAccount}) 410.</li>
 * </ul>
 * API answers carry {@code Access-Control-Allow-Origin: *}, as openstreetmap.org's do, so in-browser callers work.
 * User ids are derived from the username ({@link #userId(String)}), so they are stable across restarts. Each
 * registered OAuth client can be told to fail the token or the details call ({@link Client#failToken},
 * {@link Client#failDetails}); faults are scoped to that client, so tests sharing one stand-in stay isolated.
 */
public final class OsmStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final long CODE_LIFETIME_SECONDS = 600;
    private static final String INVALID_GRANT = "The provided authorization grant is invalid, expired, revoked, "
            + "does not match the redirection URI used in the authorization request, or was issued to another client.";
    private static final String INVALID_CLIENT = "Client authentication failed due to unknown client, no client "
            + "authentication included, or unsupported authentication method.";

    private final HttpServer server;
    private final ExecutorService executor;
    private final URI baseUrl;
    private final Map<String, Client> clients = new ConcurrentHashMap<>();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final Map<Integer, String> users = new ConcurrentHashMap<>();

    private record Grant(String username, String clientId, String redirectUri, String scope, Instant expiresAt,
                         String codeChallenge, String codeChallengeMethod) {}

    private record Token(String username, String clientId, String scope, long createdAt) {}

    /** An HTTP answer the stand-in gives instead of the real one, to exercise a caller's error handling. */
    public record Fault(int status, String contentType, String body) {
        /** A server error with an OSM-like JSON body. */
        public static Fault status(int status) {
            return new Fault(status, "application/json; charset=utf-8",
                    "{\"error\":\"server_error\",\"error_description\":\"injected by the OSM stand-in\"}");
        }

        /** A 200 token answer that carries no access token. */
        public static Fault noAccessToken() {
            return new Fault(200, "application/json; charset=utf-8",
                    "{\"token_type\":\"Bearer\",\"scope\":\"read_prefs\",\"created_at\":" + Instant.now().getEpochSecond()
                            + "}");
        }

        /** A 200 answer whose JSON lacks the expected content (for details: no {@code user}). */
        public static Fault emptyJson() {
            return new Fault(200, "application/json; charset=utf-8", "{\"version\":\"0.6\"}");
        }

        /** A 200 answer that is not JSON at all. */
        public static Fault notJson() {
            return new Fault(200, "text/html; charset=utf-8", "<html><body>Service Unavailable</body></html>");
        }
    }

    /** A registered OAuth 2 application (client id and secret) with its injectable faults. */
    public static final class Client {
        private final String id;
        private final String secret;
        private volatile Fault tokenFault;
        private volatile Fault detailsFault;

        private Client(String id, String secret) {
            this.id = id;
            this.secret = secret;
        }

        public String id() {
            return id;
        }

        public String secret() {
            return secret;
        }

        /** Every later token call of this client answers {@code fault} (the code is not consumed). */
        public Client failToken(Fault fault) {
            this.tokenFault = fault;
            return this;
        }

        /** Every later details call with a token of this client answers {@code fault}. */
        public Client failDetails(Fault fault) {
            this.detailsFault = fault;
            return this;
        }

        public Client clearFaults() {
            tokenFault = null;
            detailsFault = null;
            return this;
        }
    }

    private OsmStandIn(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
        this.baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Starts the stand-in on 127.0.0.1 and a free port. */
    public static OsmStandIn start() {
        LoopbackServer loopback = LoopbackServer.create();
        OsmStandIn standIn = new OsmStandIn(loopback.server(), loopback.executor());
        loopback.server().createContext("/", standIn::handle);
        loopback.server().start();
        return standIn;
    }

    /** The base URL, e.g. {@code http://127.0.0.1:41234} (no trailing slash), like {@code https://www.openstreetmap.org}. */
    public URI baseUrl() {
        return baseUrl;
    }

    /** Registers (or returns the already registered) OAuth client {@code id}; the secret must match. */
    public Client registerClient(String id, String secret) {
        Client client = clients.computeIfAbsent(id, k -> new Client(id, secret));
        if (!client.secret.equals(secret)) {
            throw new IllegalArgumentException("client " + id + " is already registered with another secret");
        }
        return client;
    }

    public Client client(String id) {
        Client client = clients.get(id);
        if (client == null) {
            throw new IllegalArgumentException("no OAuth client " + id);
        }
        return client;
    }

    /** Makes {@code username} a known user (as if they had logged in once); returns their id. */
    public int addUser(String username) {
        int id = userId(username);
        users.put(id, username);
        return id;
    }

    /** The OSM user id the stand-in gives {@code username}: a positive int derived from the name. */
    public static int userId(String username) {
        byte[] hash = sha256(username.getBytes(StandardCharsets.UTF_8));
        int id = ((hash[0] & 0xff) << 24 | (hash[1] & 0xff) << 16 | (hash[2] & 0xff) << 8 | (hash[3] & 0xff))
                & 0x7fffffff;
        return id == 0 ? 1 : id;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            switch (path) {
                case "/oauth2/authorize" -> {
                    if (method.equals("GET") || method.equals("POST")) {
                        authorize(exchange);
                    } else {
                        send(exchange, 405, "text/plain", "Method Not Allowed");
                    }
                }
                case "/oauth2/token" -> {
                    if (method.equals("POST")) {
                        token(exchange);
                    } else {
                        send(exchange, 405, "text/plain", "Method Not Allowed");
                    }
                }
                case "/api/0.6/user/details.json" -> {
                    if (method.equals("GET")) {
                        details(exchange);
                    } else {
                        send(exchange, 405, "text/plain", "Method Not Allowed");
                    }
                }
                case "/api/0.6/users.json" -> {
                    if (method.equals("GET")) {
                        users(exchange);
                    } else {
                        send(exchange, 405, "text/plain", "Method Not Allowed");
                    }
                }
                default -> {
                    if (PUBLIC_USER.matcher(path).matches()) {
                        publicUser(exchange, method, path);
                    } else if (path.startsWith("/avatars/") && method.equals("GET")) {
                        avatar(exchange, path.substring("/avatars/".length()));
                    } else {
                        send(exchange, 404, "text/plain; charset=utf-8", "Not Found");
                    }
                }
            }
        } catch (RuntimeException e) {
            send(exchange, 500, "text/plain; charset=utf-8", "Internal Server Error: " + e);
        }
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> params = parseForm(exchange.getRequestURI().getRawQuery());
        if (exchange.getRequestMethod().equals("POST")) {
            params.putAll(parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        }
        String clientId = params.get("client_id");
        String redirectUri = params.get("redirect_uri");
        if (clientId == null || !clients.containsKey(clientId)) {
            send(exchange, 401, "text/html; charset=utf-8", page("Authorization error",
                    "<p>" + escape(INVALID_CLIENT) + "</p>"));
            return;
        }
        URI redirect;
        try {
            redirect = redirectUri == null ? null : URI.create(redirectUri);
        } catch (IllegalArgumentException e) {
            redirect = null;
        }
        if (redirect == null || !redirect.isAbsolute()) {
            send(exchange, 400, "text/html; charset=utf-8", page("Authorization error",
                    "<p>The requested redirect uri is malformed or doesn't match client redirect URI.</p>"));
            return;
        }
        String state = params.get("state");
        if (!"code".equals(params.get("response_type"))) {
            redirect(exchange, redirectUri, "error", "unsupported_response_type", "error_description",
                    "The authorization server does not support this response type.", "state", state);
            return;
        }
        boolean post = exchange.getRequestMethod().equals("POST");
        if (post && "deny".equals(params.get("decision"))) {
            redirect(exchange, redirectUri, "error", "access_denied", "error_description",
                    "The resource owner or authorization server denied the request.", "state", state);
            return;
        }
        String username = params.get("username");
        if (username == null || username.isBlank()) {
            send(exchange, 200, "text/html; charset=utf-8", loginForm(params, post));
            return;
        }
        String scope = params.getOrDefault("scope", "");
        scope = scope.isBlank() ? "read_prefs" : scope.trim().replaceAll("\\s+", " ");
        String code = randomToken();
        addUser(username.trim());
        codes.put(code, new Grant(username.trim(), clientId, redirectUri, scope,
                Instant.now().plusSeconds(CODE_LIFETIME_SECONDS), params.get("code_challenge"),
                params.getOrDefault("code_challenge_method", "plain")));
        redirect(exchange, redirectUri, "code", code, "state", state);
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> form =
                parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String clientId = form.get("client_id");
        String clientSecret = form.get("client_secret");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    clientId = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                    clientSecret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
                }
            } catch (IllegalArgumentException ignored) {
                // not base64: treated as no client authentication
            }
        }
        Client client = clientId == null ? null : clients.get(clientId);
        boolean pkceOnly = client != null && clientSecret == null && form.containsKey("code_verifier");
        if (client == null || !(pkceOnly || client.secret.equals(clientSecret))) {
            sendJson(exchange, 401, error("invalid_client", INVALID_CLIENT));
            return;
        }
        Fault fault = client.tokenFault;
        if (fault != null) {
            send(exchange, fault.status(), fault.contentType(), fault.body());
            return;
        }
        String grantType = form.get("grant_type");
        if (!"authorization_code".equals(grantType)) {
            sendJson(exchange, 400, error("unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server."));
            return;
        }
        String code = form.get("code");
        Grant grant = code == null ? null : codes.remove(code);
        if (grant == null || grant.expiresAt().isBefore(Instant.now()) || !grant.clientId().equals(clientId)
                || !grant.redirectUri().equals(form.get("redirect_uri"))
                || !pkceMatches(grant, form.get("code_verifier")) || (pkceOnly && grant.codeChallenge() == null)) {
            sendJson(exchange, 400, error("invalid_grant", INVALID_GRANT));
            return;
        }
        String accessToken = randomToken();
        long createdAt = Instant.now().getEpochSecond();
        tokens.put(accessToken, new Token(grant.username(), clientId, grant.scope(), createdAt));
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", accessToken);
        body.put("token_type", "Bearer");
        body.put("scope", grant.scope());
        body.put("created_at", createdAt);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Pragma", "no-cache");
        sendJson(exchange, 200, body);
    }

    private static boolean pkceMatches(Grant grant, String verifier) {
        if (grant.codeChallenge() == null) {
            return true;
        }
        if (verifier == null) {
            return false;
        }
        String expected = "S256".equals(grant.codeChallengeMethod())
                ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                        sha256(verifier.getBytes(StandardCharsets.US_ASCII)))
                : verifier;
        return expected.equals(grant.codeChallenge());
    }

    private void details(HttpExchange exchange) throws IOException {
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        Token token = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            token = tokens.get(authorization.substring(7).trim());
        }
        if (token == null) {
            exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"Doorkeeper\", "
                    + "error=\"invalid_token\", error_description=\"The access token is invalid\"");
            send(exchange, 401, "text/plain; charset=utf-8", "Couldn't authenticate you");
            return;
        }
        Client client = clients.get(token.clientId());
        Fault fault = client == null ? null : client.detailsFault;
        if (fault != null) {
            send(exchange, fault.status(), fault.contentType(), fault.body());
            return;
        }
        if (!(" " + token.scope() + " ").contains(" read_prefs ")) {
            send(exchange, 403, "text/plain; charset=utf-8", "The request requires higher privileges than "
                    + "provided by the access token.");
            return;
        }
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        sendJson(exchange, 200, userDocument(token.username()));
    }

    private void users(HttpExchange exchange) throws IOException {
        String ids = parseForm(exchange.getRequestURI().getRawQuery()).get("users");
        if (ids == null || ids.isBlank()) {
            send(exchange, 400, "text/plain; charset=utf-8", "No users were given to search for");
            return;
        }
        ObjectNode root = envelope();
        var list = root.putArray("users");
        for (String raw : ids.split(",")) {
            Account account = account(raw.trim());
            if (account != null && !account.deleted()) {
                list.addObject().set("user", publicDocument(account).get("user"));
            }
        }
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        sendJson(exchange, 200, root);
    }

    private static ObjectNode envelope() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", "0.6");
        root.put("generator", "OpenStreetMap server");
        root.put("copyright", "OpenStreetMap and contributors");
        root.put("attribution", "http://www.openstreetmap.org/copyright");
        root.put("license", "http://opendatacommons.org/licenses/odbl/1-0/");
        return root;
    }

    /** What anyone may read about a user: no languages, messages or private settings. */
    private ObjectNode publicFields(String username) {
        int id = userId(username);
        ObjectNode user = JSON.createObjectNode();
        user.put("id", id);
        user.put("display_name", username);
        // Stable per user: a day in 2012..2021 chosen by the id.
        Instant created = Instant.parse("2012-01-01T00:00:00Z").plus(id % 3650, ChronoUnit.DAYS)
                .plusSeconds(id % 86_400);
        user.put("account_created", created.toString());
        user.put("description", "");
        ObjectNode terms = user.putObject("contributor_terms");
        terms.put("agreed", true);
        user.putObject("img").put("href", baseUrl + "/avatars/" + id + ".svg");
        user.putArray("roles");
        user.putObject("changesets").put("count", 0);
        user.putObject("traces").put("count", 0);
        ObjectNode received = user.putObject("blocks").putObject("received");
        received.put("count", 0);
        received.put("active", 0);
        return user;
    }

    private ObjectNode userDocument(String username) {
        ObjectNode root = envelope();
        ObjectNode user = publicFields(username);
        root.set("user", user);
        ((ObjectNode) user.get("contributor_terms")).put("pd", false);
        user.putArray("languages").add("en");
        ObjectNode messages = user.putObject("messages");
        ObjectNode inbox = messages.putObject("received");
        inbox.put("count", 0);
        inbox.put("unread", 0);
        messages.putObject("sent").put("count", 0);
        return root;
    }

    // ---- GET /api/0.6/user/{id}.json: the public profile of an account, no token needed ---------------------

    private static final java.util.regex.Pattern PUBLIC_USER =
            java.util.regex.Pattern.compile("/api/0\\.6/user/([0-9]{1,10})\\.json");

    private record Account(String username, int changesets, boolean deleted) {}

    private final Map<Integer, Account> accounts = new ConcurrentHashMap<>();

    /**
     * Makes {@code username} an OSM account with {@code changesets} changesets (without a login) and returns
     * its id. Accounts that have logged in through the stand-in are known with 0 changesets.
     */
    public int addAccount(String username, int changesets) {
        int id = addUser(username);
        accounts.put(id, new Account(username, changesets, false));
        return id;
    }

    /** From now on the account's public profile answers 410 Gone, as OSM does for a deleted account. */
    public void deleteAccount(String username) {
        accounts.put(userId(username), new Account(username, 0, true));
    }

    private void publicUser(HttpExchange exchange, String method, String path) throws IOException {
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, 405, "text/plain", "Method Not Allowed");
            return;
        }
        var m = PUBLIC_USER.matcher(path);
        Account account = account(m.matches() ? m.group(1) : "");
        if (account == null) {
            send(exchange, 404, "text/plain; charset=utf-8", "");
            return;
        }
        if (account.deleted()) {
            send(exchange, 410, "text/plain; charset=utf-8", "");
            return;
        }
        exchange.getResponseHeaders().set("Access-Control-Allow-Origin", "*");
        sendJson(exchange, 200, publicDocument(account));
    }

    /** The account with this id: added, or known from a login; null for anyone else. */
    private Account account(String rawId) {
        if (!rawId.matches("[0-9]{1,10}") || Long.parseLong(rawId) > Integer.MAX_VALUE) return null;
        int id = Integer.parseInt(rawId);
        Account account = accounts.get(id);
        if (account != null) return account;
        String username = users.get(id);
        if (username == null) {
            username = tokens.values().stream().map(t -> t.username()).filter(n -> userId(n) == id).findFirst().orElse(null);
        }
        return username == null ? null : new Account(username, 0, false);
    }

    /** What anyone may read about an account: its details without languages, messages or private settings. */
    private ObjectNode publicDocument(Account account) {
        ObjectNode root = userDocument(account.username());
        ObjectNode user = (ObjectNode) root.get("user");
        user.remove("languages");
        user.remove("messages");
        ((ObjectNode) user.get("contributor_terms")).remove("pd");
        ((ObjectNode) user.get("changesets")).put("count", account.changesets());
        return root;
    }

    private void avatar(HttpExchange exchange, String file) throws IOException {
        String id = file.endsWith(".svg") ? file.substring(0, file.length() - 4) : file;
        if (!id.matches("[0-9]{1,10}")) {
            send(exchange, 404, "text/plain; charset=utf-8", "Not Found");
            return;
        }
        int hue = (int) (Long.parseLong(id) % 360);
        send(exchange, 200, "image/svg+xml", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">"
                + "<rect width=\"100\" height=\"100\" fill=\"hsl(" + hue + ",60%,55%)\"/></svg>");
    }

    /** The consent page: the request's OAuth parameters ride along as hidden fields of a POST form. */
    private String loginForm(Map<String, String> params, boolean retry) {
        StringBuilder hidden = new StringBuilder();
        params.forEach((k, v) -> {
            if (!k.equals("username") && !k.equals("decision")) {
                hidden.append("<input type=\"hidden\" name=\"").append(escape(k)).append("\" value=\"")
                        .append(escape(v)).append("\">");
            }
        });
        String scope = params.getOrDefault("scope", "");
        return page("Authorize access to your account (local OpenStreetMap stand-in)",
                "<p>The application <strong>" + escape(params.get("client_id")) + "</strong> asks for access"
                        + (scope.isBlank() ? "" : " (" + escape(scope) + ")") + ".</p>"
                        + (retry ? "<p role=\"alert\">Type a username to approve.</p>" : "")
                        + "<form method=\"post\" action=\"/oauth2/authorize\">" + hidden
                        + "<p><label>OpenStreetMap username <input name=\"username\" autofocus "
                        + "autocomplete=\"username\"></label></p>"
                        + "<p><button type=\"submit\" name=\"decision\" value=\"approve\">Approve</button> "
                        + "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button></p></form>"
                        + "<p>Any username is accepted (no password: this is a local stand-in for openstreetmap.org); "
                        + "<code>admin</code> becomes a Tasking Manager admin locally.</p>");
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head><body><h1>"
                + escape(title) + "</h1>" + body + "</body></html>";
    }

    private static void redirect(HttpExchange exchange, String redirectUri, String... keyValues) throws IOException {
        StringBuilder location = new StringBuilder(redirectUri);
        char separator = redirectUri.contains("?") ? '&' : '?';
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                continue;
            }
            location.append(separator).append(keyValues[i]).append('=')
                    .append(URLEncoder.encode(keyValues[i + 1], StandardCharsets.UTF_8));
            separator = '&';
        }
        exchange.getResponseHeaders().set("Location", location.toString());
        send(exchange, 302, "text/html; charset=utf-8",
                "<html><body>You are being <a href=\"" + escape(location.toString()) + "\">redirected</a>.</body></html>");
    }

    private static ObjectNode error(String error, String description) {
        ObjectNode node = JSON.createObjectNode();
        node.put("error", error);
        node.put("error_description", description);
        return node;
    }

    private static void sendJson(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        send(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsString(body));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
    }

    static Map<String, String> parseForm(String raw) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            params.putIfAbsent(key, value);
        }
        return params;
    }

    private static String escape(String s) {
        return Objects.toString(s, "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;").replace("'", "&#39;");
    }

    private static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
