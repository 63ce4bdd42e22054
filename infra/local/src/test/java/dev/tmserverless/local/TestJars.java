package dev.tmserverless.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Packages the test functions (package {@code dev.tmserverless.local.testfn}) into a function jar. */
final class TestJars {
    private TestJars() {}

    /** Writes {@code <root>/<module>/target/<module>-lambda.jar} holding the test functions; returns its path. */
    static Path functionJar(Path root, String module) throws IOException {
        Path classes;
        try {
            classes = Path.of(TestJars.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        Path packageDir = classes.resolve("dev/tmserverless/local/testfn");
        Path jar = root.resolve(module).resolve("target").resolve(module + "-lambda.jar");
        Files.createDirectories(jar.getParent());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(packageDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream zip = new JarOutputStream(out)) {
            for (Path file : files) {
                zip.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                try (InputStream in = Files.newInputStream(file)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        }
        return jar;
    }
}
