package dev.tmserverless.core.domain;

/**
 * One validation issue a validator counted on a task: the mapping-issue category, its name as the validator's
 * client sent it ({@code issue}) and how often it occurred. Rendered in a history row's {@code issues} as
 * {@code {"categoryId", "name", "count"}}.
 */
public record MappingIssue(int categoryId, String name, int count) {}
