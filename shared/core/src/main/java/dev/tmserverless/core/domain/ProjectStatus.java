package dev.tmserverless.core.domain;

public enum ProjectStatus { ARCHIVED, PUBLISHED, DRAFT }
