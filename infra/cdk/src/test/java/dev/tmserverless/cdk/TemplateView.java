package dev.tmserverless.cdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awscdk.CfnElement;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;
import software.constructs.IConstruct;

/** Read access to a synthesized template as plain maps and lists, plus logical ids of constructs. */
final class TemplateView {
    final Stack stack;
    final Template template;
    final Map<String, Object> json;

    TemplateView(Stack stack) {
        this.stack = stack;
        this.template = Template.fromStack(stack);
        this.json = template.toJSON();
    }

    Map<String, Object> resources() { return map(json.get("Resources")); }

    Map<String, Object> resource(String logicalId) {
        return Objects.requireNonNull(map(resources().get(logicalId)), () -> "no resource " + logicalId);
    }

    Map<String, Object> props(String logicalId) { return map(resource(logicalId).get("Properties")); }

    Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        resources().forEach((id, r) -> {
            if (type.equals(map(r).get("Type"))) out.put(id, map(r));
        });
        return out;
    }

    /** Logical id of an L2 construct (its default child) or of an L1 element. */
    String logicalId(IConstruct construct) {
        IConstruct c = construct instanceof CfnElement ? construct : construct.getNode().getDefaultChild();
        return (String) stack.resolve(((CfnElement) c).getLogicalId());
    }

    /** {"Ref": id} */
    static Map<String, Object> ref(String logicalId) { return Map.of("Ref", logicalId); }

    /** {"Fn::GetAtt": [id, attr]} */
    static Map<String, Object> getAtt(String logicalId, String attr) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attr));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        if (o == null) return List.of();
        return o instanceof List<?> l ? (List<Object>) l : List.of(o);
    }

    /** The statements of every AWS::IAM::Policy attached to the role with this logical id. */
    List<Map<String, Object>> statementsOfRole(String roleLogicalId) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> policy : ofType("AWS::IAM::Policy").values()) {
            Map<String, Object> p = map(policy.get("Properties"));
            if (list(p.get("Roles")).contains(ref(roleLogicalId))) {
                for (Object s : list(map(p.get("PolicyDocument")).get("Statement"))) out.add(map(s));
            }
        }
        return out;
    }

    /** Every action the role may perform (Allow statements). */
    List<String> actionsOfRole(String roleLogicalId) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> s : statementsOfRole(roleLogicalId)) {
            if ("Allow".equals(s.get("Effect"))) for (Object a : list(s.get("Action"))) out.add((String) a);
        }
        return out;
    }

    /** True when some statement of the role allows {@code action} on a resource expression mentioning {@code logicalId}. */
    boolean roleAllowsOn(String roleLogicalId, String action, String logicalId) {
        for (Map<String, Object> s : statementsOfRole(roleLogicalId)) {
            if ("Allow".equals(s.get("Effect")) && list(s.get("Action")).contains(action)
                    && String.valueOf(s.get("Resource")).contains(logicalId)) {
                return true;
            }
        }
        return false;
    }
}
