package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.core.catalogue.Resources;
import dev.tmserverless.core.catalogue.Routes;
import dev.tmserverless.core.dto.TaskDto;
import dev.tmserverless.emulators.Emulators;
import dev.tmserverless.emulators.Isolated;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.tmserverless.fn.users.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * GET /system/docs/json/: the document the users function serves is valid OpenAPI 3.0 to a real parser, lists
 * every catalogue route with its parameters and function, carries the error shapes and the DTO schemas, and keeps
 * out of the constructs API Gateway refuses on import.
 */
class OpenApiDocumentTest {
    static Isolated.Applied env;
    static UsersFunction fn;
    static String body;
    static JsonNode json;

    @BeforeAll
    static void start() {
        env = Emulators.shared().isolated("users-openapi").applyAsSystemProperties();
        fn = new UsersFunction();
        var a = get(fn, "/api/v2/system/docs/json/", null);
        assertThat(a.status()).isEqualTo(200);
        body = a.body();
        json = a.json();
    }

    @AfterAll
    static void stop() {
        fn.close();
        env.close();
    }

    static OpenAPI parse() {
        ParseOptions opts = new ParseOptions();
        opts.setResolve(true);
        var result = new OpenAPIV3Parser().readContents(body, null, opts);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        return result.getOpenAPI();
    }

    @Test
    void aRealParserAcceptsItAsOpenApi30() {
        OpenAPI api = parse();
        assertThat(api.getOpenapi()).startsWith("3.0.");
        assertThat(get(fn, "/api/v2/system/docs/json", null).body()).isEqualTo(body);
    }

    @Test
    void everyCatalogueRouteIsAnOperationWithItsParametersAndFunction() {
        OpenAPI api = parse();
        Pattern param = Pattern.compile("\\{([^}]+)}");
        for (Resources.Route r : Routes.ALL) {
            PathItem item = api.getPaths().get(r.path());
            assertThat(item).as(r.routeKey()).isNotNull();
            Operation op = item.readOperationsMap().get(PathItem.HttpMethod.valueOf(r.method()));
            assertThat(op).as(r.routeKey()).isNotNull();
            assertThat(op.getTags()).containsExactly(r.function());
            assertThat(op.getSummary()).isNotBlank();
            assertThat(op.getOperationId()).isNotBlank();
            List<String> expected = new ArrayList<>();
            Matcher m = param.matcher(r.path());
            while (m.find()) expected.add(m.group(1));
            List<Parameter> pathParams = op.getParameters() == null ? List.of()
                    : op.getParameters().stream().filter(p -> p.getIn().equals("path")).toList();
            assertThat(pathParams).extracting(Parameter::getName).as(r.routeKey()).containsExactlyElementsOf(expected);
            assertThat(pathParams).allSatisfy(p -> assertThat(p.getRequired()).isTrue());
        }
        assertThat(api.getPaths().get(Routes.CREATE_PROJECT.path()).getPost().getParameters())
                .filteredOn(p -> p.getIn().equals("header")).extracting(Parameter::getName).containsExactly("Idempotency-Key");
        assertThat(api.getPaths().get(Routes.PROJECT.path()).getGet().getParameters())
                .filteredOn(p -> p.getIn().equals("header")).isEmpty();
        long operations = api.getPaths().values().stream().mapToLong(p -> p.readOperations().size()).sum();
        assertThat(operations).isEqualTo(Routes.ALL.size());
        assertThat(api.getPaths().get(Routes.TASK.path()).getGet().getParameters())
                .filteredOn(p -> p.getName().equals("taskId")).singleElement()
                .satisfies(p -> assertThat(p.getSchema().getType()).isEqualTo("integer"));
    }

