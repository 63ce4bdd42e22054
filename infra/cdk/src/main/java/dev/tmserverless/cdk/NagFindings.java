package dev.tmserverless.cdk;

import dev.tmserverless.core.catalogue.Resources;
import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import software.amazon.awscdk.services.codedeploy.LambdaDeploymentGroup;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.sns.Topic;

/**
 * The cdk-nag AwsSolutions findings this stack accepts on purpose, each with its reason. Every other finding is
 * fixed in {@link TmStack} (explicit least-privilege roles instead of managed policies, access logs on the API and
 * the data bucket, TLS-only queues and buckets, point-in-time recovery, latest Java runtime, ...). The nag test
 * fails on any finding not listed here.
 */
final class NagFindings {
    private NagFindings() {}

    static final String TOKEN_SECRET_ROTATION = "The session-token signing key is not rotated on a schedule:"
            + " rotating it invalidates every session at once, and functions load it at init (captured in their"
            + " SnapStart snapshot). It is rotated deliberately (put-secret-value, then a deploy that publishes new"
            + " function versions), as TEMPLATE_NOTES.md describes.";

    static final String OHSOME_TOKEN_ROTATION = "The ohsome statistics API token is issued by HeiGIT for this deployment;"
            + " Secrets Manager cannot rotate it, so it is replaced by hand (put-secret-value) when it is re-issued.";
    static final String OSM_SECRET_ROTATION = "The OSM OAuth2 client secret is issued by the OpenStreetMap server"
            + " when the OAuth2 application is registered; no rotation Lambda can obtain a new one. It is replaced"
            + " by hand (put-secret-value) when the operator re-issues it.";

    static final String TABLE_INDEXES = "grantReadWriteData on the single table also covers its global secondary"
            + " indexes (Query on gsi1), which IAM addresses as <table-arn>/index/<name>. The wildcard stays inside"
            + " this one table, whose only indexes are those the resource catalogue declares.";

    static final String BUCKET_OBJECTS = "Object permissions can only name object ARNs. Keys are generated at run"
            + " time (AOIs, task-grid snapshots, exports per project), so the bucket's object namespace is the"
            + " narrowest static scope; the actions themselves are listed one by one (no s3:* or s3:Get*) and"
            + " follow the function's catalogue access set (read or read-write).";

    static final String LARGE_RESPONSES = "Responses too big for Lambda are stored under one random key each and"
            + " served through a signed link; the keys exist only at run time, so the grant names the hand-over"
            + " prefix (put and get only), which a lifecycle rule empties after a day.";

    static final String UPLOADS = "Uploaded images are stored under content-addressed keys made at run time, so the"
            + " grant names the uploads/ prefix, with s3:PutObject only.";

    static final String MAIL_IDENTITIES = "ses:SendEmail is granted on the account's SES identities with the"
            + " condition ses:FromAddress = the deployment's sender (MailFrom): the function can send only as that"
            + " address, whichever identity (address or domain) the operator verified for it.";

    static final String API_AUTHORIZATION = "The API keeps the reference Tasking Manager's own authentication: a"
            + " session token (Authorization: Token/Bearer) verified inside each function with the signing key from"
            + " Secrets Manager, and per-project permission rules that an API Gateway authorizer cannot express."
            + " Many routes are anonymous by the reference API (login, callback, public project and task reads).";

    static final String XRAY = "Active tracing lets the function send trace segments to X-Ray"
            + " (xray:PutTraceSegments, xray:PutTelemetryRecords). These actions support no resource-level"
            + " permissions, so AWS documents Resource \"*\" for them; the template test checks that only these two"
            + " actions have it.";

    static final String ALARM_TOPIC_ENCRYPTION = "The alarm topic carries only alarm names and states, no data."
            + " CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key (its key policy"
            + " does not let CloudWatch use it), and a customer-managed key would be the stack's only fixed KMS"
            + " charge. The topic requires TLS for publishers instead.";

    static final String CODEDEPLOY_ROLE = "CodeDeploy's service role for Lambda deployments uses the AWS-maintained"
            + " AWSCodeDeployRoleForLambdaLimited policy (read and update aliases, read alarms, invoke CodeDeploy"
            + " hook functions only): it tracks what CodeDeploy needs as the service changes, which a copy would not.";

    static final String BACKUP_ROLE = "AWS Backup's service role uses the AWS-maintained"
            + " AWSBackupServiceRolePolicyForBackup policy, which covers what AWS Backup needs to back up a"
            + " DynamoDB table (and changes with the service); the plan selects only this stack's table.";

