package dev.tmserverless.fn.tasks;

import dev.tmserverless.aws.store.ProjectAccess;
import dev.tmserverless.aws.store.ProjectStore;
import dev.tmserverless.aws.store.Splits;
import dev.tmserverless.aws.store.TaskStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.aws.store.UserTasks;
import dev.tmserverless.core.domain.HistoryEntry;
import dev.tmserverless.core.domain.Permissions;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.Task;
import dev.tmserverless.core.domain.TaskAction;
import dev.tmserverless.core.domain.TaskStatus;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.dto.Pagination;
import dev.tmserverless.core.dto.TaskDto;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The workflow's reads about people: who mapped what in a project ({@code tasks/queries/mapped/}), the tasks a user
 * has touched ({@code /users/{id}/tasks/}) and the invalidations that concern a user
 * ({@code /projects/{username}/tasks/queries/own/invalidated/}). The last two read the user's contribution items
 * ({@link UserTasks}, docs/workflow.md "A user's tasks and counters"), never the projects' tasks as a whole.
 */
@Singleton
public class UserTaskReads {
    private final Splits splits;
    private final TaskStore tasks;
    private final UserStore users;
    private final UserTasks userTasks;
    private final ProjectStore projects;
    private final ProjectAccess access;
    private final Duration lockFor;

    public UserTaskReads(Splits splits, TaskStore tasks, UserStore users, UserTasks userTasks, ProjectStore projects,
                         ProjectAccess access, TaskService service) {
        this.splits = splits;
        this.tasks = tasks;
        this.users = users;
        this.userTasks = userTasks;
        this.projects = projects;
        this.access = access;
        this.lockFor = service.lockDuration();
    }

    /**
     * The project's tasks that are MAPPED now, grouped by who mapped them (users by name): their ids, how many, the
     * newest MAPPED row among them ({@code lastSeen}), the mapper's level, registration and last validation date.
     */
    public Map<String, Object> mapped(long projectId, User caller) {
        access.visible(projectId, caller);
        Instant now = Instant.now();
        Map<Long, List<Integer>> byMapper = new TreeMap<>();
        Map<Long, Instant> lastSeen = new HashMap<>();
        for (Task stored : splits.listTasks(projectId)) {
            Task t = stored.effective(now);
            if (t.status() != TaskStatus.MAPPED || t.mappedBy() == null) continue;
            byMapper.computeIfAbsent(t.mappedBy(), k -> new ArrayList<>()).add(t.taskId());
            for (HistoryEntry e : t.history()) {
                if (e.action() == TaskAction.STATE_CHANGE && "MAPPED".equals(e.actionText())) {
                    lastSeen.merge(t.mappedBy(), e.actionDate(), (a, b) -> a.isAfter(b) ? a : b);
                }
            }
        }
        Map<Long, User> people = users.getAll(byMapper.keySet());
        Map<Long, UserTasks.Stats> stats = userTasks.stats(byMapper.keySet());
        List<Map<String, Object>> out = new ArrayList<>();
        for (var e : byMapper.entrySet()) {
            User u = people.get(e.getKey());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", u == null ? null : u.username());
            m.put("mappedTaskCount", e.getValue().size());
            m.put("tasksMapped", e.getValue().stream().sorted().toList());
            m.put("lastSeen", lastSeen.get(e.getKey()));
            m.put("mappingLevel", u == null ? null : u.mappingLevel().name());
            m.put("dateRegistered", u == null ? null : u.dateRegistered());
            m.put("lastValidationDate", stats.getOrDefault(e.getKey(), UserTasks.Stats.NONE).lastValidationDate());
            out.add(m);
        }
        out.sort(Comparator.comparing(m -> String.valueOf(m.get("username")).toLowerCase(Locale.ROOT)));
        return Map.of("mappedTasks", out);
    }

