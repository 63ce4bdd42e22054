package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's favourite projects: one item per (user, project) under the user ({@code USER#u / FAV#<project>}),
 * indexed by project in gsi1 ({@code PROJECTFAVS#p}) so that deleting a project finds every user's favourite.
 */
@Singleton
public class FavouriteStore {
    private final DynamoDbClient ddb;
    private final String table;

    public FavouriteStore(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public boolean isFavourite(long userId, long projectId) {
        var item = ddb.getItem(b -> b.tableName(table).key(Attr.key(Keys.user(userId), Keys.favourite(projectId)))
                .consistentRead(true)).item();
        return item != null && !item.isEmpty();
    }

    /** Marks the project a favourite of the user (idempotent). */
    public void addWriting(long userId, long projectId) {
        Map<String, AttributeValue> item = new HashMap<>(Attr.key(Keys.user(userId), Keys.favourite(projectId)));
        item.put("userId", Attr.n(userId));
        item.put("projectId", Attr.n(projectId));
        item.put("gsi1pk", Attr.s(Keys.projectFavourites(projectId)));
        item.put("gsi1sk", Attr.s(Keys.user(userId)));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    /** Removes the favourite; false if it was not one. */
    public boolean removeWriting(long userId, long projectId) {
        return Dynamo.conditionally(() -> ddb.deleteItem(b -> b.tableName(table)
                .key(Attr.key(Keys.user(userId), Keys.favourite(projectId))).conditionExpression("attribute_exists(pk)")));
    }

    /** The user's favourite project ids, oldest project first (one paged Query of the user's partition). */
    public List<Long> ofUser(long userId) {
        List<Long> out = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).keyConditionExpression("pk = :p AND begins_with(sk, :f)")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.user(userId)), ":f", Attr.s(Keys.FAVOURITE_PREFIX)))
                .consistentRead(true))) {
            for (var it : page.items()) out.add(Attr.lng(it, "projectId"));
        }
        return out;
    }

    /** The ids of the users who favourited the project (one paged Query of gsi1 {@code PROJECTFAVS#p}). */
    public List<Long> usersOf(long projectId) {
        List<Long> out = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.projectFavourites(projectId)))))) {
            for (var it : page.items()) out.add(Attr.lng(it, "userId"));
        }
        return out;
    }

    /** Deletes every user's favourite of the project (a project being deleted); returns how many. */
    public int removeAllOfProjectWriting(long projectId) {
        List<WriteRequest> deletes = new ArrayList<>();
        for (var page : ddb.queryPaginator(b -> b.tableName(table).indexName("gsi1").keyConditionExpression("gsi1pk = :p")
                .expressionAttributeValues(Map.of(":p", Attr.s(Keys.projectFavourites(projectId)))))) {
            for (var it : page.items()) deletes.add(Dynamo.delete(Map.of("pk", it.get("pk"), "sk", it.get("sk"))));
        }
        Dynamo.batchWrite(ddb, table, deletes);
        return deletes.size();
    }
}
