package dev.tmserverless.fn.users;

import dev.tmserverless.core.domain.Html;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The banner message as the reference stores it: Markdown rendered to HTML, then cleaned to the tags
 * {@code a b i h3 h4 h5 h6 p pre strong} ({@code a} keeps {@code href} (http, https, mailto) and {@code rel});
 * other tags are dropped and their text kept; then bare URLs become links and every link gets
 * {@code rel="nofollow"}. The Markdown understood is the part the kept tags can show: paragraphs, ATX headings,
 * {@code **strong**}, emphasis (shown as plain text, as {@code em} is not kept), code spans (plain text),
 * {@code [text](url)} links and {@code <url>} autolinks (docs/api-differences.md).
 */
final class BannerHtml {
    private BannerHtml() {}

    private static final Set<String> KEPT = Set.of("a", "b", "i", "h3", "h4", "h5", "h6", "p", "pre", "strong");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})[ \\t]+(.*?)[ \\t]*#*[ \\t]*$", Pattern.DOTALL);
    private static final Pattern AUTOLINK = Pattern.compile("<((?:https?://|mailto:)[^<>\\s]+)>");
    private static final Pattern TAG = Pattern.compile("<(/?)([A-Za-z][A-Za-z0-9]*)((?:[^<>\"']|\"[^\"]*\"|'[^']*')*)/?>");
    private static final Pattern COMMENT = Pattern.compile("<!--.*?-->", Pattern.DOTALL);
    private static final Pattern HREF = Pattern.compile("\\bhref\\s*=\\s*(\"([^\"]*)\"|'([^']*)'|([^\\s\"'>]+))",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern CODE = Pattern.compile("`+([^`]+?)`+");
    private static final Pattern LINK = Pattern.compile("\\[([^\\[\\]]*)]\\(\\s*<?([^()\\s<>]*)>?(?:\\s+(\"[^\"]*\"|'[^']*'))?\\s*\\)");
    private static final Pattern STRONG = Pattern.compile("(\\*\\*|__)(?=\\S)(.+?)(?<=\\S)\\1");
    private static final Pattern EM_STAR = Pattern.compile("\\*(?=\\S)(.+?)(?<=\\S)\\*");
    private static final Pattern EM_UNDERSCORE = Pattern.compile("(?<![\\w])_(?=\\S)(.+?)(?<=\\S)_(?![\\w])");
    private static final Pattern BARE_URL = Pattern.compile("\\b(?:https?://|www\\.)[^\\s<>\"]+[^\\s<>\".,;:!?)\\]'*]");
    private static final char MARK = '\u0000';

    static String render(String markdown) {
        String src = COMMENT.matcher(markdown.replace("\r\n", "\n").replace('\r', '\n').replace(MARK, ' ')).replaceAll("");
        List<String> blocks = new ArrayList<>();
        for (String block : src.split("\n[ \t]*\n")) {
            String b = block.strip();
            if (b.isEmpty()) continue;
            Matcher h = HEADING.matcher(b);
            if (h.matches() && !b.contains("\n")) {
                int level = h.group(1).length();
                String inner = inline(h.group(2));
                blocks.add(level >= 3 ? "<h" + level + ">" + inner + "</h" + level + ">" : inner);
            } else {
                blocks.add("<p>" + inline(b) + "</p>");
            }
        }
        return linkify(String.join("\n", blocks));
    }

    /** Inline Markdown and raw HTML of one block, cleaned. */
    private static String inline(String text) {
        List<String> held = new ArrayList<>();
        // autolinks and raw tags are set aside (as placeholders) before the text is escaped
        text = replace(AUTOLINK, text, m -> hold(held, anchor(m.group(1)) + Html.escape(m.group(1)) + "</a>"));
        text = replace(TAG, text, m -> hold(held, cleanTag(m.group(1).isEmpty(), m.group(2).toLowerCase(Locale.ROOT),
                m.group(3))));
        text = replace(CODE, text, m -> hold(held, escapeText(m.group(1).strip())));
        text = replace(LINK, text, m -> hold(held, anchor(m.group(2))) + m.group(1) + hold(held, "</a>"));
        text = escapeText(text);
        text = STRONG.matcher(text).replaceAll(m -> Matcher.quoteReplacement("<strong>" + m.group(2) + "</strong>"));
        text = EM_STAR.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        text = EM_UNDERSCORE.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1)));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == MARK) {
                int end = text.indexOf(MARK, i + 1);
                out.append(held.get(Integer.parseInt(text.substring(i + 1, end))));
                i = end;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String cleanTag(boolean opening, String name, String attributes) {
        if (!KEPT.contains(name)) return "";
        if (!opening) return "</" + name + ">";
        if (!name.equals("a")) return "<" + name + ">";
        Matcher href = HREF.matcher(attributes);
        if (!href.find()) return "<a>";
        String url = href.group(2) != null ? href.group(2) : href.group(3) != null ? href.group(3) : href.group(4);
        return anchor(url);
    }

    /** An opening {@code a} tag; an href of another protocol than http, https or mailto is dropped. */
    private static String anchor(String url) {
        String u = url.strip();
        String lower = u.toLowerCase(Locale.ROOT);
        boolean hasScheme = lower.matches("^[a-z][a-z0-9+.-]*:.*");
        boolean safe = !hasScheme || lower.startsWith("http:") || lower.startsWith("https:") || lower.startsWith("mailto:");
        return safe ? "<a href=\"" + Html.escape(unescapeEntities(u)).replace("&#x27;", "'") + "\">" : "<a>";
    }

    /** Links bare URLs in text outside links, and gives every link {@code rel="nofollow"}. */
    private static String linkify(String html) {
        StringBuilder out = new StringBuilder();
        int depthInA = 0;
        Matcher tag = Pattern.compile("<(/?)([a-z0-9]+)([^>]*)>").matcher(html);
        int last = 0;
        while (tag.find()) {
            String text = html.substring(last, tag.start());
            out.append(depthInA > 0 ? text : linkText(text));
            String name = tag.group(2);
            if (name.equals("a") && tag.group(1).isEmpty()) {
                depthInA++;
                out.append("<a").append(tag.group(3)).append(" rel=\"nofollow\">");
            } else {
                if (name.equals("a")) depthInA = Math.max(0, depthInA - 1);
                out.append(tag.group());
            }
            last = tag.end();
        }
        String rest = html.substring(last);
        out.append(depthInA > 0 ? rest : linkText(rest));
        return out.toString();
    }

    private static String linkText(String text) {
        return BARE_URL.matcher(text).replaceAll(m -> {
            String url = m.group();
            String href = url.startsWith("www.") ? "http://" + url : url;
            return Matcher.quoteReplacement("<a href=\"" + href + "\" rel=\"nofollow\">" + url + "</a>");
        });
    }

    private static String escapeText(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> {
                    // an entity stays an entity
                    Matcher e = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
                            .matcher(s).region(i, s.length());
                    b.append(e.lookingAt() ? "&" : "&amp;");
                }
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static String unescapeEntities(String s) {
        return s.replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">");
    }

    private static String hold(List<String> held, String html) {
        held.add(html);
        return MARK + Integer.toString(held.size() - 1) + MARK;
    }

    private static String replace(Pattern p, String text, java.util.function.Function<Matcher, String> f) {
        Matcher m = p.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(f.apply(m)));
        m.appendTail(out);
        return out.toString();
    }
}
