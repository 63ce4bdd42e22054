package dev.tmserverless.core.dto;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.time.Instant;
import java.util.List;

/**
 * The reference's ApplicationDTO. {@code applicationkey} is the key itself only in the answer that creates it; the
 * store keeps a hash, so listed keys carry null there and are named by {@code keyId} (docs/api-differences.md).
 */
@JsonPropertyOrder({"keyId", "userId", "applicationkey", "createdDate"})
public record ApplicationKeyDto(long keyId, long userId, String applicationkey, Instant createdDate) {

    /** The reference's ApplicationsDTO: a user's keys. */
    public record Applications(List<ApplicationKeyDto> applications) {}
}