    static void suppress(TmStack stack) {
        for (var failures : stack.feedFailureQueues().values()) {
            NagSuppressions.addResourceSuppressions(failures, List.of(suppression("AwsSolutions-SQS3",
                    "The on-failure destination of a table stream: it receives descriptions of given-up batches and"
                            + " nothing consumes it; its first message raises an alarm")));
        }
        NagSuppressions.addResourceSuppressions(stack.tokenSecret(),
                List.of(suppression("AwsSolutions-SMG4", TOKEN_SECRET_ROTATION)), true);
        NagSuppressions.addResourceSuppressions(stack.osmClientSecret(),
                List.of(suppression("AwsSolutions-SMG4", OSM_SECRET_ROTATION)), true);
        NagSuppressions.addResourceSuppressions(stack.ohsomeToken(),
                List.of(suppression("AwsSolutions-SMG4", OHSOME_TOKEN_ROTATION)), true);

        for (Role role : stack.roles().values()) {
            NagSuppressions.addResourceSuppressions(role, List.of(
                    wildcard(TABLE_INDEXES, "/^Resource::<[A-Za-z0-9]+Table[0-9A-F]{8}\\.Arn>\\/index\\/\\*$/"),
                    // the same grant on a restored table (tm:restoredTableName), which the ARN names literally
                    wildcard(TABLE_INDEXES, "/^Resource::arn:<AWS::Partition>:dynamodb:<AWS::Region>:<AWS::AccountId>"
                            + ":table\\/[A-Za-z0-9_.-]+\\/index\\/\\*$/"),
                    wildcard(BUCKET_OBJECTS, "/^Resource::<[A-Za-z0-9]+Bucket[0-9A-F]{8}\\.Arn>\\/\\*$/"),
                    wildcard(LARGE_RESPONSES, "/^Resource::<[A-Za-z0-9]+Bucket[0-9A-F]{8}\\.Arn>\\/"
                            + Resources.LARGE_RESPONSES_PREFIX.replace("/", "\\/") + "\\*$/"),
                    wildcard(UPLOADS, "/^Resource::<[A-Za-z0-9]+Bucket[0-9A-F]{8}\\.Arn>\\/"
                            + Resources.UPLOADS_PREFIX.replace("/", "\\/") + "\\*$/"),
                    wildcard(MAIL_IDENTITIES, "/^Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>"
                            + ":identity\\/\\*$/"),
                    wildcard(XRAY, "/^Resource::\\*$/")), true);
        }

        if (stack.operations().alarmTopic() instanceof Topic topic) {
            NagSuppressions.addResourceSuppressions(topic,
                    List.of(suppression("AwsSolutions-SNS2", ALARM_TOPIC_ENCRYPTION)), true);
        }
        for (LambdaDeploymentGroup group : stack.operations().deploymentGroups().values()) {
            NagSuppressions.addResourceSuppressions(group, List.of(NagPackSuppression.builder()
                    .id("AwsSolutions-IAM4").reason(CODEDEPLOY_ROLE)
                    .appliesTo(List.of(RegexAppliesTo.builder()
                            .regex("/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/"
                                    + "AWSCodeDeployRoleForLambdaLimited$/").build()))
                    .build()), true);
        }

        if (stack.backupPlan() != null) {
            NagSuppressions.addResourceSuppressions(stack.backupPlan(), List.of(NagPackSuppression.builder()
                    .id("AwsSolutions-IAM4").reason(BACKUP_ROLE)
                    .appliesTo(List.of(RegexAppliesTo.builder()
                            .regex("/^Policy::arn:<AWS::Partition>:iam::aws:policy\\/service-role\\/"
                                    + "AWSBackupServiceRolePolicyForBackup$/").build()))
                    .build()), true);
        }

        NagSuppressions.addResourceSuppressions(stack.api(),
                List.of(suppression("AwsSolutions-APIG4", API_AUTHORIZATION)), true);
    }

    private static NagPackSuppression suppression(String id, String reason) {
        return NagPackSuppression.builder().id(id).reason(reason).build();
    }

    private static NagPackSuppression wildcard(String reason, String regex) {
        return NagPackSuppression.builder().id("AwsSolutions-IAM5").reason(reason)
                .appliesTo(List.of(RegexAppliesTo.builder().regex(regex).build())).build();
    }
}