    /** The query of {@code GET /users/{id}/tasks/}, checked before anything is read. */
    public record UserTasksQuery(String status, ProjectStatus projectStatus, Long projectId, Instant start, Instant end,
                                 String sortBy, int page, int pageSize) {
        static final List<String> SORTS = List.of("-action_date", "action_date", "project_id", "-project_id");

        static UserTasksQuery from(Map<String, String> q) {
            String status = q.get("status");
            if (status != null && !status.isBlank()) {
                status = UserTasks.statusName(status).orElseThrow(() ->
                        new ApiException(ErrorCode.INVALID_DATA, "status must be a task status name"));
            } else status = null;
            ProjectStatus ps = null;
            String psText = q.get("project_status");
            if (psText != null && !psText.isBlank()) {
                try {
                    ps = ProjectStatus.valueOf(psText.trim().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new ApiException(ErrorCode.INVALID_DATA, "project_status must be DRAFT, PUBLISHED or ARCHIVED");
                }
            }
            Long projectId = number(q.get("project_id"), "project_id", 1, Long.MAX_VALUE);
            String sort = q.getOrDefault("sort_by", "-action_date");
            if (sort == null || sort.isBlank()) sort = "-action_date";
            if (!SORTS.contains(sort)) throw new ApiException(ErrorCode.INVALID_DATA, "sort_by must be one of " + SORTS);
            Long page = number(q.get("page"), "page", 1, 1_000_000);
            Long size = number(q.get("page_size"), "page_size", 1, 1_000);
            return new UserTasksQuery(status, ps, projectId, date(q.get("start_date"), "start_date", false),
                    date(q.get("end_date"), "end_date", true), sort, page == null ? 1 : page.intValue(),
                    size == null ? 10 : size.intValue());
        }

        private static Long number(String s, String name, long min, long max) {
            if (s == null || s.isBlank()) return null;
            try {
                long n = Long.parseLong(s.trim());
                if (n < min || n > max) throw new NumberFormatException();
                return n;
            } catch (NumberFormatException e) {
                throw new ApiException(ErrorCode.INVALID_DATA, name + " must be a whole number from " + min + " to " + max);
            }
        }

        /** An ISO date (a whole day: its start, or for an end its last instant) or an ISO date-time. */
        private static Instant date(String s, String name, boolean end) {
            if (s == null || s.isBlank()) return null;
            String v = s.trim();
            try {
                if (v.length() == 10) {
                    LocalDate d = LocalDate.parse(v);
                    return end ? d.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC).minusMillis(1)
                            : d.atStartOfDay().toInstant(ZoneOffset.UTC);
                }
                try {
                    return OffsetDateTime.parse(v).toInstant();
                } catch (DateTimeParseException e) {
                    return java.time.LocalDateTime.parse(v).toInstant(ZoneOffset.UTC);
                }
            } catch (DateTimeParseException e) {
                throw new ApiException(ErrorCode.INVALID_DATA, name + " must be an ISO date (2024-05-31) or date-time");
            }
        }
    }

