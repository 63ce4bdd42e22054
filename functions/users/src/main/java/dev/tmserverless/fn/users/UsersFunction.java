package dev.tmserverless.fn.users;

import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.aws.store.ApplicationKeyStore;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.ApplicationKeyDto;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The users function: OSM login, user profiles, organisations and the site-wide system routes. */
public class UsersFunction extends ApiFunction {
    @Inject LoginService login;
    @Inject OrganisationService organisations;
    @Inject SystemService system;
    @Inject OsmClient osm;

    public UsersFunction() { super(); }

    public UsersFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.USERS; }

    @Override
    protected void register(Handlers h) {
        h.on(Routes.LOGIN, this::loginUrl)
                .on(Routes.LOGIN_CALLBACK, this::callback)
                .on(Routes.USER_BY_USERNAME, this::userByName)
                .on(Routes.CREATE_ORGANISATION, this::createOrganisation)
                .on(Routes.ORGANISATION, this::organisation)
                .on(Routes.ORGANISATIONS, this::organisations)
                .on(Routes.UPDATE_ORGANISATION, this::updateOrganisation)
                .on(Routes.DELETE_ORGANISATION, this::deleteOrganisation)
                .on(Routes.USER_OSM_DETAILS, this::osmDetails)
                .on(Routes.HEARTBEAT, req -> Response.ok(system.heartbeat()))
                .on(Routes.LANGUAGES, req -> Response.ok(system.languages()))
                .on(Routes.BANNER, req -> Response.ok(system.banner()))
                .on(Routes.UPDATE_BANNER, this::updateBanner)
                .on(Routes.API_DOCS, req -> Response.ok(OpenApiHolder.DOCUMENT))
                .on(Routes.APPLICATION_KEYS, this::applicationKeys)
                .on(Routes.CREATE_APPLICATION_KEY, this::createApplicationKey)
                .on(Routes.CHECK_APPLICATION_KEY, this::checkApplicationKey)
                .on(Routes.DELETE_APPLICATION_KEY, this::deleteApplicationKey);
    }

    /** The document depends only on the catalogue: built once per function instance, at first use. */
    private static final class OpenApiHolder {
        static final Map<String, Object> DOCUMENT = dev.tmserverless.core.catalogue.OpenApi.document();
    }

    /** The caller's keys; the keys themselves are not stored, so {@code applicationkey} is null (keyId names them). */
    Response applicationKeys(Request req) {
        User caller = req.caller().require();
        return Response.ok(new ApplicationKeyDto.Applications(applicationKeys.list(caller.id()).stream()
                .map(k -> new ApplicationKeyDto(k.keyId(), k.userId(), null, k.created())).toList()));
    }

    /** A new key for the caller: the only answer that shows it. */
    Response createApplicationKey(Request req) {
        User caller = req.caller().require();
        var created = applicationKeys.create(caller.id(), Instant.now());
        var k = created.key();
        return Response.ok(new ApplicationKeyDto(k.keyId(), k.userId(), created.value(), k.created()));
    }

    /** 200 with no body if the key exists (keys do not expire), else 404 APPLICATION_NOT_FOUND. */
    Response checkApplicationKey(Request req) {
        findKey(req.pathParams().get("application_key"));
        return Response.empty(200);
    }

    /** The owner's delete: 200 with no body; someone else's key: 302 with no body, as the reference answers. */
    Response deleteApplicationKey(Request req) {
        User caller = req.caller().require();
        String given = req.pathParams().get("application_key");
        ApplicationKeyStore.Key key = given != null && given.matches("\\d{1,18}")
                ? applicationKeys.byId(caller.id(), Long.parseLong(given))
                        .orElseThrow(() -> new ApiException(ErrorCode.APPLICATION_NOT_FOUND))
                : findKey(given);
        if (!Permissions.canDeleteApplicationKey(caller, key.userId())) return Response.empty(302);
        applicationKeys.delete(key);
        return Response.empty(200);
    }

    private ApplicationKeyStore.Key findKey(String given) {
        return (ApplicationKeyStore.looksLikeKey(given) ? applicationKeys.find(given) : java.util.Optional.<ApplicationKeyStore.Key>empty())
                .orElseThrow(() -> new ApiException(ErrorCode.APPLICATION_NOT_FOUND));
    }

    Response loginUrl(Request req) {
        return Response.ok(login.loginUrl(req.query("redirect_uri").orElse(null)));
    }

    Response callback(Request req) {
        String code = req.query("code").filter(c -> !c.isBlank())
                .orElseThrow(() -> new ApiException(ErrorCode.INVALID_DATA, "Missing code parameter"));
        return Response.ok(login.callback(code, req.query("redirect_uri").orElse(null),
                req.query("email_address").orElse(null), Instant.now()));
    }

    Response userByName(Request req) {
        User caller = req.caller().require();
        String username = req.pathParams().get("username");
        User user = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        return Response.ok(UserDto.of(user, user.id() == caller.id()));
    }

    Response createOrganisation(Request req) {
        User caller = req.caller().require();
        if (!caller.isAdmin()) throw new ApiException(ErrorCode.ONLY_ADMIN_ACCESS);
        var request = OrganisationService.NewOrganisation.from(req.json());
        return Response.created(Map.of("organisationId", organisations.create(request)));
    }

    /** A numeric segment is an id, anything else a slug (the reference's two routes in one). */
    Response organisation(Request req) {
        boolean omitManagers = queryBool(req, "omitManagerList", false);
        return Response.ok(organisations.get(req.pathParams().get("organisationId"), req.caller().optional(),
                omitManagers));
    }

    /** Only a signed-in caller may filter by manager (403 LoginToFilterManager), but by any manager's id. */
    Response organisations(Request req) {
        Long managerUserId = queryLong(req, "manager_user_id");
        boolean omitManagers = queryBool(req, "omitManagerList", false);
        queryBool(req, "omitOrgStats", true);
        var caller = req.caller().optional();
        if (managerUserId != null && caller.isEmpty()) throw new ApiException(ErrorCode.LOGIN_TO_FILTER_MANAGER);
        return Response.ok(organisations.list(caller, managerUserId, omitManagers));
    }

    Response updateOrganisation(Request req) {
        User caller = req.caller().require();
        var update = OrganisationService.OrganisationUpdate.from(req.json());
        organisations.update(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND), update, caller);
        return Response.ok(Map.of("Status", "Updated"));
    }

    Response deleteOrganisation(Request req) {
        User caller = req.caller().require();
        organisations.delete(req.longParam("organisationId", ErrorCode.ORGANISATION_NOT_FOUND), caller);
        return Response.ok(Map.of("Success", "Organisation deleted"));
    }

    /** The user's public OSM account details, asked of OSM at each call. */
    Response osmDetails(Request req) {
        req.caller().require();
        String username = req.pathParams().get("username");
        User user = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        OsmClient.OsmAccount account = osm.account(user.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accountCreated", account.accountCreated());
        out.put("changesetCount", account.changesetCount());
        return Response.ok(out);
    }

    /** Signed in, then the body's schema (422), then administrators only (403 OnlyAdminAccess), as the reference. */
    Response updateBanner(Request req) {
        User caller = req.caller().require();
        var update = SystemService.BannerUpdate.from(req.json());
        if (!caller.isAdmin()) throw new ApiException(ErrorCode.BANNER_ADMIN_ONLY);
        return Response.ok(system.updateBanner(update));
    }

    /** A query flag as FastAPI reads a bool: true/false, 1/0, yes/no, on/off; anything else is 422. */
    static boolean queryBool(Request req, String name, boolean dflt) {
        var v = req.query(name);
        if (v.isEmpty()) return dflt;
        return switch (v.get().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "1", "yes", "on", "t", "y" -> true;
            case "false", "0", "no", "off", "f", "n" -> false;
            default -> throw queryError(name, "Input should be a valid boolean, unable to interpret input", "bool_parsing");
        };
    }

    /** An integer query parameter, or null when absent; not an integer is 422. */
    static Long queryLong(Request req, String name) {
        var v = req.query(name);
        if (v.isEmpty()) return null;
        String s = v.get().trim();
        if (!s.matches("[+-]?\\d{1,18}")) {
            throw queryError(name, "Input should be a valid integer, unable to parse string as an integer", "int_parsing");
        }
        return Long.parseLong(s);
    }

    private static ApiException queryError(String name, String msg, String type) {
        return new ApiException(ErrorCode.SCHEMA_INVALID, msg, Map.of("loc", java.util.List.of("query", name), "type", type));
    }
}
