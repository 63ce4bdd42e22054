package dev.tmserverless.core.catalogue;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.tmserverless.core.dto.ApplicationKeyDto;
import dev.tmserverless.core.dto.TaskDto;
import dev.tmserverless.core.error.ErrorCode;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAPI 3.0 document of the API, generated from the catalogue: one operation per {@link Routes} constant
 * (its name gives the operation id and summary, its function the tag), path parameters typed by name, the three
 * error body shapes as components, and response schemas generated from the DTO records where a route's answer
 * is one. Nothing here is written by hand per route, so the document cannot drift from the routes served.
 *
 * <p>Kept to what API Gateway imports (TEMPLATE_NOTES.md "OpenAPI document"): OpenAPI 3.0.1, local
 * {@code $ref}s only, no security schemes (HTTP APIs import only their own authorizer extensions; the header is
 * described in words), and no {@code oneOf}/{@code anyOf}/{@code discriminator}/{@code nullable}/{@code readOnly}.
 */
public final class OpenApi {
    private OpenApi() {}

    public static final String VERSION = "3.0.1";

    /** Path parameters that are numbers; every other one is a string (slugs, usernames, keys). */
    private static final Set<String> INTEGER_PARAMETERS = Set.of("projectId", "taskId");

    /** Routes whose successful answer is one of the DTO records. */
    private static final Map<Resources.Route, Class<?>> RESPONSE_RECORDS = Map.of(
            Routes.TASK, TaskDto.class,
            Routes.LOCK_FOR_MAPPING, TaskDto.class,
            Routes.UNLOCK_AFTER_MAPPING, TaskDto.class,
            Routes.STOP_MAPPING, TaskDto.class,
            Routes.CREATE_APPLICATION_KEY, ApplicationKeyDto.class,
            Routes.APPLICATION_KEYS, ApplicationKeyDto.Applications.class);

    private static final Pattern PARAM = Pattern.compile("\\{([^}+]+)}");

