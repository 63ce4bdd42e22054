package dev.tmserverless.fn.users;

import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import io.micronaut.context.ApplicationContextBuilder;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;

/** The users function: OSM login, user profiles and organisations (spec §7.1, §1.5, §1.8). */
public class UsersFunction extends ApiFunction {
    @Inject LoginService login;
    @Inject OrganisationService organisations;

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
                .on(Routes.ORGANISATION, this::organisation);
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

    Response organisation(Request req) {
        String raw = req.pathParams().get("organisationId");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException | NullPointerException e) {
            throw OrganisationService.notFound(String.valueOf(raw));
        }
        return Response.ok(organisations.get(id, req.caller().optional()));
    }
}
