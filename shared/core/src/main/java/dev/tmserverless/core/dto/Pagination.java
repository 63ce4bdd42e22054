package dev.tmserverless.core.dto;

import java.util.LinkedHashMap;
import java.util.Map;

/** The reference's pagination object: pages = ceil(total / perPage), hasNext = page < pages, hasPrev = page > 1. */
public final class Pagination {
    private Pagination() {}

    public static Map<String, Object> of(int page, int perPage, long total) {
        long pages = perPage <= 0 ? 0 : (total + perPage - 1) / perPage;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("hasNext", page < pages);
        m.put("hasPrev", page > 1);
        m.put("nextNum", page < pages ? page + 1 : null);
        m.put("page", page);
        m.put("pages", pages);
        m.put("prevNum", page > 1 ? page - 1 : null);
        m.put("perPage", perPage);
        m.put("total", total);
        return m;
    }
}
