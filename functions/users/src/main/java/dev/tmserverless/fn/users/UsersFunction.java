package dev.tmserverless.fn.users;

import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
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
    @Inject Notifications notifications;
    @Inject Licenses licenses;

    public UsersFunction() { super(); }

    public UsersFunction(ApplicationContextBuilder builder) { super(builder); }

    @Override
    protected String functionId() { return Resources.USERS; }

    @Override
    protected void register(Handlers h) {
        licenses.register(h);
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
                .on(Routes.NOTIFICATIONS, req -> Response.ok(notifications.list(req.caller().require(), Notifications.ListQuery.from(req))))
                .on(Routes.NOTIFICATION, req -> Response.ok(notifications.readOne(req.caller().require(), messageId(req))))
                .on(Routes.DELETE_NOTIFICATION, req -> {
                    notifications.delete(req.caller().require(), messageId(req));
                    return Response.ok(Map.of("Success", "Message deleted"));
                })
                .on(Routes.DELETE_NOTIFICATIONS, req -> {
                    User u = req.caller().require();
                    notifications.deleteMany(u, Notifications.messageIds(req.json()));
                    return Response.ok(Map.of("Success", "Messages deleted"));
                })
                .on(Routes.DELETE_ALL_NOTIFICATIONS, req -> {
                    User u = req.caller().require();
                    notifications.deleteAll(u, req.query("messageType").filter(s -> !s.isBlank()).map(Notifications.ListQuery::types).orElse(null));
                    return Response.ok(Map.of("Success", "Messages deleted"));
                })
                .on(Routes.MARK_NOTIFICATIONS_READ, req -> {
                    User u = req.caller().require();
                    notifications.markRead(u, Notifications.messageIds(req.json()));
                    return Response.ok(Map.of("Success", "Messages marked as read"));
                })
                .on(Routes.MARK_ALL_NOTIFICATIONS_READ, req -> {
                    User u = req.caller().require();
                    notifications.markAllRead(u, req.query("messageType").filter(s -> !s.isBlank()).map(Notifications.ListQuery::types).orElse(null));
                    return Response.ok(Map.of("Success", "Messages marked as read"));
                })
                .on(Routes.UNREAD_NOTIFICATIONS, req -> Response.ok(notifications.countNew(req.caller().require(), Instant.now())))
                .on(Routes.NOTIFICATIONS_SEEN, req -> Response.ok(notifications.markSeen(req.caller().require(), Instant.now())))
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
        boolean omitManagers = Fields.queryBool(req, "omitManagerList", false);
        return Response.ok(organisations.get(req.pathParams().get("organisationId"), req.caller().optional(),
                omitManagers));
    }

    /** Only a signed-in caller may filter by manager (403 LoginToFilterManager), but by any manager's id. */
    Response organisations(Request req) {
        Long managerUserId = Fields.queryLong(req, "manager_user_id");
        boolean omitManagers = Fields.queryBool(req, "omitManagerList", false);
        Fields.queryBool(req, "omitOrgStats", true);
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

    private static long messageId(Request req) {
        return req.longParam("messageId", ErrorCode.MESSAGE_NOT_FOUND);
    }
}
