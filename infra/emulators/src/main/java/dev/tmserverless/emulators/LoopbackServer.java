package dev.tmserverless.emulators;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What every stand-in of an outside service runs on: an HTTP server on 127.0.0.1 and a free port, one virtual
 * thread per exchange. Created unstarted, so the stand-in can register its handler before the first request.
 */
record LoopbackServer(HttpServer server, ExecutorService executor) {

    static LoopbackServer create() {
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        return new LoopbackServer(server, executor);
    }

    /** Sends {@code body} as the whole answer, with its length. */
    static void reply(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    /** Stops answering and ends the exchanges' threads. */
    void stop() {
        server.stop(0);
        executor.shutdownNow();
    }
}
