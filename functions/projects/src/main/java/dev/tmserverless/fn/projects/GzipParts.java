package dev.tmserverless.fn.projects;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip member built from parts compressed separately, so that a large part shared by many answers (a search's
 * map of every match, 2.7 MB of JSON for 20,000 projects) is compressed once and reused: each part but the last
 * is a run of deflate blocks ended by a sync flush (byte-aligned, not final), which a decoder reads as one stream
 * (a back-reference never reaches into an earlier part, which is allowed). The trailer's CRC-32 and length cover
 * the whole text, as one compression of the concatenated text would.
 */
final class GzipParts {
    private GzipParts() {}

    /** A part compressed once: its text as UTF-8 and its deflate blocks (sync-flushed, not final). */
    record Part(byte[] utf8, byte[] deflated) {
        static Part of(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            // large and repetitive: the fastest level compresses the map points three times faster, a few percent larger
            return new Part(b, deflate(b, b.length >= 256 * 1024 ? Deflater.BEST_SPEED : Deflater.DEFAULT_COMPRESSION, false));
        }
    }

    /** {@code prefix + middle + suffix} as one gzip member. */
    static byte[] gzip(String prefix, Part middle, String suffix) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] s = suffix.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(middle.deflated().length + p.length / 3 + s.length / 3 + 64);
        out.write(new byte[]{0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff}, 0, 10);
        out.writeBytes(deflate(p, Deflater.DEFAULT_COMPRESSION, false));
        out.writeBytes(middle.deflated());
        out.writeBytes(deflate(s, Deflater.DEFAULT_COMPRESSION, true));
        CRC32 crc = new CRC32();
        crc.update(p);
        crc.update(middle.utf8());
        crc.update(s);
        long size = (long) p.length + middle.utf8().length + s.length;
        writeIntLE(out, (int) crc.getValue());
        writeIntLE(out, (int) size);
        return out.toByteArray();
    }

    /** Raw deflate blocks of {@code in}: ended by a sync flush, or final when {@code last}. */
    static byte[] deflate(byte[] in, int level, boolean last) {
        Deflater d = new Deflater(level, true);
        try {
            d.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length / 3 + 64);
            byte[] buf = new byte[64 * 1024];
            if (last) {
                d.finish();
                while (!d.finished()) out.write(buf, 0, d.deflate(buf));
            } else {
                int n;
                do {
                    n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    out.write(buf, 0, n);
                } while (n == buf.length || !d.needsInput());
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }

    private static void writeIntLE(ByteArrayOutputStream out, int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
