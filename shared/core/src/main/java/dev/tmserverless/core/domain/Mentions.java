package dev.tmserverless.core.domain;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who a comment or chat message mentions: {@code @name}, or {@code @[a name with spaces]}, as the reference reads them;
 * and the bulk tags it names ({@code #author}, {@code #managers}, {@code #contributors}, {@code #mappers}).
 */
public final class Mentions {
    private Mentions() {}

    private static final Pattern MENTION = Pattern.compile("@(?:\\[([^\\]]+)\\]|(\\w+))");

    /** The reference's bulk tags: the project's author, its managers, the task's contributors, the mappers. */
    public static final Set<String> BULK_TAGS = Set.of("author", "managers", "contributors", "mappers");

    private static final Pattern TAG = Pattern.compile("(?<![\\w#])#(\\w+)");

    /** The bulk tags {@code text} names (other {@code #words}, such as a task number, are not tags). */
    public static Set<String> tags(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null) return out;
        Matcher m = TAG.matcher(text);
        while (m.find()) if (BULK_TAGS.contains(m.group(1))) out.add(m.group(1));
        return out;
    }

    public static Set<String> usernames(String text) {
        Set<String> out = new LinkedHashSet<>();
        if (text == null) return out;
        Matcher m = MENTION.matcher(text);
        while (m.find()) out.add(m.group(1) != null ? m.group(1).trim() : m.group(2));
        out.remove("");
        return out;
    }
}
