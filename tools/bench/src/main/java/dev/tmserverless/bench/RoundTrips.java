package dev.tmserverless.bench;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

import java.util.ArrayList;
import java.util.Map;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the DynamoDB calls (round trips: one per operation the SDK executes, its own retries not included) this
 * JVM makes, and while {@link #recording} names each one, so that the bench can say what one action costs. Only
 * observes: requests go out as the functions build them. Registered for every SDK client of the bench through
 * {@code software/amazon/awssdk/global/handlers/execution.interceptors}.
 */
public final class RoundTrips implements ExecutionInterceptor {
    static final LongAdder CALLS = new LongAdder();
    private static final List<String> NAMES = new ArrayList<>();
    static volatile boolean recording;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (!"DynamoDb".equals(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME))) return;
        CALLS.increment();
        if (recording) {
            synchronized (NAMES) {
                NAMES.add(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME) + describe(context.request()));
            }
        }
    }

    /** The item a call names, with numbers left out: {@code GetItem PROJECT#n/TASK#n}. */
    private static String describe(SdkRequest r) {
        Map<String, AttributeValue> key = null;
        if (r instanceof GetItemRequest g) key = g.key();
        else if (r instanceof UpdateItemRequest u) key = u.key();
        else if (r instanceof PutItemRequest p) key = p.item();
        else if (r instanceof DeleteItemRequest d) key = d.key();
        else if (r instanceof BatchGetItemRequest b) {
            return b.requestItems().values().stream().flatMap(k -> k.keys().stream()).map(RoundTrips::key)
                    .collect(java.util.stream.Collectors.joining(", ", " [", "]"));
        } else if (r instanceof QueryRequest q) {
            return " " + q.expressionAttributeValues().values().stream().map(v -> v.s() != null ? v.s() : v.n())
                    .map(RoundTrips::anonymous).collect(java.util.stream.Collectors.joining(" "));
        }
        return key == null ? "" : " " + key(key);
    }

    private static String key(Map<String, AttributeValue> k) {
        return anonymous(String.valueOf(k.get("pk") == null ? null : k.get("pk").s())) + "/"
                + anonymous(String.valueOf(k.get("sk") == null ? null : k.get("sk").s()));
    }

    private static String anonymous(String s) { return s == null ? "" : s.replaceAll("[0-9]+", "n"); }

    static long count() { return CALLS.sum(); }

    /** Starts naming calls afresh. */
    static void record() {
        synchronized (NAMES) {
            NAMES.clear();
        }
        recording = true;
    }

    /** The calls named since {@link #record}, in order; stops naming. */
    static List<String> recorded() {
        recording = false;
        synchronized (NAMES) {
            return List.copyOf(NAMES);
        }
    }
}
