package dev.tmserverless.bench;

/** The floor of a cold start: a JVM that starts and prints one line. */
public final class Hello {
    private Hello() {}

    public static void main(String[] args) {
        System.out.println("answered 200");
    }
}
