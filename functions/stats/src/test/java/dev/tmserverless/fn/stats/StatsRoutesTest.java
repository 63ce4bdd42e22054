package dev.tmserverless.fn.stats;

import dev.tmserverless.aws.store.InterestStore;
import dev.tmserverless.aws.store.UserStore;
import dev.tmserverless.core.domain.MappingLevel;
import dev.tmserverless.core.domain.Project;
import dev.tmserverless.core.domain.ProjectStatus;
import dev.tmserverless.core.domain.TaskMachine;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.fn.projects.ProjectsFunction;
import dev.tmserverless.fn.tasks.TasksFunction;
import dev.tmserverless.fn.users.UsersFunction;
import dev.tmserverless.testing.Api;
import dev.tmserverless.testing.Fixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static dev.tmserverless.testing.Api.call;
import static dev.tmserverless.testing.Api.token;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every statistics route through the function that serves it, after real changes went through the feed to the
 * aggregator: the reference's shapes and formulas, and its 404s and 400s.
 */
class StatsRoutesTest {
    static FeedHarness h;
    static StatsFunction stats;
    static TasksFunction tasks;
    static ProjectsFunction projects;
    static UsersFunction users;
    static Fixture fx;
    static User author;
    static User mapper;
    static Project p;
    static Project q;
    static Instant mappedAt;
    static User newcomer;
    static User veteran;
    static LocalDate veteranDay;
    static User renamed;
    static User top;

