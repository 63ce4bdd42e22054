package dev.tmserverless.fn.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.http.ApiFunction;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.http.Request;
import dev.tmserverless.aws.http.Response;
import dev.tmserverless.aws.store.IssueCategoryStore;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Mapping-issue categories: anyone reads them, administrators write them. */
@Singleton
public class IssueCategories {
    private final IssueCategoryStore store;

    public IssueCategories(IssueCategoryStore store) {
        this.store = store;
    }

    void register(ApiFunction.Handlers h) {
        h.on(Routes.ISSUE_CATEGORIES, this::list)
                .on(Routes.ISSUE_CATEGORY, this::get)
                .on(Routes.CREATE_ISSUE_CATEGORY, this::create)
                .on(Routes.UPDATE_ISSUE_CATEGORY, this::update)
                .on(Routes.DELETE_ISSUE_CATEGORY, this::delete);
    }

    /** A category's writable fields: {@code name} required, {@code description} and {@code archived} optional. */
    record CategoryBody(String name, String description, boolean archived) {
        static CategoryBody from(JsonNode body) {
            Fields.object(body);
            String name = Fields.text(body, "name").trim();
            if (name.isEmpty() || name.length() > 100) throw Fields.schema("name", "Name must be 1 to 100 characters", "string_too_long");
            JsonNode d = body.get("description");
            if (d != null && !d.isNull() && !d.isTextual()) throw Fields.schema("description", "Input should be a valid string", "string_type");
            return new CategoryBody(name, d == null || d.isNull() ? null : d.asText(), Fields.flag(body, "archived", false));
        }
    }

    Response list(Request req) {
        boolean withArchived = Fields.queryBool(req, "includeArchived", false);
        List<Map<String, Object>> out = store.all().stream().filter(c -> withArchived || !c.archived()).map(IssueCategories::dto).toList();
        return Response.ok(Map.of("categories", out));
    }

    Response get(Request req) {
        return Response.ok(dto(store.get(id(req)).orElseThrow(() -> notFound(id(req)))));
    }

    Response create(Request req) {
        admin(req);
        CategoryBody b = CategoryBody.from(req.json());
        return Response.ok(Map.of("categoryId", store.create(b.name(), b.description(), b.archived()).id()));
    }

    Response update(Request req) {
        admin(req);
        long id = id(req);
        CategoryBody b = CategoryBody.from(req.json());
        IssueCategoryStore.Category c = new IssueCategoryStore.Category(id, b.name(), b.description(), b.archived());
        if (!store.update(c)) throw notFound(id);
        return Response.ok(dto(c));
    }

    Response delete(Request req) {
        admin(req);
        long id = id(req);
        if (!store.delete(id)) throw notFound(id);
        return Response.ok(Map.of("Success", "Mapping-issue category deleted"));
    }

    private static void admin(Request req) {
        User u = req.caller().require();
        if (!Permissions.canEditSiteContent(u)) throw new ApiException(ErrorCode.ADMIN_REQUIRED);
    }

    private static long id(Request req) {
        return req.longParam("categoryId", ErrorCode.ISSUE_CATEGORY_NOT_FOUND);
    }

    private static ApiException notFound(long id) {
        return new ApiException(ErrorCode.ISSUE_CATEGORY_NOT_FOUND, ErrorCode.ISSUE_CATEGORY_NOT_FOUND.message, Map.of("category_id", id));
    }

    private static Map<String, Object> dto(IssueCategoryStore.Category c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("categoryId", c.id());
        m.put("name", c.name());
        m.put("description", c.description());
        m.put("archived", c.archived());
        return m;
    }
}
