package dev.tmserverless.fn.users;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tmserverless.aws.blob.BlobStore;
import dev.tmserverless.aws.config.TmConfig;
import dev.tmserverless.aws.http.Fields;
import dev.tmserverless.core.domain.User;
import dev.tmserverless.core.error.ApiException;
import dev.tmserverless.core.error.ErrorCode;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code POST /system/image-upload/}: an image for a comment, a project or an organisation, stored in the bucket
 * under {@code uploads/<sha-256>.<ext>} (the same image twice is one object) and answered with its public URL,
 * TM_IMAGE_BASE_URL followed by the key (docs/people.md "Images"). Checked: a known image type whose first bytes
 * match it, at most TM_IMAGE_MAX_BYTES (4 MB by default). Without TM_IMAGE_BASE_URL the deployment has no image
 * service (501, as the reference without its service).
 */
@Singleton
public class Images {
    public static final String PREFIX = dev.tmserverless.core.catalogue.Resources.UPLOADS_PREFIX;
    private static final Map<String, String> EXTENSIONS = Map.of("image/png", "png", "image/jpeg", "jpg",
            "image/webp", "webp", "image/gif", "gif");

    private final TmConfig config;
    private final Provider<BlobStore> blobs;

    public Images(TmConfig config, Provider<BlobStore> blobs) {
        this.config = config;
        this.blobs = blobs;
    }

    public Map<String, Object> upload(User caller, JsonNode body) {
        String base = config.get("TM_IMAGE_BASE_URL").orElseThrow(() -> new ApiException(ErrorCode.UNDEFINED_IMAGE_SERVICE));
        Fields.object(body);
        JsonNode filename = body.get("filename");
        if (filename == null || filename.isNull()) throw new ApiException(ErrorCode.MISSING_FILENAME);
        JsonNode mimeNode = body.get("mime");
        if (mimeNode == null || mimeNode.isNull()) throw new ApiException(ErrorCode.MISSING_MIME);
        String mime = mimeNode.asText();
        String ext = EXTENSIONS.get(mime);
        if (ext == null) throw new ApiException(ErrorCode.UNSUPPORTED_FILE);
        long max = config.get("TM_IMAGE_MAX_BYTES").map(Long::parseLong).orElse(4_000_000L);
        JsonNode data = body.get("data");
        if (data == null || !data.isTextual()) throw new ApiException(ErrorCode.INVALID_IMAGE);
        if (data.asText().length() > max / 3 * 4 + 8) throw new ApiException(ErrorCode.IMAGE_TOO_LARGE);
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data.asText());
        } catch (IllegalArgumentException e) {
            throw new ApiException(ErrorCode.INVALID_IMAGE);
        }
        if (bytes.length > max) throw new ApiException(ErrorCode.IMAGE_TOO_LARGE);
        if (!looksLike(mime, bytes)) throw new ApiException(ErrorCode.INVALID_IMAGE);
        String key = PREFIX + sha256(bytes) + "." + ext;
        blobs.get().putBytes(key, bytes, mime);
        return Map.of("url", (base.endsWith("/") ? base : base + "/") + key);
    }

    /** The file's signature matches its declared type. */
    static boolean looksLike(String mime, byte[] b) {
        return switch (mime) {
            case "image/png" -> starts(b, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A);
            case "image/jpeg" -> starts(b, 0xFF, 0xD8, 0xFF);
            case "image/gif" -> starts(b, 'G', 'I', 'F', '8');
            case "image/webp" -> b.length >= 12 && starts(b, 'R', 'I', 'F', 'F') && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P';
            default -> false;
        };
    }

    private static boolean starts(byte[] b, int... sig) {
        if (b.length < sig.length) return false;
        for (int i = 0; i < sig.length; i++) if ((b[i] & 0xFF) != sig[i]) return false;
        return true;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
