package dev.tmserverless.local.testfn;

/** Has a no-arg constructor but is no RequestHandler. */
public class NotAHandler {
}
