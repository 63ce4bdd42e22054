package dev.tmserverless.bench;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts DynamoDB's own accounting of the work every call of this JVM does: it asks each item call for its
 * consumed capacity and adds up read and write units and the number of calls. Registered for every SDK client of
 * the bench through {@code software/amazon/awssdk/global/handlers/execution.interceptors}; the functions' code is
 * unchanged.
 */
public final class CapacityMeter implements ExecutionInterceptor {
    static final DoubleAdder READ = new DoubleAdder();
    static final DoubleAdder WRITE = new DoubleAdder();
    static final LongAdder CALLS = new LongAdder();
    /** Read units of Queries of archived history rows (what showing a history costs), also counted in READ. */
    static final DoubleAdder HISTORY = new DoubleAdder();
    /** Only the workflow bench asks for the accounting; the other benches' calls stay as the functions make them. */
    static volatile boolean enabled;

    /** Units and calls since the last {@link #reset}. */
    record Reading(double readUnits, double writeUnits, long calls, double historyReadUnits) {}

    static void reset() {
        READ.reset();
        WRITE.reset();
        CALLS.reset();
        HISTORY.reset();
    }

    static Reading read() {
        return new Reading(READ.sum(), WRITE.sum(), CALLS.sum(), HISTORY.sum());
    }

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest r = context.request();
        if (!enabled) return r;
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (r instanceof GetItemRequest g) return g.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof QueryRequest q) return q.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof PutItemRequest p) return p.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof UpdateItemRequest u) return u.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof DeleteItemRequest d) return d.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof BatchGetItemRequest b) return b.toBuilder().returnConsumedCapacity(total).build();
        if (r instanceof BatchWriteItemRequest w) return w.toBuilder().returnConsumedCapacity(total).build();
        return r;
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        if (!enabled) return;
        Object r = context.response();
        if (r instanceof GetItemResponse g) add(g.consumedCapacity(), false);
        else if (r instanceof QueryResponse q) {
            add(q.consumedCapacity(), false);
            if (context.request() instanceof QueryRequest qr && qr.expressionAttributeValues().values().stream()
                    .anyMatch(v -> v.s() != null && v.s().startsWith("TASKHIST#")) && q.consumedCapacity() != null) {
                HISTORY.add(q.consumedCapacity().capacityUnits());
            }
        }
        else if (r instanceof BatchGetItemResponse b) b.consumedCapacity().forEach(c -> add(c, false));
        else if (r instanceof PutItemResponse p) add(p.consumedCapacity(), true);
        else if (r instanceof UpdateItemResponse u) add(u.consumedCapacity(), true);
        else if (r instanceof DeleteItemResponse d) add(d.consumedCapacity(), true);
        else if (r instanceof BatchWriteItemResponse w) w.consumedCapacity().forEach(c -> add(c, true));
        else return;
        CALLS.increment();
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        // a lost condition still costs its write unit in DynamoDB; dynalite reports nothing, so count the call only
        if (enabled && context.request() instanceof PutItemRequest || context.request() instanceof UpdateItemRequest
                || context.request() instanceof DeleteItemRequest) CALLS.increment();
    }

    private static void add(ConsumedCapacity c, boolean write) {
        if (c == null || c.capacityUnits() == null) return;
        (write ? WRITE : READ).add(c.capacityUnits());
    }

    /** An item's size as DynamoDB counts it: attribute names plus values (numbers about half their digits). */
    static long itemBytes(Map<String, AttributeValue> item) {
        long n = 0;
        for (var e : item.entrySet()) n += e.getKey().getBytes(StandardCharsets.UTF_8).length + valueBytes(e.getValue());
        return n;
    }

    private static long valueBytes(AttributeValue v) {
        if (v.s() != null) return v.s().getBytes(StandardCharsets.UTF_8).length;
        if (v.n() != null) return (v.n().replace("-", "").replace(".", "").length() + 1) / 2 + 1;
        if (v.bool() != null || Boolean.TRUE.equals(v.nul())) return 1;
        if (v.hasL()) {
            long n = 3;
            for (AttributeValue x : v.l()) n += 1 + valueBytes(x);
            return n;
        }
        if (v.hasM()) {
            long n = 3;
            for (var e : v.m().entrySet()) n += 1 + e.getKey().getBytes(StandardCharsets.UTF_8).length + valueBytes(e.getValue());
            return n;
        }
        if (v.hasSs()) return v.ss().stream().mapToLong(s -> s.getBytes(StandardCharsets.UTF_8).length).sum();
        if (v.hasNs()) return v.ns().stream().mapToLong(s -> (s.length() + 1) / 2 + 1).sum();
        return 0;
    }
}
