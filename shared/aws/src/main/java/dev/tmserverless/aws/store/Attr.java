package dev.tmserverless.aws.store;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/** Terse AttributeValue construction and reading; absent and NULL read as null. */
final class Attr {
    private Attr() {}

    static AttributeValue s(String v) { return v == null ? nul() : AttributeValue.fromS(v); }

    static AttributeValue n(long v) { return AttributeValue.fromN(Long.toString(v)); }

    static AttributeValue n(Long v) { return v == null ? nul() : n(v.longValue()); }

    static AttributeValue n(Integer v) { return v == null ? nul() : n(v.longValue()); }

    static AttributeValue bool(boolean v) { return AttributeValue.fromBool(v); }

    static AttributeValue nul() { return AttributeValue.fromNul(true); }

    static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || Boolean.TRUE.equals(v.nul()) ? null : v.s();
    }

    static Long lng(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? null : Long.parseLong(v.n());
    }

    static long lng(Map<String, AttributeValue> item, String name, long dflt) {
        Long v = lng(item, name);
        return v == null ? dflt : v;
    }

    static Integer integer(Map<String, AttributeValue> item, String name) {
        Long v = lng(item, name);
        return v == null ? null : v.intValue();
    }

    static boolean bool(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v != null && Boolean.TRUE.equals(v.bool());
    }

    static Map<String, AttributeValue> key(String pk, String sk) {
        return Map.of("pk", s(pk), "sk", s(sk));
    }
}
