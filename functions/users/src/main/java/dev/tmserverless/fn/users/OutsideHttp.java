package dev.tmserverless.fn.users;

import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls to one outside HTTP service (OpenStreetMap, ohsome, MapSwipe): one client, built on first use (no connection is opened
 * at cold start), and every call bounded by a time limit. A call that times out, cannot connect or is
 * interrupted answers the service's error; what the service answered is the caller's to judge.
 */
final class OutsideHttp {
    private static final Logger LOG = LoggerFactory.getLogger(OutsideHttp.class);

    private final String service;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final ErrorCode failure;
    private volatile HttpClient http;

    OutsideHttp(String service, Duration connectTimeout, Duration timeout, ErrorCode failure) {
        this.service = service;
        this.connectTimeout = connectTimeout;
        this.timeout = timeout;
        this.failure = failure;
    }

    /** The answer, or {@link ApiException} of the service's error when none came within the time limit. */
    HttpResponse<String> send(HttpRequest request) {
        return send(request, failure, "");
    }

    /**
     * As {@link #send(HttpRequest)}, with this call's own error ({@code failure}) and name in the log ({@code what},
     * e.g. "token"): one exchange with a deadline on the whole of it, headers and body.
     */
    HttpResponse<String> send(HttpRequest request, ErrorCode failure, String what) {
        String call = what.isEmpty() ? service : service + " " + what;
        CompletableFuture<HttpResponse<String>> exchange = client().sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            return exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            LOG.warn("{} call timed out after {} ms", call, timeout.toMillis());
            throw new ApiException(failure);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            LOG.warn("{} call failed: {}", call, cause.toString());
            throw new ApiException(failure);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new ApiException(failure);
        }
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    // built on first use: routes that never call the service don't pay for it, and a SnapStart
                    // snapshot taken before the first call holds no pooled connections
                    http = HttpClient.newBuilder().connectTimeout(connectTimeout).version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                }
                c = http;
            }
        }
        return c;
    }
}
