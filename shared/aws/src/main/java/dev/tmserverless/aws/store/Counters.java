package dev.tmserverless.aws.store;

import dev.tmserverless.aws.config.TmConfig;
import jakarta.inject.Singleton;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.Map;

/** Integer ids as in the reference: one atomic counter item per kind (ADD returns the new value). */
@Singleton
public class Counters {
    private final DynamoDbClient ddb;
    private final String table;

    public Counters(DynamoDbClient ddb, TmConfig config) {
        this.ddb = ddb;
        this.table = config.table();
    }

    public long next(String kind) {
        var res = ddb.updateItem(b -> b.tableName(table).key(Attr.key(Keys.COUNTER, kind))
                .updateExpression("ADD n :one").expressionAttributeValues(Map.of(":one", Attr.n(1L)))
                .returnValues(ReturnValue.UPDATED_NEW));
        return Long.parseLong(res.attributes().get("n").n());
    }
}
