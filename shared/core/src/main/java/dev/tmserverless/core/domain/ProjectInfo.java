package dev.tmserverless.core.domain;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Localised project text; the wire order of these six keys is fixed by the reference. */
@JsonPropertyOrder({"locale", "name", "shortDescription", "description", "instructions", "perTaskInstructions"})
public record ProjectInfo(String locale, String name, String shortDescription, String description,
                          String instructions, String perTaskInstructions) {
    public static ProjectInfo named(String locale, String name) {
        return new ProjectInfo(locale, name, "", "", "", "");
    }
}
