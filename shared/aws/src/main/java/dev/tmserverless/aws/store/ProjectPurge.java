package dev.tmserverless.aws.store;

import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.core.catalogue.Resources;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Removes what a deleted project owned (docs/projects.md "Deleting a project"): every item of its partition but
 * the search tombstone (tasks, task shapes, archived history, chat, team links, jobs, the task-map pointer),
 * every user's favourite of it, and its objects in the bucket (AOI, task input, task-map snapshots). Nothing
 * outside the project's own keys is touched. It runs against a deadline: what is left when the deadline comes
 * is finished by the sweeper, found through a pending-purge item ({@code PURGE#<id>}, gsi1 {@code PURGES})
 * written before the project item is deleted, so a crash at any point leaves the work findable.
 */
@Singleton
public class ProjectPurge {
    private final DynamoDbClient ddb;
    private final String table;
    private final FavouriteStore favourites;
    private final BlobStore blobs;

    public ProjectPurge(DynamoDbClient ddb, TmConfig config, FavouriteStore favourites, BlobStore blobs) {
        this.ddb = ddb;
        this.table = config.table();
        this.favourites = favourites;
        this.blobs = blobs;
    }

    /** Records that the project's items are to be removed (before its item is deleted). */
    public void markPendingWriting(long projectId) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(purgeKey(projectId), Keys.META));
        item.put("projectId", Attr.n(projectId));
        item.put("gsi1pk", Attr.s(Keys.PURGES));
        item.put("gsi1sk", Attr.s(Keys.projectSort(projectId)));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    public void clearPendingWriting(long projectId) {
        ddb.deleteItem(b -> b.tableName(table).key(Attr.key(purgeKey(projectId), Keys.META)));
    }

    /** Projects whose removal is still pending (one gsi1 Query). */
    public List<Long> pending() {
        List<Long> out = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.PURGES))))) {
            for (var it : page.items()) out.add(Attr.lng(it, "projectId"));
        }
        return out;
    }

    /**
     * Removes the project's items and objects until done or {@code deadlineMillis}; true when nothing is left.
     * Call only once the project item is gone (a pending mark of a project that still exists is a delete that
     * lost its race: {@link #finishPendingWriting} drops it instead).
     */
    public boolean purgeWriting(long projectId, long deadlineMillis) {
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var res = ddb.query(b -> {
                b.tableName(table).keyConditionExpression("pk = :p").projectionExpression("pk, sk")
                        .expressionAttributeValues(Map.of(":p", Attr.s(Keys.project(projectId)))).limit(500);
                if (from != null) b.exclusiveStartKey(from);
            });
            List<WriteRequest> deletes = new ArrayList<>();
            for (var it : res.items()) {
                if (Keys.SEARCH.equals(Attr.str(it, "sk"))) continue; // the tombstone: expires by itself
                deletes.add(Dynamo.delete(Map.of("pk", it.get("pk"), "sk", it.get("sk"))));
            }
            Dynamo.batchWrite(ddb, table, deletes);
            start = res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty() ? res.lastEvaluatedKey() : null;
            if (start != null && System.currentTimeMillis() > deadlineMillis) return false;
        } while (start != null);
        favourites.removeAllOfProjectWriting(projectId);
        blobs.deleteAllWriting(BlobStore.projectPrefix(projectId));
        blobs.deleteAllWriting(Resources.LARGE_RESPONSES_PREFIX + "taskmaps/" + projectId + "/");
        return true;
    }

    /**
     * The sweeper's part: finishes each pending removal whose project item is gone, drops the mark of a project
     * that still exists. Returns how many were finished.
     */
    public int finishPendingWriting(long deadlineMillis) {
        int done = 0;
        for (long id : pending()) {
            if (System.currentTimeMillis() > deadlineMillis) break;
            var meta = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.project(id), Keys.META)).consistentRead(true)).item();
            if (meta != null && !meta.isEmpty()) {
                clearPendingWriting(id);
                continue;
            }
            if (purgeWriting(id, deadlineMillis)) {
                clearPendingWriting(id);
                done++;
            }
        }
        return done;
    }

    private static String purgeKey(long projectId) { return "PURGE#" + projectId; }
}
