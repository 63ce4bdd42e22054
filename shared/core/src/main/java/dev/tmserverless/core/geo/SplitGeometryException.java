package dev.tmserverless.core.geo;

/**
 * A task cannot be split geometrically. The caller answers {@link Reason#NO_INTERSECTION} with 403
 * SplitGeoJsonError and {@link Reason#MALFORMED_TILE} with the reference's SplitServiceError.
 */
public class SplitGeometryException extends IllegalStateException {
    public enum Reason {
        /** A child (an empty quadrant of a non-square task) does not intersect the parent. */
        NO_INTERSECTION,
        /** x/y/zoom of a square task do not name a tile whose children exist. */
        MALFORMED_TILE
    }

    private final Reason reason;

    public SplitGeometryException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