    /** The document, as a JSON-ready tree. */
    public static Map<String, Object> document() {
        Map<String, Object> schemas = new TreeMap<>();
        errorSchemas(schemas);
        Map<String, Object> paths = new LinkedHashMap<>();
        for (var e : routeNames().entrySet()) {
            Resources.Route r = e.getKey();
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            item.put(r.method().toLowerCase(Locale.ROOT), operation(r, e.getValue(), schemas));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", VERSION);
        doc.put("info", map("title", "Tasking Manager API v2 (tm-serverless)", "version", "2",
                "description", "Routes as the reference Tasking Manager serves them, each with and without a trailing "
                        + "slash. Authorization: `Token <base64(session token or application key)>`."));
        doc.put("tags", Resources.FUNCTIONS.stream().filter(Resources.Function::http)
                .map(f -> map("name", f.id(), "description", "served by the " + f.id() + " function")).toList());
        doc.put("paths", paths);
        doc.put("components", map("schemas", schemas));
        return doc;
    }

    /** Every route constant with its field name, in declaration order. */
    static Map<Resources.Route, String> routeNames() {
        Map<Resources.Route, String> out = new LinkedHashMap<>();
        for (Field f : Routes.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == Resources.Route.class) {
                try {
                    out.put((Resources.Route) f.get(null), f.getName());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    private static Map<String, Object> operation(Resources.Route r, String constant, Map<String, Object> schemas) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", camel(constant));
        op.put("summary", sentence(constant));
        op.put("tags", List.of(r.function()));
        List<Object> parameters = new ArrayList<>();
        Matcher m = PARAM.matcher(r.path());
        while (m.find()) {
            String name = m.group(1);
            parameters.add(map("name", name, "in", "path", "required", true, "schema",
                    INTEGER_PARAMETERS.contains(name) ? map("type", "integer", "format", "int64") : map("type", "string")));
        }
        if (Routes.idempotent(r)) {
            parameters.add(map("name", "Idempotency-Key", "in", "header", "required", false,
                    "description", "A retry with the same key and body within 24 hours replays the first answer "
                            + "instead of creating again", "schema", map("type", "string", "minLength", 1, "maxLength", 255)));
        }
        if (!parameters.isEmpty()) op.put("parameters", parameters);
        if (r.method().equals("POST") || r.method().equals("PATCH") || r.method().equals("PUT")) {
            op.put("requestBody", map("required", false, "content",
                    map("application/json", map("schema", map("type", "object")))));
        }
        Map<String, Object> responses = new LinkedHashMap<>();
        Map<String, Object> ok = new LinkedHashMap<>();
        ok.put("description", "Success");
        Class<?> record = RESPONSE_RECORDS.get(r);
        ok.put("content", map("application/json", map("schema",
                record == null ? map("type", "object") : ref(schemaOf(record, schemas)))));
        // the reference answers a new application key with 200, every other creation with 201
        responses.put(constant.startsWith("CREATE_") && r != Routes.CREATE_APPLICATION_KEY ? "201" : "200", ok);
        for (var e : errorResponses().entrySet()) responses.put(e.getKey(), e.getValue());
        op.put("responses", responses);
        return op;
    }

    // ---- errors: the body shapes of ApiFunction.error, per status as ErrorCode has them ----

    private static void errorSchemas(Map<String, Object> schemas) {
        schemas.put("LegacyError", object(map("Error", map("type", "string"), "SubCode", map("type", "string")),
                List.of("Error", "SubCode")));
        schemas.put("MessageError", object(map("Error", map("type", "string")), List.of("Error")));
        schemas.put("StructuredError", object(map("error", object(map("code", map("type", "integer"),
                "sub_code", map("type", "string"), "message", map("type", "string"),
                "details", map("type", "object")), List.of("code", "sub_code", "message", "details"))), List.of("error")));
        schemas.put("ValidationError", object(map("detail", map("type", "array", "items", object(map(
                "loc", map("type", "array", "items", map("type", "string")), "msg", map("type", "string"),
                "type", map("type", "string")), List.of("loc", "msg", "type")))), List.of("detail")));
    }

    /**
     * Each status an ErrorCode answers with, with the schema of the shape most of that status's codes have (API
     * Gateway's importer takes no {@code oneOf}); the description names every shape and sub-code of the status.
     */
    private static Map<String, Object> errorResponses() {
        Map<Integer, Map<ErrorCode.Shape, Integer>> shapes = new TreeMap<>();
        Map<Integer, Set<String>> subCodes = new TreeMap<>();
        for (ErrorCode c : ErrorCode.values()) {
            shapes.computeIfAbsent(c.status, s -> new java.util.EnumMap<>(ErrorCode.Shape.class)).merge(c.shape, 1, Integer::sum);
            if (!c.subCode.isEmpty()) subCodes.computeIfAbsent(c.status, s -> new TreeSet<>()).add(c.subCode.trim());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : shapes.entrySet()) {
            Map<String, Object> resp = new LinkedHashMap<>();
            List<String> names = e.getValue().keySet().stream().map(OpenApi::shapeSchema).toList();
            ErrorCode.Shape most = e.getValue().entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
            resp.put("description", String.join(" or ", names) + "; sub-codes: "
                    + String.join(", ", subCodes.getOrDefault(e.getKey(), Set.of("none"))));
            resp.put("content", map("application/json", map("schema", ref(shapeSchema(most)))));
            out.put(Integer.toString(e.getKey()), resp);
        }
        return out;
    }

    private static String shapeSchema(ErrorCode.Shape s) {
        return switch (s) {
            case LEGACY -> "LegacyError";
            case ERROR_ONLY -> "MessageError";
            case STRUCTURED -> "StructuredError";
            case DETAIL -> "ValidationError";
        };
    }

    // ---- schemas of records, by reflection ----

    /** Registers the schema of a record (and of the records it holds) and returns its component name. */
    static String schemaOf(Class<?> record, Map<String, Object> schemas) {
        String name = componentName(record);
        if (schemas.containsKey(name)) return name;
        schemas.put(name, Map.of()); // placeholder against cycles
        Map<String, Object> properties = new LinkedHashMap<>();
        List<String> required = new ArrayList<>();
        for (RecordComponent c : ordered(record)) {
            properties.put(c.getName(), typeOf(c.getGenericType(), schemas));
            if (c.getType().isPrimitive()) required.add(c.getName());
        }
        schemas.put(name, object(properties, required));
        return name;
    }

    private static List<RecordComponent> ordered(Class<?> record) {
        List<RecordComponent> cs = new ArrayList<>(Arrays.asList(record.getRecordComponents()));
        JsonPropertyOrder order = record.getAnnotation(JsonPropertyOrder.class);
        if (order != null) {
            List<String> names = Arrays.asList(order.value());
            cs.sort((a, b) -> Integer.compare(index(names, a.getName()), index(names, b.getName())));
        }
        return cs;
    }

    private static int index(List<String> names, String n) {
        int i = names.indexOf(n);
        return i < 0 ? Integer.MAX_VALUE : i;
    }

    private static String componentName(Class<?> c) {
        String n = c.getSimpleName();
        Class<?> outer = c.getEnclosingClass();
        return outer == null ? n : componentName(outer) + n;
    }

    private static Object typeOf(Type t, Map<String, Object> schemas) {
        if (t instanceof ParameterizedType p && p.getRawType() instanceof Class<?> raw
                && java.util.Collection.class.isAssignableFrom(raw)) {
            return map("type", "array", "items", typeOf(p.getActualTypeArguments()[0], schemas));
        }
        if (!(t instanceof Class<?> c)) return map("type", "object");
        if (c == int.class || c == Integer.class) return map("type", "integer", "format", "int32");
        if (c == long.class || c == Long.class) return map("type", "integer", "format", "int64");
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) return map("type", "number");
        if (c == boolean.class || c == Boolean.class) return map("type", "boolean");
        if (c == String.class) return map("type", "string");
        if (c == Instant.class) return map("type", "string", "format", "date-time");
        if (c.isEnum()) return map("type", "string", "enum", Arrays.stream(c.getEnumConstants()).map(Object::toString).toList());
        if (c.isRecord()) return ref(schemaOf(c, schemas));
        return map("type", "object");
    }

    // ---- helpers ----

    private static Map<String, Object> object(Map<String, Object> properties, List<String> required) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "object");
        m.put("properties", properties);
        if (!required.isEmpty()) m.put("required", required);
        return m;
    }

    private static Map<String, Object> ref(String component) { return map("$ref", "#/components/schemas/" + component); }

    static String camel(String constant) {
        StringBuilder b = new StringBuilder();
        for (String part : constant.toLowerCase(Locale.ROOT).split("_")) {
            if (part.isEmpty()) continue;
            b.append(b.isEmpty() ? part : Character.toUpperCase(part.charAt(0)) + part.substring(1));
        }
        return b.toString();
    }

    static String sentence(String constant) {
        String s = constant.toLowerCase(Locale.ROOT).replace('_', ' ');
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
