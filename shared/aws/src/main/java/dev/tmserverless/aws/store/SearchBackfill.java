package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.domain.Organisation;
import dev.tmserverless.core.search.ProjectSummary;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the search summary of every project that has none (projects created before the search index existed),
 * without a scan: organisation by organisation (gsi1 {@code ORGS}), each organisation's projects (gsi1
 * {@code ORGPROJECTS#id}), one BatchGetItem of their summary items, and a summary written from the project item
 * for each one missing, on condition that there still is none. The sweeper runs it until it is done: its progress
 * (the last organisation finished) and its end are kept on {@code SYSTEM / SEARCHBACKFILL}, so it resumes after
 * a timeout and never runs again once finished for this summary layout. Projects of a deleted organisation are
 * not reached (docs/search.md "Projects written before the index").
 */
@Singleton
public class SearchBackfill {
    private final DynamoDbClient ddb;
    private final String table;
    private final OrgStore orgs;
    private final ProjectStore projects;

    public SearchBackfill(DynamoDbClient ddb, TmConfig config, OrgStore orgs, ProjectStore projects) {
        this.ddb = ddb;
        this.table = config.table();
        this.orgs = orgs;
        this.projects = projects;
    }

    /** Works until done or {@code deadlineMillis}; returns the number of summaries written, -1 if already done. */
    public int runWriting(long deadlineMillis) {
        var marker = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.SYSTEM, "SEARCHBACKFILL")).consistentRead(true)).item();
        if (marker != null && Attr.lng(marker, "doneLayout", -1) >= ProjectSummary.VERSION) return -1;
        long after = marker == null ? -1 : Attr.lng(marker, "afterOrg", -1);
        int written = 0;
        List<Organisation> all = new ArrayList<>(orgs.all());
        all.sort(Comparator.comparingLong(Organisation::id));
        for (Organisation o : all) {
            if (o.id() <= after) continue;
            if (System.currentTimeMillis() > deadlineMillis) return written;
            written += backfillOrganisation(o.id());
            long done = o.id();
            ddb.putItem(b -> b.tableName(table).item(Map.of("pk", Attr.s(Keys.SYSTEM), "sk", Attr.s("SEARCHBACKFILL"),
                    "afterOrg", Attr.n(done))));
        }
        ddb.putItem(b -> b.tableName(table).item(Map.of("pk", Attr.s(Keys.SYSTEM), "sk", Attr.s("SEARCHBACKFILL"),
                "doneLayout", Attr.n((long) ProjectSummary.VERSION))));
        return written;
    }

    private int backfillOrganisation(long orgId) {
        List<Long> ids = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :o")
                .expressionAttributeValues(Map.of(":o", Attr.s(Keys.orgProjects(orgId)))))) {
            for (var it : page.items()) ids.add(Long.parseLong(Attr.str(it, "pk").substring("PROJECT#".length())));
        }
        if (ids.isEmpty()) return 0;
        Set<Long> have = new HashSet<>();
        for (var it : Dynamo.batchGet(ddb, table, ids.stream().map(id -> Attr.key(Keys.project(id), Keys.SEARCH)).toList())) {
            have.add(Long.parseLong(Attr.str(it, "pk").substring("PROJECT#".length())));
        }
        int n = 0;
        for (ProjectStore.Stored st : projects.getAll(ids.stream().filter(id -> !have.contains(id)).toList())) {
            if (projects.putMissingSummaryWriting(st)) n++;
        }
        return n;
    }
}
