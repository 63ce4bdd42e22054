package dev.tmserverless.core.domain;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;

/**
 * The rules for the names and short texts of reference data (interests, campaigns, partners): trimmed, not empty,
 * at most a size, and free of control characters and markup brackets, which no name needs and a careless client
 * could render. A refused text is a 400 InvalidData and nothing is written (docs/reference-data.md).
 */
public final class Names {
    private Names() {}

    public static final int NAME_MAX = 150;
    public static final int TEXT_MAX = 2000;
    public static final int URL_MAX = 500;

    /** A required name: trimmed, 1 to {@code max} characters. */
    public static String name(String raw, String field, int max) {
        if (raw == null) throw invalid(field + " is required");
        String s = raw.strip();
        if (s.isEmpty()) throw invalid(field + " must not be empty");
        check(s, field, max, true);
        return s;
    }

    /** An optional text (null stays null; blank becomes null): at most {@code max} characters, no control characters. */
    public static String optional(String raw, String field, int max, boolean noMarkup) {
        if (raw == null) return null;
        String s = raw.strip();
        if (s.isEmpty()) return null;
        check(s, field, max, noMarkup);
        return s;
    }

    /** An optional link: as {@link #optional}, and only http(s) URLs (a javascript: link would run on a click). */
    public static String url(String raw, String field) {
        String s = optional(raw, field, URL_MAX, true);
        if (s != null && !s.matches("(?i)https?://\\S+")) throw invalid(field + " must be an http(s) URL");
        return s;
    }

    private static void check(String s, String field, int max, boolean noMarkup) {
        if (s.length() > max) throw invalid(field + " is longer than " + max + " characters");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') throw invalid(field + " contains control characters");
            if (noMarkup && (c == '<' || c == '>')) throw invalid(field + " must not contain '<' or '>'");
        }
    }

    private static ApiException invalid(String why) {
        return new ApiException(ErrorCode.INVALID_DATA, why);
    }
}
