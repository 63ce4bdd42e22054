package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.aws.store.SystemStore;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The site-wide routes: heartbeat, the supported languages and the banner. */
@Singleton
public class SystemService {
    /** The reference's default locales, as {@code code} and the language's own name, in its order. */
    static final String DEFAULT_CODES = "ar, cs, de, el, en, es, fa_IR, fr, he, hu, id, it, ja, ko, mg, ml, nl_NL, "
            + "pt, pt_BR, ru, sv, sw, tl, tr, uk, zh_TW";
    static final String DEFAULT_LANGUAGES = "عربى, Čeština, Deutsch, Ελληνικά, English, Español, فارسی, Français, "
            + "עברית, Magyar, Indonesia, Italiano, 日本語, 한국어, Malagasy, Malayalam, Nederlands, Português, "
            + "Português (Brasil), Русский язык, Svenska, Kiswahili, Filipino (Tagalog), Türkçe, Українська, 繁體中文";

    /** A validated banner update: the Markdown message (at most 255 characters) and whether it shows. */
    record BannerUpdate(String message, boolean visible) {
        static BannerUpdate from(JsonNode body) {
            Fields.object(body);
            String message = Fields.text(body, "message");
            if (message.codePointCount(0, message.length()) > 255) {
                throw Fields.schema("message", "String should have at most 255 characters", "string_too_long");
            }
            return new BannerUpdate(message, Fields.flag(body, "visible", true));
        }
    }

    private final SystemStore store;
    private final TmConfig config;

    public SystemService(SystemStore store, TmConfig config) {
        this.store = store;
        this.config = config;
    }

    /** {@code {"status", "release"}}; release is {@code {"version", "published_at"}} or null when none is recorded. */
    public Map<String, Object> heartbeat() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", "Fastapi healthy");
        out.put("release", store.release().map(r -> {
            Map<String, Object> release = new LinkedHashMap<>();
            release.put("version", r.version());
            release.put("published_at", r.publishedAt());
            return release;
        }).orElse(null));
        return out;
    }

    /**
     * The settings the reference's languages route answers: the mapper level thresholds and the supported
     * locales, configured by {@code TM_SUPPORTED_LANGUAGES_CODES} and {@code TM_SUPPORTED_LANGUAGES}
     * (comma-separated, same count), {@code TM_MAPPER_LEVEL_INTERMEDIATE} and {@code TM_MAPPER_LEVEL_ADVANCED}.
     */
    public Map<String, Object> languages() {
        List<String> codes = split(config.get("TM_SUPPORTED_LANGUAGES_CODES").orElse(DEFAULT_CODES));
        List<String> names = split(config.get("TM_SUPPORTED_LANGUAGES").orElse(DEFAULT_LANGUAGES));
        List<Map<String, Object>> languages = new ArrayList<>();
        for (int i = 0; i < Math.min(codes.size(), names.size()); i++) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("code", codes.get(i));
            l.put("language", names.get(i));
            languages.add(l);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("mapperLevelIntermediate", level("TM_MAPPER_LEVEL_INTERMEDIATE", 250));
        out.put("mapperLevelAdvanced", level("TM_MAPPER_LEVEL_ADVANCED", 500));
        out.put("supportedLanguages", languages);
        return out;
    }

    public Map<String, Object> banner() {
        return dto(store.banner());
    }

    /** Stores the message rendered and cleaned ({@link BannerHtml}) and answers the stored banner. */
    public Map<String, Object> updateBanner(BannerUpdate req) {
        SystemStore.Banner banner = new SystemStore.Banner(BannerHtml.render(req.message()), req.visible());
        store.putBanner(banner);
        return dto(banner);
    }

    private static Map<String, Object> dto(SystemStore.Banner b) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("message", b.message());
        out.put("visible", b.visible());
        return out;
    }

    private int level(String name, int dflt) {
        return config.get(name).map(String::trim).filter(v -> v.matches("\\d{1,9}")).map(Integer::parseInt).orElse(dflt);
    }

    private static List<String> split(String list) {
        return Arrays.stream(list.split(",")).map(String::strip).toList();
    }
}
