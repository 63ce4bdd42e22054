package dev.tmserverless.core.stats;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Users registered on one day, as {@code GET /users/statistics/} counts them (docs/statistics.md "Registrations"):
 * each registered user's current level, e-mail verification, gender and whether they mapped a project, and each
 * day's totals added up from those.
 */
public final class Registrations {
    private Registrations() {}

    /** One user, as counted on the day they registered. */
    public static final class User {
        /** Mapping level id. */
        public int lv;
        /** E-mail address verified. */
        public boolean ev;
        /** Gender as stored (MALE, FEMALE, SELF_DESCRIBE, PREFER_NOT) or null. */
        public String g;
        /** Mapped at least one project. */
        public boolean c;
    }

    /** One day's totals. */
    public static final class Day {
        public long total;
        /** Level id ⇒ users at that level. */
        public Map<Integer, Long> levels = new TreeMap<>();
        public long contributed;
        public long emailVerified;
        /** Gender ⇒ users. */
        public Map<String, Long> genders = new TreeMap<>();

        public static Day of(Collection<User> users) {
            Day d = new Day();
            for (User u : users) d.add(u);
            return d;
        }

        void add(User u) {
            total++;
            levels.merge(u.lv, 1L, Long::sum);
            if (u.c) contributed++;
            if (u.ev) emailVerified++;
            if (u.g != null) genders.merge(u.g, 1L, Long::sum);
        }

        void add(Day o) {
            total += o.total;
            o.levels.forEach((k, v) -> levels.merge(k, v, Long::sum));
            contributed += o.contributed;
            emailVerified += o.emailVerified;
            o.genders.forEach((k, v) -> genders.merge(k, v, Long::sum));
        }
    }

    /** A level as the answer names it: id and name, lowest first. */
    public record Level(int id, String name) {}

    /**
     * The reference's answer for the days' totals: {@code total}, {@code byLevel} (every level, lowest first, with
     * zero counts), {@code contributed}, {@code emailVerified}, {@code genders}.
     */
    public static Map<String, Object> answer(Collection<Day> days, List<Level> levels) {
        Day sum = new Day();
        days.forEach(sum::add);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", sum.total);
        List<Map<String, Object>> byLevel = new ArrayList<>();
        for (Level l : levels) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", l.name());
            row.put("count", sum.levels.getOrDefault(l.id(), 0L));
            byLevel.add(row);
        }
        m.put("byLevel", byLevel);
        m.put("contributed", sum.contributed);
        m.put("emailVerified", sum.emailVerified);
        Map<String, Object> genders = new LinkedHashMap<>();
        genders.put("male", sum.genders.getOrDefault("MALE", 0L));
        genders.put("female", sum.genders.getOrDefault("FEMALE", 0L));
        genders.put("preferNotIdentify", sum.genders.getOrDefault("PREFER_NOT", 0L));
        genders.put("selfDescribe", sum.genders.getOrDefault("SELF_DESCRIBE", 0L));
        m.put("genders", genders);
        return m;
    }
}