    @BeforeAll
    static void start() throws Exception {
        h = FeedHarness.start("stats-routes");
        stats = new StatsFunction();
        tasks = new TasksFunction();
        projects = new ProjectsFunction();
        users = new UsersFunction();
        fx = new Fixture(stats.getApplicationContext());
        h.feed(e -> stats.handleRequest(e, new Api.TestContext()));
        // an organisation with no project (the system summary reads the organisations when it is recomputed)
        fx.orgs.create("Idle org", "idle-org", null, null, null, null, List.of());
        author = fx.user("author-stats");
        mapper = fx.user("mapper-stats");
        p = fx.project(author, ProjectStatus.PUBLISHED, 4);
        var interests = stats.getApplicationContext().getBean(InterestStore.class);
        var disaster = interests.create("Disaster response");
        var health = interests.create("Health");
        interests.setForProject(p.id(), List.of(disaster.id(), health.id()));
        // the author holds task 1 for three seconds and marks it MAPPED (the task store's transition: counters
        // untouched, as in the reference's test)
        mappedAt = Instant.now().minusSeconds(60);
        var lock = TaskMachine.lockForMapping(fx.tasks.get(p.id(), 1).orElseThrow(), author.actor(),
                mappedAt.minusSeconds(3), Duration.ofHours(2));
        assertThat(fx.tasks.apply(lock)).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.unlockAfterMapping(fx.tasks.get(p.id(), 1).orElseThrow(),
                author.actor(), mappedAt, "MAPPED", null))).isTrue();
        // the mapper holds task 2 now, through the tasks function (lock slot and all)
        var locked = call(tasks, "POST", "/api/v2/projects/" + p.id() + "/tasks/actions/lock-for-mapping/2/",
                token(mapper.id()), null);
        assertThat(locked.status()).isEqualTo(200);
        // a second project (a draft of the same organisation) where the author held a task and stopped
        q = fx.project(author, ProjectStatus.DRAFT, List.of(
                new dev.tmserverless.aws.store.TaskStore.NewTask(dev.tmserverless.core.domain.Task.ready(0, 1, 1011, 1399, 11, true), null),
                new dev.tmserverless.aws.store.TaskStore.NewTask(dev.tmserverless.core.domain.Task.ready(0, 2, 1012, 1399, 11, true), null)),
                "", p.organisationId(), false, List.of());
        interests.setForProject(q.id(), List.of(disaster.id()));
        // (a hundred days ago: outside the popularity window, so the draft's locks do not make it popular)
        Instant draftWork = Instant.now().minus(Duration.ofDays(100));
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(q.id(), 1).orElseThrow(), author.actor(),
                draftWork, Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.stopMapping(fx.tasks.get(q.id(), 1).orElseThrow(), author.actor(),
                draftWork.plusSeconds(1), null))).isTrue();
        // registered today: an intermediate mapper who gave a gender, verified an address and mapped a project
        newcomer = fx.user("newcomer-stats");
        fx.users.updateProfileWrite(newcomer.id(), new UserStore.ProfileChanges(Map.of(), Map.of(), null, "FEMALE",
                null, null, "newcomer@example.org"));
        assertThat(fx.users.verifyEmailWrite(newcomer.id(), "newcomer@example.org")).isTrue();
        fx.users.addMappedProjectWrite(newcomer.id(), p.id());
        fx.users.setLevel(newcomer.id(), MappingLevel.INTERMEDIATE);
        // registered 400 days ago
        Instant longAgo = Instant.now().minus(Duration.ofDays(400));
        veteranDay = LocalDate.ofInstant(longAgo, ZoneOffset.UTC);
        veteran = fx.users.upsertOnLogin(7_700_001, "veteran-stats", null, null, false, longAgo);
        fx.users.updateProfileWrite(veteran.id(), new UserStore.ProfileChanges(Map.of(), Map.of(), null, "PREFER_NOT",
                null, null, null));
        // somebody who will be renamed, after five seconds on the draft's second task; somebody at the top level
        renamed = fx.user("before-rename");
        assertThat(fx.tasks.apply(TaskMachine.lockForMapping(fx.tasks.get(q.id(), 2).orElseThrow(), renamed.actor(),
                draftWork.minusSeconds(5), Duration.ofHours(2)))).isTrue();
        assertThat(fx.tasks.apply(TaskMachine.stopMapping(fx.tasks.get(q.id(), 2).orElseThrow(), renamed.actor(),
                draftWork, null))).isTrue();
        top = fx.user("top-stats");
        fx.users.setLevel(top.id(), MappingLevel.ADVANCED);
        h.caughtUp();
    }

    @AfterAll
    static void stop() {
        h.close();
        stats.close();
        tasks.close();
        projects.close();
        users.close();
    }

    @Test
    void projectStatisticsFollowTheReferenceFormulas() {
        assertThat(call(projects, "GET", "/api/v2/projects/99999/statistics/", null, null).status()).isEqualTo(404);
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/", null, null);
        assertThat(s.status()).isEqualTo(200);
        var j = s.json();
        assertThat(j.get("projectId").asLong()).isEqualTo(p.id());
        assertThat(j.get("totalTasks").asInt()).isEqualTo(4);
        assertThat(j.get("totalMappers").asInt()).isEqualTo(1);
        assertThat(j.get("totalMappingTime").asInt()).isEqualTo(3);
        assertThat(j.get("totalTimeSpent").asInt()).isEqualTo(3);
        // two mapping lock rows: the ended one (3 s) and the mapper's open one
        assertThat(j.get("averageMappingTime").asInt()).isEqualTo(1);
        assertThat(j.get("timeToFinishMapping").asInt()).isEqualTo(4);
        assertThat(j.get("timeToFinishValidating").asInt()).isZero();
        assertThat(j.get("aoiCentroid").get("type").asText()).isEqualTo("Point");
        assertThat(j.has("projectArea(in sq.km)")).isTrue();
        assertThat(j.has("percentMapped") && j.has("percentValidated") && j.has("percentBadImagery")).isTrue();
    }

    @Test
    void aUsersTimeInAProjectComesFromTheirLockRows() {
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/queries/" + author.username() + "/", null, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("timeSpentMapping").asInt()).isEqualTo(3);
        assertThat(s.json().get("timeSpentValidating").asInt()).isZero();
        assertThat(s.json().get("totalTimeSpent").asInt()).isEqualTo(3);
        assertThat(call(projects, "GET", "/api/v2/projects/99999/statistics/queries/" + author.username() + "/", null, null)
                .status()).isEqualTo(404);
        assertThat(call(projects, "GET", "/api/v2/projects/" + p.id() + "/statistics/queries/nobody-at-all/", null, null)
                .status()).isEqualTo(404);
    }

    @Test
    void theContributionsTimelineCountsTheMappedTaskOnItsDay() {
        var s = call(projects, "GET", "/api/v2/projects/" + p.id() + "/contributions/queries/day/", null, null);
        assertThat(s.status()).isEqualTo(200);
        var day = s.json().get("stats").get(0);
        assertThat(day.get("date").asText()).isEqualTo(LocalDate.ofInstant(mappedAt, ZoneOffset.UTC).toString());
        assertThat(day.get("mapped").asInt()).isEqualTo(1);
        assertThat(day.get("cumulative_mapped").asInt()).isEqualTo(1);
        assertThat(day.get("cumulative_validated").asInt()).isZero();
        assertThat(day.get("total_tasks").asInt()).isEqualTo(4);
    }

    @Test
    void userStatisticsNeedALoginAndCountTheUsersWork() {
        String path = "/api/v2/users/" + author.username() + "/statistics/";
        assertThat(call(users, "GET", path, null, null).status()).isEqualTo(401);
        var s = call(users, "GET", path, token(mapper.id()), null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("tasksMapped").asInt()).isEqualTo(1);
        assertThat(s.json().get("projectsMapped").asInt()).isEqualTo(1);
        // three seconds on the mapped task, one on the draft's task
        assertThat(s.json().get("timeSpentMapping").asInt()).isEqualTo(4);
        assertThat(s.json().get("totalTimeSpent").asInt()).isEqualTo(4);
        assertThat(s.json().get("contributionsByDay").get(0).get("count").asInt()).isEqualTo(1);
        // the interests of the two projects the author worked in, most projects first
        var byInterest = s.json().get("ContributionsByInterest");
        assertThat(byInterest).hasSize(2);
        assertThat(byInterest.get(0).get("name").asText()).isEqualTo("Disaster response");
        assertThat(byInterest.get(0).get("countProjects").asInt()).isEqualTo(2);
        assertThat(byInterest.get(1).get("name").asText()).isEqualTo("Health");
        assertThat(byInterest.get(1).get("countProjects").asInt()).isEqualTo(1);
        assertThat(call(users, "GET", "/api/v2/users/nobody-at-all/statistics/", token(mapper.id()), null).status()).isEqualTo(404);
    }

    @Test
    void theHomePageCountsProjectsMappersAndWhoIsOnline() {
        var abbreviated = call(users, "GET", "/api/v2/system/statistics/", null, null).json();
        assertThat(abbreviated.get("totalProjects").asInt()).isEqualTo(2);
        assertThat(abbreviated.get("mappersOnline").asInt()).isEqualTo(1);
        assertThat(abbreviated.get("totalMappers").asInt()).isEqualTo(6);
        assertThat(abbreviated.has("totalValidators")).isFalse();
        var full = call(users, "GET", "/api/v2/system/statistics/?abbreviated=false", null, null).json();
        assertThat(full.get("totalValidators").asInt()).isZero();
        // p and the draft, in one organisation
        List<Integer> created = new java.util.ArrayList<>();
        full.get("organisations").forEach(o -> created.add(o.get("projectsCreated").asInt()));
        assertThat(created).containsExactly(2, 1);
        // as the reference: "Unassociated" counts the organisations with no project, and every organisation counts
        assertThat(full.get("organisations").get(1).get("organisation").asText()).isEqualTo("Unassociated");
        assertThat(full.get("totalOrganisations").asInt()).isEqualTo(2);
        // no campaign here: every project is in none
        assertThat(full.get("campaigns")).hasSize(1);
        assertThat(full.get("campaigns").get(0).get("campaign").asText()).isEqualTo("Unassociated");
        assertThat(full.get("campaigns").get(0).get("projectsCreated").asInt()).isEqualTo(2);
        assertThat(full.get("totalCampaigns").asInt()).isZero();
    }

    @Test
    void organisationStatisticsCountItsProjectsAndTheirTasks() {
        var s = call(users, "GET", "/api/v2/organisations/" + p.organisationId() + "/statistics/", null, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.json().get("projects").get("published").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("mapped").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("lockedForMapping").asInt()).isEqualTo(1);
        assertThat(s.json().get("activeTasks").get("ready").asInt()).isEqualTo(2);
        assertThat(call(users, "GET", "/api/v2/organisations/999999/statistics/", null, null).status()).isEqualTo(404);
        // (those figures followed the locks through the organisation's own summary; the system summary keeps only a
        // digest of them, so that its size does not grow with the projects)
        var system = stats.getApplicationContext().getBean(dev.tmserverless.aws.store.StatsStore.class).system().orElseThrow();
        assertThat(system.orgs).isEmpty();
        assertThat(system.orgDigests).containsKey(p.organisationId());
        // the organisations list carries the same figures (this year's) when asked for them
        var list = call(users, "GET", "/api/v2/organisations/?omitOrgStats=false", null, null).json().get("organisations");
        var mine = java.util.stream.StreamSupport.stream(list.spliterator(), false)
                .filter(o -> o.get("organisationId").asLong() == p.organisationId()).findFirst().orElseThrow();
        assertThat(mine.get("stats").get("projects").get("published").asInt()).isEqualTo(1);
        assertThat(mine.get("stats").get("activeTasks").get("mapped").asInt()).isEqualTo(1);
        var plain = call(users, "GET", "/api/v2/organisations/", null, null).json().get("organisations");
        assertThat(plain.get(0).get("stats").isNull()).isTrue();
    }

    @Test
    void aProjectsCountriesAreCreditedToItsContributorsAndFilterTheTaskStatistics() throws Exception {
        String path = "/api/v2/users/" + author.username() + "/statistics/";
        String tk = token(mapper.id());
        String day = LocalDate.ofInstant(mappedAt, ZoneOffset.UTC).toString();
        String taskStats = "/api/v2/tasks/statistics/?startDate=" + day + "&endDate=" + day + "&country=";
        // the project's managers give it two countries (the project item's write, as a PATCH makes it)
        var stored = fx.projects.get(p.id()).orElseThrow();
        var doc = (com.fasterxml.jackson.databind.node.ObjectNode) dev.tmserverless.aws.http.Json.MAPPER.valueToTree(stored.project());
        doc.set("countryTag", dev.tmserverless.aws.http.Json.MAPPER.valueToTree(List.of("Uganda", "Kenya")));
        assertThat(fx.projects.update(dev.tmserverless.aws.http.Json.MAPPER.convertValue(doc, Project.class), stored.version())).isTrue();
        h.caughtUp();
        // the author's MAPPED row in p counts for both countries; the draft has none and counts for nothing
        var countries = call(users, "GET", path, tk, null).json().get("countriesContributed");
        assertThat(countries.get("total").asInt()).isEqualTo(2);
        assertThat(countries.get("countries")).hasSize(2);
        var kenya = countries.get("countries").get(0);
        assertThat(kenya.get("name").asText()).isEqualTo("Kenya");
        assertThat(kenya.get("mapped").asInt()).isEqualTo(1);
        assertThat(kenya.get("validated").asInt()).isZero();
        assertThat(kenya.get("total").asInt()).isEqualTo(1);
        assertThat(countries.get("countries").get(1).get("name").asText()).isEqualTo("Uganda");
        // the filter keeps the projects with a country whose name contains it, any case
        assertThat(call(tasks, "GET", taskStats + "kEnY", tk, null).json().get("taskStats")).hasSize(1);
        assertThat(call(tasks, "GET", taskStats + "Chile", tk, null).json().get("taskStats")).isEmpty();
        assertThat(call(tasks, "GET", taskStats + "Kenya&projectId=" + q.id(), tk, null).json().get("taskStats")).isEmpty();
        // a mapper with no state change anywhere has no country
        assertThat(call(users, "GET", "/api/v2/users/" + mapper.username() + "/statistics/", tk, null).json()
                .get("countriesContributed").get("countries")).isEmpty();
    }

    @Test
    void taskStatisticsByDayWithTheReferencesRefusals() {
        String day = LocalDate.ofInstant(mappedAt, ZoneOffset.UTC).toString();
        String base = "/api/v2/tasks/statistics/";
        String tk = token(mapper.id());
        assertThat(call(tasks, "GET", base + "?startDate=" + day, null, null).status()).isEqualTo(401);
        assertThat(call(tasks, "GET", base, tk, null).status()).isEqualTo(422);
        var bad = call(tasks, "GET", base + "?startDate=yesterday", tk, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidDateValue");
        var reversed = call(tasks, "GET", base + "?startDate=2024-02-02&endDate=2024-02-01", tk, null);
        assertThat(reversed.subCode()).isEqualTo("InvalidDateRange");
        assertThat(reversed.error()).isEqualTo(" Start date must be earlier than end date");
        var tooLong = call(tasks, "GET", base + "?startDate=2022-01-01&endDate=2024-01-01", tk, null);
        assertThat(tooLong.error()).isEqualTo(" Date range cannot be greater than 1 year");
        var s = call(tasks, "GET", base + "?startDate=" + day + "&endDate=" + day, tk, null);
        assertThat(s.status()).isEqualTo(200);
        var row = s.json().get("taskStats").get(0);
        assertThat(row.get("date").asText()).isEqualTo(day);
        assertThat(row.get("mapped").asInt()).isEqualTo(1);
        assertThat(row.get("validated").asInt()).isZero();
        assertThat(row.get("badImagery").asInt()).isZero();
        assertThat(call(tasks, "GET", base + "?startDate=" + day + "&projectId=999999", tk, null).json()
                .get("taskStats")).isEmpty();
        assertThat(call(tasks, "GET", base + "?startDate=" + day + "&organisationId=" + p.organisationId(), tk, null).json()
                .get("taskStats")).hasSize(1);
    }

    @Test
    void registrationsCountTheUsersOfTheDaysAsTheyAreNow() {
        String base = "/api/v2/users/statistics/";
        String tk = token(mapper.id());
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        assertThat(call(users, "GET", base + "?startDate=" + today, null, null).status()).isEqualTo(401);
        assertThat(call(users, "GET", base, tk, null).status()).isEqualTo(422);
        var bad = call(users, "GET", base + "?startDate=last-week", tk, null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.subCode()).isEqualTo("InvalidDateValue");
        var reversed = call(users, "GET", base + "?startDate=2024-02-02&endDate=2024-02-01", tk, null);
        assertThat(reversed.status()).isEqualTo(400);
        assertThat(reversed.subCode()).isEqualTo("InvalidDateRange");
        // three years of 366 days are allowed, a day more is not
        assertThat(call(users, "GET", base + "?startDate=2021-01-01&endDate=2024-01-04", tk, null).status()).isEqualTo(200);
        var tooLong = call(users, "GET", base + "?startDate=2021-01-01&endDate=2024-01-05", tk, null);
        assertThat(tooLong.subCode()).isEqualTo("InvalidDateRange");
        assertThat(tooLong.error()).isEqualTo(" Date range can not be bigger than 1 year");

        // today (the default end): the author, the mapper, the newcomer, the renamed and the top-level users
        var s = call(users, "GET", base + "?startDate=" + today, tk, null);
        assertThat(s.status()).isEqualTo(200);
        var j = s.json();
        assertThat(j.get("total").asInt()).isEqualTo(5);
        // the author mapped a task of the first project; the newcomer's profile names a mapped project
        assertThat(j.get("contributed").asInt()).isEqualTo(2);
        assertThat(j.get("emailVerified").asInt()).isEqualTo(1);
        assertThat(j.get("byLevel").get(0).get("name").asText()).isEqualTo("BEGINNER");
        assertThat(j.get("byLevel").get(0).get("count").asInt()).isEqualTo(3);
        assertThat(j.get("byLevel").get(1).get("name").asText()).isEqualTo("INTERMEDIATE");
        assertThat(j.get("byLevel").get(1).get("count").asInt()).isEqualTo(1);
        assertThat(j.get("byLevel").get(2).get("name").asText()).isEqualTo("ADVANCED");
        assertThat(j.get("byLevel").get(2).get("count").asInt()).isEqualTo(1);
        assertThat(j.get("genders").get("female").asInt()).isEqualTo(1);
        assertThat(j.get("genders").get("male").asInt()).isZero();
        assertThat(j.get("genders").get("preferNotIdentify").asInt()).isZero();
        assertThat(j.get("genders").get("selfDescribe").asInt()).isZero();

        // the veteran's day alone, and a range that holds both days
        var then = call(users, "GET", base + "?startDate=" + veteranDay + "&endDate=" + veteranDay, tk, null).json();
        assertThat(then.get("total").asInt()).isEqualTo(1);
        assertThat(then.get("genders").get("preferNotIdentify").asInt()).isEqualTo(1);
        var both = call(users, "GET", base + "?startDate=" + veteranDay.minusDays(1) + "&endDate=" + today, tk, null).json();
        assertThat(both.get("total").asInt()).isEqualTo(6);
        var none = call(users, "GET", base + "?startDate=" + veteranDay.plusDays(1) + "&endDate="
                + LocalDate.now(ZoneOffset.UTC).minusDays(1), tk, null).json();
        assertThat(none.get("total").asInt()).isZero();
        assertThat(none.get("byLevel")).hasSize(3);
    }

    @Test
    void theNextLevelAddsUpTheStatisticsItsBadgesRequire() throws Exception {
        String base = "/api/v2/users/statistics/nextlevel/";
        String tk = token(mapper.id());
        assertThat(call(users, "GET", base + "?userId=" + author.id(), null, null).status()).isEqualTo(401);
        assertThat(call(users, "GET", base + "?userId=99999999", tk, null).status()).isEqualTo(404);
        assertThat(call(users, "GET", base + "?userId=abc", tk, null).status()).isEqualTo(422);
        var ctx = stats.getApplicationContext();
        var badges = ctx.getBean(dev.tmserverless.aws.store.BadgeStore.class);
        var levels = ctx.getBean(dev.tmserverless.aws.store.LevelStore.class);
        var changesets = badges.create("Changesets", "", "", "{\"changesets\": 250}", true, false);
        var roads = badges.create("Roads", "", "", "{\"roads\": 100, \"changesets\": 50}", true, false);
        var intermediate = levels.get(MappingLevel.INTERMEDIATE.id).orElseThrow();
        assertThat(levels.update(new dev.tmserverless.aws.store.LevelStore.Level(intermediate.id(), intermediate.name(),
                intermediate.approvalsRequired(), intermediate.color(), intermediate.beginner(),
                java.util.Set.of(changesets.id(), roads.id()), intermediate.users()))).isPresent();
        fx.users.recordStatsWrite(author.id(), Map.of("changesets", 120L, "roads", 30L, "buildings", 999L), Instant.now());

        var next = call(users, "GET", base + "?userId=" + author.id(), tk, null);
        assertThat(next.status()).isEqualTo(200);
        assertThat(next.json().get("nextLevel").asText()).isEqualTo("INTERMEDIATE");
        assertThat(next.json().get("aggregatedGoal").asDouble()).isEqualTo(400.0);
        assertThat(next.json().get("aggregatedProgress").asDouble()).isEqualTo(150.0);
        assertThat(next.json().get("metrics")).extracting(com.fasterxml.jackson.databind.JsonNode::asText)
                .containsExactlyInAnyOrder("changesets", "roads");
        // at the top of the ladder there is no next level
        var none = call(users, "GET", base + "?userId=" + top.id(), tk, null);
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.body()).isEqualTo("null");
    }

    @Test
    void interestRatesShareOutTheInterestsOfTheProjectsWorkedIn() {
        String tk = token(mapper.id());
        String path = "/api/v2/users/" + author.id() + "/statistics/interests/";
        assertThat(call(users, "GET", path, null, null).status()).isEqualTo(401);
        // the author worked in both projects: three interest links, two of them Disaster response
        var rates = call(users, "GET", path, tk, null);
        assertThat(rates.status()).isEqualTo(200);
        Map<String, Double> byName = new java.util.TreeMap<>();
        rates.json().get("rates").forEach(r -> byName.put(r.get("name").asText(), r.get("rate").asDouble()));
        assertThat(byName).containsOnlyKeys("Disaster response", "Health");
        assertThat(byName.get("Disaster response")).isCloseTo(2 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(byName.get("Health")).isCloseTo(1 / 3.0, org.assertj.core.data.Offset.offset(1e-9));
        // the mapper only in the first: half and half; somebody who worked nowhere: none
        var mappers = call(users, "GET", "/api/v2/users/" + mapper.id() + "/statistics/interests/", tk, null).json().get("rates");
        assertThat(mappers).hasSize(2);
        mappers.forEach(r -> assertThat(r.get("rate").asDouble()).isEqualTo(0.5));
        assertThat(call(users, "GET", "/api/v2/users/" + veteran.id() + "/statistics/interests/", tk, null).json()
                .get("rates")).isEmpty();
        assertThat(call(users, "GET", "/api/v2/users/abc/statistics/interests/", tk, null).status()).isEqualTo(404);
    }

    @Test
    void aRenamedUsersStatisticsFollowTheirNewName() throws Exception {
        String tk = token(mapper.id());
        assertThat(call(users, "GET", "/api/v2/users/" + renamed.username() + "/statistics/", tk, null).json()
                .get("timeSpentMapping").asInt()).isEqualTo(5);
        // the next login brings another OSM name
        fx.users.upsertOnLogin(renamed.id(), "after-rename-" + renamed.id(), null, null, false, Instant.now());
        h.caughtUp();
        assertThat(call(users, "GET", "/api/v2/users/after-rename-" + renamed.id() + "/statistics/", tk, null).json()
                .get("timeSpentMapping").asInt()).isEqualTo(5);
        assertThat(call(users, "GET", "/api/v2/users/" + renamed.username() + "/statistics/", tk, null).status())
                .isEqualTo(404);
    }

    @Test
    void theReconciliationRebuildsRegistrationsFromTheUsersDirectory() {
        String tk = token(mapper.id());
        String path = "/api/v2/users/statistics/?startDate=" + veteranDay.minusDays(1);
        var before = call(users, "GET", path, tk, null).json();
        // drift: a day's totals and a user's entry lost
        var ddb = dev.tmserverless.emulators.Emulators.shared().dynamoDb();
        String table = h.isolated.table();
        ddb.deleteItem(b -> b.tableName(table).key(Map.of("pk", ReplayTest.av("STAT#REGDAYS"),
                "sk", ReplayTest.av(LocalDate.now(ZoneOffset.UTC).toString()))));
        ddb.deleteItem(b -> b.tableName(table).key(Map.of("pk", ReplayTest.av("STAT#REG#" + veteranDay),
                "sk", ReplayTest.av(Long.toString(veteran.id())))));
        ddb.updateItem(b -> b.tableName(table).key(Map.of("pk", ReplayTest.av("STAT#REGDAYS"), "sk", ReplayTest.av(veteranDay.toString())))
                .updateExpression("SET d = :d").expressionAttributeValues(Map.of(":d", ReplayTest.av("{\"total\":7}"))));
        assertThat(call(users, "GET", path, tk, null).json()).isNotEqualTo(before);
        stats.getApplicationContext().getBean(Reconciler.class).runWriting();
        assertThat(call(users, "GET", path, tk, null).json()).isEqualTo(before);
    }
}