    /**
     * The tasks a user has touched, newest action first by default, each as a TaskDTO with the date of the user's
     * newest row on it ({@code lastUpdated}; with a status filter, of their newest STATE_CHANGE to that status) and
     * its number of comments; {@code taskHistory} is empty, as in the reference.
     */
    public Map<String, Object> userTasks(long userId, UserTasksQuery q, User caller) {
        if (users.get(userId).isEmpty()) {
            throw new ApiException(ErrorCode.USER_NOT_FOUND, ErrorCode.USER_NOT_FOUND.message, Map.of("user_id", userId));
        }
        record Row(UserTasks.Contribution c, Instant date) {}
        List<Row> rows = new ArrayList<>();
        Map<Long, Optional<Project>> projectsById = new HashMap<>();
        for (UserTasks.Contribution c : userTasks.contributions(userId)) {
            Instant date = q.status() == null ? c.last() : c.statusDates().get(q.status());
            if (date == null) continue;
            if (q.start() != null && date.isBefore(q.start())) continue;
            if (q.end() != null && date.isAfter(q.end())) continue;
            if (q.projectId() != null && c.projectId() != q.projectId()) continue;
            Optional<Project> p = projectsById.computeIfAbsent(c.projectId(),
                    id -> projects.get(id).map(ProjectStore.Stored::project));
            if (p.isEmpty() || !Permissions.showsOthersTasks(caller, userId, p.get())) continue;
            if (q.projectStatus() != null && p.get().status() != q.projectStatus()) continue;
            rows.add(new Row(c, date));
        }
        Comparator<Row> byDate = Comparator.comparing(Row::date);
        Comparator<Row> byProject = Comparator.comparingLong((Row r) -> r.c().projectId()).thenComparingInt(r -> r.c().taskId());
        rows.sort(switch (q.sortBy()) {
            case "action_date" -> byDate;
            case "project_id" -> byProject;
            case "-project_id" -> byProject.reversed();
            default -> byDate.reversed();
        });
        int from = (int) Math.min(rows.size(), (long) (q.page() - 1) * q.pageSize());
        List<Row> shown = rows.subList(from, Math.min(rows.size(), from + q.pageSize()));
        Instant now = Instant.now();
        List<Object> out = new ArrayList<>();
        for (Row r : shown) {
            Optional<Task> stored = tasks.get(r.c().projectId(), r.c().taskId());
            if (stored.isEmpty() || stored.get().status() == TaskStatus.SPLIT) continue; // split or deleted since
            Task t = stored.get().effective(now);
            TaskDto d = TaskDto.of(t, null, lockFor.toSeconds());
            out.add(new TaskDto(d.taskId(), d.projectId(), d.taskStatus(), d.lockHolder(), List.of(), d.taskAnnotation(),
                    null, d.autoUnlockSeconds(), r.date(), tasks.commentCount(t)));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("tasks", out);
        body.put("pagination", Pagination.of(q.page(), q.pageSize(), rows.size()));
        return body;
    }

    /**
     * Invalidations that concern a user: of tasks they mapped (or, {@code asValidator}, that they invalidated),
     * each with the INVALIDATED row's id and date and whether it is closed (the task was validated, or invalidated
     * again, since). {@code closed}, {@code project}, {@code sortBy} (updatedDate, projectId), {@code sortDirection}
     * (asc, desc), {@code page}, {@code pageSize} as in the reference.
     */
    public Map<String, Object> invalidated(String username, Map<String, String> q, String locale) {
        User u = users.byUsername(username).orElseThrow(() -> new ApiException(ErrorCode.USER_NOT_FOUND,
                ErrorCode.USER_NOT_FOUND.message, Map.of("username", username)));
        boolean asValidator = "true".equals(q.get("asValidator"));
        Boolean closed = "true".equals(q.get("closed")) ? Boolean.TRUE : "false".equals(q.get("closed")) ? Boolean.FALSE : null;
        Long project = UserTasksQuery.number(q.get("project"), "project", 1, Long.MAX_VALUE);
        Long page = UserTasksQuery.number(q.get("page"), "page", 1, 1_000_000);
        Long size = UserTasksQuery.number(q.get("pageSize"), "pageSize", 1, 1_000);
        boolean byProject = "projectId".equals(q.get("sortBy"));
        boolean asc = "asc".equals(q.get("sortDirection"));
        record Inv(long projectId, int taskId, int rowId, Instant at) {}
        List<Inv> found = new ArrayList<>();
        for (UserTasks.Contribution c : userTasks.contributions(u.id())) {
            if (project != null && c.projectId() != project) continue;
            if (asValidator) {
                Instant at = c.statusDates().get("INVALIDATED");
                Integer row = c.statusRows().get("INVALIDATED");
                if (at != null && row != null) found.add(new Inv(c.projectId(), c.taskId(), row, at));
            } else if (c.invalidatedAt() != null && c.invalidatedRow() != null) {
                found.add(new Inv(c.projectId(), c.taskId(), c.invalidatedRow(), c.invalidatedAt()));
            }
        }
        Instant now = Instant.now();
        Map<Long, String> names = new HashMap<>();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Inv i : found) {
            Task t = tasks.get(i.projectId(), i.taskId()).map(x -> x.effective(now)).orElse(null);
            if (t == null) continue;
            boolean isClosed = closedSince(t, i.rowId());
            if (closed != null && closed != isClosed) continue;
            String name = names.computeIfAbsent(i.projectId(), id -> projects.get(id)
                    .map(s -> s.project().info(locale).name()).orElse(null));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("taskId", i.taskId());
            m.put("projectId", i.projectId());
            m.put("projectName", name);
            m.put("historyId", i.rowId());
            m.put("closed", isClosed);
            m.put("updatedDate", i.at());
            rows.add(m);
        }
        Comparator<Map<String, Object>> order = byProject
                ? Comparator.comparingLong(m -> (Long) m.get("projectId"))
                : Comparator.comparing(m -> (Instant) m.get("updatedDate"));
        rows.sort(asc ? order : order.reversed());
        int p = page == null ? 1 : page.intValue();
        int n = size == null ? 10 : size.intValue();
        int from = (int) Math.min(rows.size(), (long) (p - 1) * n);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("invalidatedTasks", rows.subList(from, Math.min(rows.size(), from + n)));
        body.put("pagination", Pagination.of(p, n, rows.size()));
        return body;
    }

    /**
     * An invalidation (its INVALIDATED row) is closed once the task was validated after it or invalidated again: its
     * newest STATE_CHANGE rows (which the task item always keeps) show a later VALIDATED or INVALIDATED.
     */
    private static boolean closedSince(Task t, int invalidatedRow) {
        for (HistoryEntry e : t.history()) {
            if (e.id() > invalidatedRow && e.action() == TaskAction.STATE_CHANGE
                    && ("VALIDATED".equals(e.actionText()) || "INVALIDATED".equals(e.actionText()))) return true;
        }
        return t.status() == TaskStatus.VALIDATED;
    }
}
