package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.InterestIds;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.NameTaken;
import dev.tmserverless.aws.store.OrgStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.Names;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Interests: anyone lists them; administrators and organisation managers write them (and read one, as the
 * reference); a user sets their own, a project manager their project's (docs/reference-data.md).
 */
@Singleton
public class Interests {
    private final InterestStore store;
    private final OrgStore orgs;
    private final UserStore users;

    public Interests(InterestStore store, OrgStore orgs, UserStore users) {
        this.store = store;
        this.orgs = orgs;
        this.users = users;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.INTERESTS, req -> Response.ok(Map.of("interests", store.all().stream().map(Interests::dto).toList())))
                .on(Routes.INTEREST, this::get)
                .on(Routes.CREATE_INTEREST, this::create)
                .on(Routes.UPDATE_INTEREST, this::update)
                .on(Routes.DELETE_INTEREST, this::delete)
                .on(Routes.SET_MY_INTERESTS, this::setMine)
                .on(Routes.USER_INTERESTS, this::ofUser);
    }

    /** An interest's body: {@code name}, required, capped and sanitised. */
    record InterestBody(String name) {
        static InterestBody from(JsonNode body) {
            Fields.object(body);
            String name = Fields.text(body, "name");
            if (name.isBlank()) throw Fields.schema("name", "String should have at least 1 character", "string_too_short");
            return new InterestBody(Names.name(name, "name", Names.NAME_MAX));
        }
    }

    Response get(Request req) {
        User caller = req.caller().require();
        writer(caller);
        long id = id(req);
        return Response.ok(dto(store.get(id).orElseThrow(() -> notFound(id))));
    }

    Response create(Request req) {
        User caller = req.caller().require();
        InterestBody b = InterestBody.from(req.json());
        writer(caller);
        try {
            return Response.ok(dto(store.create(b.name())));
        } catch (NameTaken e) {
            throw taken(b.name());
        }
    }

    Response update(Request req) {
        User caller = req.caller().require();
        long id = id(req);
        InterestBody b = InterestBody.from(req.json());
        writer(caller);
        try {
            if (!store.rename(id, b.name())) throw notFound(id);
        } catch (NameTaken e) {
            throw taken(b.name());
        }
        return Response.ok(dto(new InterestStore.Interest(id, b.name())));
    }

    Response delete(Request req) {
        User caller = req.caller().require();
        writer(caller);
        long id = id(req);
        if (!store.delete(id)) throw notFound(id);
        return Response.ok(Map.of("Success", "Interest deleted"));
    }

    /** The caller's interests become exactly these; every id must name an interest (404, nothing written). */
    Response setMine(Request req) {
        User caller = req.caller().require();
        List<Long> ids = InterestIds.from(req.json()).ids();
        List<InterestStore.Interest> chosen = store.existing(ids);
        store.setForUser(caller.id(), ids);
        return Response.ok(Map.of("interests", chosen.stream().map(Interests::dto).toList()));
    }

    /** Every interest, with {@code userSelected} true for the user's own (null otherwise, as the reference). */
    Response ofUser(Request req) {
        req.caller().require();
        String username = req.pathParams().get("username");
        User user = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        Set<Long> mine = new HashSet<>(store.ofUser(user.id()));
        List<Map<String, Object>> out = new ArrayList<>();
        for (InterestStore.Interest i : store.all()) {
            Map<String, Object> m = dto(i);
            m.put("userSelected", mine.contains(i.id()) ? Boolean.TRUE : null);
            out.add(m);
        }
        return Response.ok(Map.of("interests", out));
    }

    private void writer(User caller) {
        if (!Permissions.canWriteReferenceData(caller, managesAnOrganisation(orgs, caller))) {
            throw new ApiException(ErrorCode.ORG_MANAGER_REQUIRED);
        }
    }

    /** Whether the user manages at least one organisation (one Query of the organisations list). */
    static boolean managesAnOrganisation(OrgStore orgs, User u) {
        return u.isAdmin() || Permissions.managesAnOrganisation(u, orgs.all());
    }

    static ApiException taken(String name) {
        return new ApiException(ErrorCode.NAME_TAKEN, "Value '" + name + "' already exists");
    }

    private static long id(Request req) { return req.longParam("interestId", ErrorCode.INTEREST_NOT_FOUND); }

    static ApiException notFound(long id) { return InterestStore.notFound(id); }

    static Map<String, Object> dto(InterestStore.Interest i) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("name", i.name());
        return m;
    }
}
