package dev.tmserverless.emulators;

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
}
