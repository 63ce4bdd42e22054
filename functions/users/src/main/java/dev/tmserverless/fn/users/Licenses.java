package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.LicenseStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.Map;

/** Imagery licences: anyone reads them, administrators write them, a mapper accepts one for themself. */
@Singleton
public class Licenses {
    private final LicenseStore store;
    private final UserStore users;

    public Licenses(LicenseStore store, UserStore users) {
        this.store = store;
        this.users = users;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.LICENSES, req -> Response.ok(Map.of("licenses", store.all().stream().map(Licenses::dto).toList())))
                .on(Routes.LICENSE, req -> Response.ok(dto(license(id(req)))))
                .on(Routes.CREATE_LICENSE, this::create)
                .on(Routes.UPDATE_LICENSE, this::update)
                .on(Routes.DELETE_LICENSE, this::delete)
                .on(Routes.ACCEPT_LICENSE, this::accept);
    }

    /** A licence's fields: {@code name} required, {@code description} and {@code plainText} optional. */
    record LicenseBody(String name, String description, String plainText) {
        static LicenseBody from(JsonNode body) {
            Fields.object(body);
            String name = Fields.text(body, "name").trim();
            if (name.isEmpty()) throw Fields.schema("name", "String should have at least 1 character", "string_too_short");
            return new LicenseBody(name, optionalText(body, "description"), optionalText(body, "plainText"));
        }

        private static String optionalText(JsonNode body, String field) {
            JsonNode v = body.get(field);
            if (v == null || v.isNull()) return null;
            if (!v.isTextual()) throw Fields.schema(field, "Input should be a valid string", "string_type");
            return v.asText();
        }
    }

    Response create(Request req) {
        admin(req);
        LicenseBody b = LicenseBody.from(req.json());
        return Response.of(201, Map.of("licenseId", store.create(b.name(), b.description(), b.plainText()).id()));
    }

    Response update(Request req) {
        admin(req);
        long id = id(req);
        LicenseBody b = LicenseBody.from(req.json());
        if (!store.update(new LicenseStore.License(id, b.name(), b.description(), b.plainText()))) throw notFound(id);
        return Response.ok(Map.of("status", "Updated"));
    }

    Response delete(Request req) {
        admin(req);
        long id = id(req);
        if (!store.delete(id)) throw notFound(id);
        return Response.ok(Map.of("Success", "License deleted"));
    }

    /** The caller accepts the licence's terms; from then on they may map projects that require it. */
    Response accept(Request req) {
        User u = req.caller().require();
        long id = id(req);
        license(id);
        users.acceptLicense(u.id(), (int) id);
        return Response.ok(Map.of("Success", "Terms Accepted"));
    }

    private LicenseStore.License license(long id) {
        return store.get(id).orElseThrow(() -> notFound(id));
    }

    private static void admin(Request req) {
        if (!Permissions.canEditSiteContent(req.caller().require())) throw new ApiException(ErrorCode.ADMIN_REQUIRED);
    }

    private static long id(Request req) {
        long id = req.longParam("licenseId", ErrorCode.LICENSE_NOT_FOUND);
        if (id > Integer.MAX_VALUE) throw notFound(id);
        return id;
    }

    private static ApiException notFound(long id) {
        return new ApiException(ErrorCode.LICENSE_NOT_FOUND, ErrorCode.LICENSE_NOT_FOUND.message, Map.of("license_id", id));
    }

    private static Map<String, Object> dto(LicenseStore.License l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("licenseId", l.id());
        m.put("name", l.name());
        m.put("description", l.description());
        m.put("plainText", l.plainText());
        return m;
    }
}
