package dev.tmserverless.testing;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.tmserverless.core.catalogue.Resources;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Bad input on every route of a function: path parameters that name nothing or overflow, malformed and
 * mistyped bodies, junk query strings and Accept-Language headers, with and without a token. The answer must never be a 500; a function
 * that needs an outside service may still answer 502 when it is down.
 */
public final class RouteFuzz {
    private RouteFuzz() {}

    static final List<String> BAD_IDS = List.of("0", "-1", "abc", "1.5", "99999999999", "2147483648",
            "9223372036854775808", "%20");

    static final List<String> BAD_BODIES = List.of("", "null", "[]", "{}", "\"text\"", "42", "{\"a\":", "{\"a\": []}",
            "[".repeat(2000) + "]".repeat(2000), "{\"status\": 7, \"comment\": {}, \"tasks\": \"x\", \"areaOfInterest\": 1,"
                    + " \"grid\": [], \"name\": null, \"managers\": {}, \"projectName\": [], \"organisation\": \"x\"}",
            "{\"tasks\": [null, {\"taskId\": 99999999999, \"properties\": []}, {\"taskId\": 1}]}",
            "{\"tasks\": [{\"taskId\": 1, \"properties\": {}, \"annotationSource\": 7}]}",
            "{\"projectName\": \"x\", \"cloneFromProjectId\": 99999999999, \"areaOfInterest\": {}}",
            "{\"projectName\": \"x\", \"cloneFromProjectId\": \"x\", \"organisation\": 1, \"areaOfInterest\": {}}");

    static final List<String> BAD_LANGUAGES = List.of(",", ";", ",,;q=0", "*", "\u00e9\u00e9;q=abc", " ");

    static final List<String> BAD_QUERIES = List.of("", "?tasks=", "?tasks=,,", "?tasks=1,x", "?as_file=maybe",
            "?tasks=99999999999", "?abbreviated=1&as_file=", "?redirect_uri=", "?code=&redirect_uri=x");

    /** Bad queries for the routes that read those parameters (by route path), on top of {@link #BAD_QUERIES}. */
    static final Map<String, List<String>> ROUTE_QUERIES = Map.of(
            "/users/statistics", List.of("?startDate=2024-13-45", "?startDate=0000-01-01&endDate=0001-01-01",
                    "?startDate=2024-01-01&endDate=", "?startDate=2024-01-01&endDate=+2024-01-02",
                    "?startDate=9999-12-31&endDate=9999-12-31", "?startDate=%20"),
            "/users/statistics/nextlevel", List.of("?userId=", "?userId=abc", "?userId=-1",
                    "?userId=99999999999999999999", "?userId=1.5"));

    /**
     * Runs {@link #internalErrors(RequestHandler, String, Map, String)} against a fresh user, organisation and
     * published two-task project, so the good ids name things that exist.
     */
    public static List<String> internalErrors(
            io.micronaut.function.aws.MicronautRequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn,
            String functionId) {
        Fixture fx = new Fixture(fn.getApplicationContext());
        var u = fx.user("fuzzer");
        var p = fx.project(u, dev.tmserverless.core.domain.ProjectStatus.PUBLISHED, 2);
        long org = fx.orgs.create("Fuzz", "fz", null, null, null, null, List.of(u.id())).id();
        Map<String, String> ids = Map.of("projectId", Long.toString(p.id()), "taskId", "1",
                "organisationId", Long.toString(org), "username", u.username(), "annotationType", "ml-buildings");
        return internalErrors(fn, functionId, ids, Api.token(u.id()));
    }

    /**
     * Calls every route of {@code functionId} with bad input; {@code goodIds} maps a path parameter name to an id
     * that exists, so bodies and queries also reach the code behind the lookups. Returns one line per 500.
     */
    public static List<String> internalErrors(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn,
                                              String functionId, Map<String, String> goodIds, String authorization) {
        List<String> out = new ArrayList<>();
        for (Resources.Route r : Resources.routesOf(functionId)) {
            List<String> paths = new ArrayList<>();
            String withGood = r.path();
            for (var e : goodIds.entrySet()) withGood = withGood.replace("{" + e.getKey() + "}", e.getValue());
            if (!withGood.contains("{")) paths.add(withGood);
            for (String bad : BAD_IDS) paths.add(r.path().replaceAll("\\{[^/]+}", bad));
            boolean hasBody = !r.method().equals("GET");
            for (String path : paths) {
                for (String auth : Arrays.asList(null, authorization)) {
                    List<String> queries = new ArrayList<>(BAD_QUERIES);
                    queries.addAll(ROUTE_QUERIES.getOrDefault(r.path(), List.of()));
                    for (String q : queries) check(fn, r.method(), path + "/" + q, auth, hasBody ? "{}" : null, Map.of(), out);
                    if (hasBody) for (String body : BAD_BODIES) check(fn, r.method(), path + "/", auth, body, Map.of(), out);
                }
            }
            for (String lang : BAD_LANGUAGES) {
                check(fn, r.method(), withGood + "/", authorization, hasBody ? "{}" : null, Map.of("accept-language", lang), out);
            }
        }
        return out;
    }

    private static void check(RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> fn, String method,
                              String path, String auth, String body, Map<String, String> headers, List<String> out) {
        Api.Answer a = Api.call(fn, method, path, auth, body, headers);
        if (a.status() == 500) {
            String b = body == null ? "" : body.length() > 60 ? body.substring(0, 60) + "…" : body;
            out.add(method + " " + path + (auth == null ? "" : " (token)") + " body=" + b + " -> " + a.status() + " " + a.body());
        }
    }
}
