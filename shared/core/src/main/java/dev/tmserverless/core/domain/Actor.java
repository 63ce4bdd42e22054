package dev.tmserverless.core.domain;

/** Who performs a transition, as history rows record it. */
public record Actor(long userId, String username) {}
