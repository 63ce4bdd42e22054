package dev.tmserverless.fn.stats;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.LinkedHashMap;
import java.util.Map;

/** Stream images (the Lambda event model's attribute values) as the SDK's, which the stores decode. */
final class Images {
    private Images() {}

    static Map<String, AttributeValue> sdk(Map<String, com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue> image) {
        if (image == null) return null;
        Map<String, AttributeValue> out = new LinkedHashMap<>();
        image.forEach((k, v) -> out.put(k, sdk(v)));
        return out;
    }

    static AttributeValue sdk(com.amazonaws.services.lambda.runtime.events.models.dynamodb.AttributeValue v) {
        if (v.getS() != null) return AttributeValue.fromS(v.getS());
        if (v.getN() != null) return AttributeValue.fromN(v.getN());
        if (v.getB() != null) return AttributeValue.fromB(SdkBytes.fromByteBuffer(v.getB().duplicate()));
        if (v.getSS() != null) return AttributeValue.fromSs(v.getSS());
        if (v.getNS() != null) return AttributeValue.fromNs(v.getNS());
        if (v.getBS() != null) return AttributeValue.fromBs(v.getBS().stream().map(b -> SdkBytes.fromByteBuffer(b.duplicate())).toList());
        if (v.getM() != null) return AttributeValue.fromM(sdk(v.getM()));
        if (v.getL() != null) return AttributeValue.fromL(v.getL().stream().map(Images::sdk).toList());
        if (v.getBOOL() != null) return AttributeValue.fromBool(v.getBOOL());
        return AttributeValue.fromNul(true);
    }
}
