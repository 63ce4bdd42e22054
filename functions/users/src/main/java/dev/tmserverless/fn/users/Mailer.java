package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Json;
import jakarta.inject.Singleton;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * Sends mail through Amazon SES: the v2 {@code SendEmail} call ({@code POST /v2/email/outbound-emails}), signed
 * with the SDK's SigV4 signer that the function already carries (the SES client module would add a jar for one
 * call). Locally and in tests it goes to the SES stand-in (TM_AWS_ENDPOINT_SES), which keeps the messages and shows
 * them over HTTP. The sender is TM_MAIL_FROM; without it this deployment sends no mail ({@link #configured()}).
 */
@Singleton
public class Mailer {
    /** A message: plain text always, HTML and a reply-to address optional. */
    public record Mail(String to, String subject, String text, String html, String replyTo) {}

    /** Headers the JDK client sets itself. */
    private static final Set<String> RESTRICTED = Set.of("host", "content-length", "connection", "expect", "upgrade");

    private final TmConfig config;
    private volatile HttpClient http;

    public Mailer(TmConfig config) { this.config = config; }

    public boolean configured() { return config.get("TM_MAIL_FROM").isPresent(); }

    /** Where contact-form messages go (TM_EMAIL_CONTACT_ADDRESS), if this deployment has one. */
    public Optional<String> contactAddress() { return config.get("TM_EMAIL_CONTACT_ADDRESS"); }

    /** Sends one message; any refusal or transport failure is an {@link IllegalStateException}. */
    public void send(Mail m) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("FromEmailAddress", config.require("TM_MAIL_FROM"));
        body.putObject("Destination").putArray("ToAddresses").add(m.to());
        if (m.replyTo() != null) body.putArray("ReplyToAddresses").add(m.replyTo());
        ObjectNode simple = body.putObject("Content").putObject("Simple");
        simple.putObject("Subject").put("Data", m.subject()).put("Charset", "UTF-8");
        ObjectNode content = simple.putObject("Body");
        content.putObject("Text").put("Data", m.text()).put("Charset", "UTF-8");
        if (m.html() != null) content.putObject("Html").put("Data", m.html()).put("Charset", "UTF-8");
        byte[] bytes = Json.write(body).getBytes(StandardCharsets.UTF_8);

        String region = config.region();
        URI uri = URI.create(config.endpoint("ses").map(e -> e.replaceAll("/+$", ""))
                .orElse("https://email." + region + ".amazonaws.com") + "/v2/email/outbound-emails");
        AwsCredentials credentials = config.endpoint("ses").isPresent()
                ? AwsBasicCredentials.create("local", "local")
                : DefaultCredentialsProvider.builder().build().resolveCredentials();
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(uri)
                .putHeader("Content-Type", "application/json").build();
        var signed = AwsV4HttpSigner.create().sign(r -> r.identity(credentials).request(unsigned)
                .payload(ContentStreamProvider.fromByteArray(bytes))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "ses")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        signed.request().headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) values.forEach(v -> request.header(name, v));
        });
        HttpResponse<String> response;
        try {
            response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("SES unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("SES answered HTTP " + response.statusCode() + ": "
                    + response.body().substring(0, Math.min(300, response.body().length())));
        }
    }

    /** Built at the first mail: most requests of this function send none. */
    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
                c = http;
            }
        }
        return c;
    }
}