    @Test
    void theErrorShapesAndTheTaskDtoAreComponents() {
        OpenAPI api = parse();
        var schemas = api.getComponents().getSchemas();
        assertThat(schemas).containsKeys("LegacyError", "StructuredError", "ValidationError", "TaskDto", "TaskDtoHistory");
        assertThat(schemas.get("LegacyError").getProperties()).containsOnlyKeys("Error", "SubCode");
        assertThat(schemas.get("ValidationError").getProperties()).containsOnlyKeys("detail");
        assertThat(schemas.get("TaskDto").getProperties().keySet()).containsExactlyElementsOf(
                Arrays.asList("taskId", "projectId", "taskStatus", "lockHolder", "taskHistory", "taskAnnotation",
                        "perTaskInstructions", "autoUnlockSeconds", "lastUpdated", "numberOfComments"));
        assertThat(schemas.get("TaskDto").getProperties()).hasSize(TaskDto.class.getRecordComponents().length);
        assertThat(schemas.get("ApplicationKeyDto").getProperties().keySet())
                .containsExactly("keyId", "userId", "applicationkey", "createdDate");
        assertThat(((io.swagger.v3.oas.models.media.Schema<?>) schemas.get("ApplicationKeyDtoApplications").getProperties().get("applications")).getItems().get$ref())
                .isEqualTo("#/components/schemas/ApplicationKeyDto");
        var task = api.getPaths().get(Routes.TASK.path()).getGet().getResponses();
        assertThat(task.get("200").getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/TaskDto");
        assertThat(task.get("404").getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/StructuredError");
        assertThat(task.get("422").getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/ValidationError");
        assertThat(task.get("401").getContent().get("application/json").getSchema().get$ref())
                .isEqualTo("#/components/schemas/LegacyError");
    }

    /** What API Gateway's importer refuses or drops; the document must not rely on any of it. */
    @Test
    void itKeepsToWhatApiGatewayImports() {
        List<String> forbidden = List.of("oneOf", "anyOf", "not", "discriminator", "nullable", "readOnly", "writeOnly",
                "example", "examples", "callbacks", "links", "securitySchemes", "servers");
        List<String> found = new ArrayList<>();
        walk(json, "", forbidden, found);
        assertThat(found).isEmpty();
        assertThat(json.path("openapi").asText()).isEqualTo("3.0.1");
        for (Iterator<String> it = json.path("paths").fieldNames(); it.hasNext(); ) {
            String path = it.next();
            assertThat(path).doesNotEndWith("/").doesNotContain("+");
            assertThat(json.path("paths").path(path).fieldNames()).toIterable()
                    .allSatisfy(m -> assertThat(List.of("get", "post", "patch", "put", "delete")).contains(m));
        }
        // every $ref is local and resolves
        List<String> refs = new ArrayList<>();
        collectRefs(json, refs);
        assertThat(refs).isNotEmpty().allSatisfy(ref -> {
            assertThat(ref).startsWith("#/components/schemas/");
            assertThat(json.at(ref.substring(1)).isMissingNode()).as(ref).isFalse();
        });
    }

    private static void walk(JsonNode n, String at, List<String> forbidden, List<String> found) {
        if (n.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                // property names inside "properties" are data, not keywords
                if (!at.endsWith("/properties") && forbidden.contains(e.getKey())) found.add(at + "/" + e.getKey());
                walk(e.getValue(), at + "/" + e.getKey(), forbidden, found);
            }
        } else if (n.isArray()) {
            for (JsonNode c : n) walk(c, at + "[]", forbidden, found);
        }
    }

    private static void collectRefs(JsonNode n, List<String> out) {
        if (n.isObject()) {
            if (n.has("$ref")) out.add(n.get("$ref").asText());
            n.elements().forEachRemaining(c -> collectRefs(c, out));
        } else if (n.isArray()) {
            n.elements().forEachRemaining(c -> collectRefs(c, out));
        }
    }

    @Test
    void operationIdsAreUnique() {
        List<String> ids = new ArrayList<>();
        json.path("paths").elements().forEachRemaining(p -> p.elements().forEachRemaining(op ->
                ids.add(op.path("operationId").asText().toLowerCase(Locale.ROOT))));
        assertThat(ids).doesNotHaveDuplicates().hasSize(Routes.ALL.size());
    }
}
