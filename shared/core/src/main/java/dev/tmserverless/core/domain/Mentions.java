package dev.tmserverless.core.domain;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Who a comment or chat message mentions: {@code @name}, or {@code @[a name with spaces]}, as the reference reads them. */
public final class Mentions {
    private Mentions() {}

    private static final Pattern MENTION = Pattern.compile("@(?:\\[([^\\]]+)\\]|(\\w+))");

    public static Set<String> usernames(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null) return out;
        Matcher m = MENTION.matcher(text);
        while (m.find()) out.add(m.group(1) != null ? m.group(1).trim() : m.group(2));
        out.remove("");
        return out;
    }
}
