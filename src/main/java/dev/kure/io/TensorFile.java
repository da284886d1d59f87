package dev.kure.io;

import dev.kure.ElementType;
import dev.kure.TensorView;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;

/**
 * A memory-mapped checkpoint file: safetensors, NumPy {@code .npy} or NumPy {@code .npz}.
 *
 * <p>{@link #open(Path)} maps the whole file read-only with
 * {@link FileChannel#map(FileChannel.MapMode, long, long, Arena)} and validates its header(s); no
 * tensor data is read until asked for, and nothing is read into the Java heap, so multi-gigabyte
 * files work. {@link #floats(String)} returns a tensor as float32 little-endian:
 * <ul>
 *   <li>a zero-copy slice of the mapping when the data is F32 little-endian at a 4-byte-aligned
 *       offset;</li>
 *   <li>otherwise (F16, BF16, F64, big-endian, unaligned, or a deflated {@code .npz} member) a
 *       converted copy in off-heap memory owned by this object, made once and cached.</li>
 * </ul>
 * Segments returned stay valid until {@link #close()}, which unmaps the file and frees every copy;
 * using them afterwards throws {@link IllegalStateException}. Segments are read-only. A
 * {@code TensorFile} may be used from several threads; its segments may be read from any thread.
 *
 * <p>Every problem with the file is a {@link TensorFileException} naming the file and the problem.
 */
public final class TensorFile implements AutoCloseable {

    /** The file formats {@link #open(Path)} understands. */
    public enum Format {
        /** Hugging Face safetensors: a JSON header followed by little-endian data. */
        SAFETENSORS,
        /** A single NumPy array ({@code .npy}, format 1.0, 2.0 or 3.0). */
        NPY,
        /** A zip of NumPy arrays ({@code np.savez}, {@code np.savez_compressed}). */
        NPZ
    }

    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long ALIGN = 64;

    private final Path path;
    private final Format format;
    private final Arena arena;
    private final MemorySegment file;
    private final Map<String, Entry> entries;
    private final List<TensorInfo> infos;
    private final Map<String, String> metadata;
    private final Map<String, MemorySegment> floatsCache = new HashMap<>();
    private final Map<String, MemorySegment> rawCache = new HashMap<>();
    private final Set<String> verified = new HashSet<>();
    private boolean closed;

    private TensorFile(Path path, Format format, Arena arena, MemorySegment file, List<Entry> list,
                       Map<String, String> metadata) {
        this.path = path;
        this.format = format;
        this.arena = arena;
        this.file = file;
        Map<String, Entry> m = new LinkedHashMap<>();
        List<TensorInfo> l = new ArrayList<>();
        for (Entry e : list) {
            m.put(e.info().name(), e);
            l.add(e.info());
        }
        this.entries = m;
        this.infos = List.copyOf(l);
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Opens and validates a tensor file.
     *
     * <p>The format comes from the extension ({@code .safetensors}, {@code .npy}, {@code .npz},
     * case-insensitive), or, for any other name, from the first bytes (the {@code .npy} magic, a zip
     * signature, or a safetensors header length followed by an opening brace).
     *
     * @param path the file
     * @return the opened file; close it to unmap
     * @throws TensorFileException if the file cannot be read or is not a valid file of its format
     */
    public static TensorFile open(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            throw new TensorFileException(path, "is a directory, not a tensor file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // A FIFO would block here until a writer appears, and none of these formats can be
            // memory-mapped from a stream: refuse before opening.
            throw new TensorFileException(path, "is not a regular file (a pipe, socket or device); tensor files are "
                    + "memory-mapped, so save the data to a file first");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment file;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                file = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            Format format = detect(path, file);
            TensorFile tf = switch (format) {
                case SAFETENSORS -> {
                    Safetensors.Header h = Safetensors.read(path, file);
                    yield new TensorFile(path, format, arena, file, h.entries(), h.metadata());
                }
                case NPY -> new TensorFile(path, format, arena, file, List.of(npyEntry(path, file)), Map.of());
                case NPZ -> new TensorFile(path, format, arena, file, Npz.read(path, file), Map.of());
            };
            return tf;
        } catch (NoSuchFileException e) {
            arena.close();
            throw new TensorFileException(path, "no such file", e);
        } catch (AccessDeniedException e) {
            arena.close();
            throw new TensorFileException(path, "permission denied", e);
        } catch (IOException e) {
            arena.close();
            throw new TensorFileException(path, "cannot read (" + e.getMessage() + ")", e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static Format detect(Path path, MemorySegment file) {
        Path fn = path.getFileName();
        String name = fn == null ? "" : fn.toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".safetensors")) {
            return Format.SAFETENSORS;
        }
        if (name.endsWith(".npy")) {
            return Format.NPY;
        }
        if (name.endsWith(".npz")) {
            return Format.NPZ;
        }
        long size = file.byteSize();
        if (size >= Npy.MAGIC.length && startsWith(file, Npy.MAGIC)) {
            return Format.NPY;
        }
        if (size >= 4 && (startsWith(file, new byte[] {'P', 'K', 3, 4}) || startsWith(file, new byte[] {'P', 'K', 5, 6}))) {
            return Format.NPZ;
        }
        if (size >= 9 && file.get(ValueLayout.JAVA_BYTE, 8) == '{') {
            return Format.SAFETENSORS;
        }
        throw new TensorFileException(path, "unrecognized format (expected safetensors, .npy or .npz)");
    }

    private static boolean startsWith(MemorySegment file, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (file.get(ValueLayout.JAVA_BYTE, i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static Entry npyEntry(Path path, MemorySegment file) {
        long size = file.byteSize();
        long headerEnd = Npy.headerEnd(path, "", file, size);
        Npy.Header h = Npy.parse(path, "", file, headerEnd, size);
        Path fn = path.getFileName();
        String name = fn == null ? "" : fn.toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".npy")) {
            name = name.substring(0, name.length() - 4);
        }
        TensorInfo info = new TensorInfo(name, h.dtype(), h.descr(), h.shape(), headerEnd, h.dataBytes());
        return new Entry(info, h.order());
    }

    /**
     * The file this object reads.
     *
     * @return the path given to {@link #open(Path)}
     */
    public Path path() {
        return path;
    }

    /**
     * The file's format.
     *
     * @return the detected format
     */
    public Format format() {
        return format;
    }

    /**
     * Every tensor in the file, in file order: the safetensors header's order, the {@code .npz}
     * central directory's order. Tensors of unsupported types are included.
     *
     * @return an unmodifiable list
     */
    public List<TensorInfo> tensors() {
        return infos;
    }

    /**
     * Looks a tensor up by name.
     *
     * @param name the tensor's name
     * @return its description, or empty if the file has no such tensor
     */
    public Optional<TensorInfo> find(String name) {
        Entry e = entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    /**
     * The safetensors {@code "__metadata__"} map, in header order; empty for NumPy files or when
     * the header has none.
     *
     * @return an unmodifiable map
     */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * A tensor as float32 little-endian values, row-major.
     *
     * @param name the tensor's name
     * @return a read-only segment of {@code elementCount() * 4} bytes, valid until {@link #close()}
     * @throws TensorFileException if there is no such tensor, its type cannot be converted to
     *     float32, or its compressed data is corrupt
     * @throws IllegalStateException if this file is closed
     */
    public MemorySegment floats(String name) {
        Entry e = entry(name);
        TensorInfo info = e.info();
        requireSupported(info);
        synchronized (this) {
            ensureOpen();
            MemorySegment cached = floatsCache.get(name);
            if (cached != null) {
                return cached;
            }
            MemorySegment result;
            boolean f32le = info.dtype() == DType.F32 && e.order() == ByteOrder.LITTLE_ENDIAN;
            if (e.zipped() == null) {
                verifyStored(e);
                MemorySegment raw = file.asSlice(info.offset(), info.byteLength());
                if (f32le && raw.address() % 4 == 0) {
                    return raw; // zero copy
                }
                result = arena.allocate(info.elementCount() * 4, ALIGN);
                Convert.toFloats(raw, info.dtype(), e.order(), info.elementCount(), result, LE_FLOAT);
            } else if (f32le && e.dataInMember() % 4 == 0) {
                MemorySegment member = arena.allocate(e.zipped().size(), ALIGN);
                inflate(e, member);
                result = member.asSlice(e.dataInMember(), info.byteLength());
            } else {
                try (Arena tmp = Arena.ofConfined()) {
                    MemorySegment member = tmp.allocate(e.zipped().size(), ALIGN);
                    inflate(e, member);
                    result = arena.allocate(info.elementCount() * 4, ALIGN);
                    Convert.toFloats(member.asSlice(e.dataInMember(), info.byteLength()), info.dtype(), e.order(),
                            info.elementCount(), result, LE_FLOAT);
                }
            }
            result = result.asReadOnly();
            floatsCache.put(name, result);
            return result;
        }
    }

    /**
     * A tensor as a {@link TensorView} for Kure's kernels, without widening: F32, F16 and BF16 data
     * stored little-endian and uncompressed is a zero-copy slice of the mapping in its own element
     * type (any alignment); anything else (F64, big-endian, a deflated {@code .npz} member) is
     * {@link #floats(String)} as an F32 view.
     *
     * @param name the tensor's name
     * @return a read-only view of {@code elementCount()} elements, valid until {@link #close()}
     * @throws TensorFileException as {@link #floats(String)}
     * @throws IllegalStateException if this file is closed
     */
    public TensorView view(String name) {
        Entry e = entry(name);
        TensorInfo info = e.info();
        requireSupported(info);
        ElementType type = switch (info.dtype()) {
            case F32 -> ElementType.F32;
            case F16 -> ElementType.F16;
            case BF16 -> ElementType.BF16;
            case F64 -> null;
        };
        if (type != null && e.order() == ByteOrder.LITTLE_ENDIAN && e.zipped() == null) {
            synchronized (this) {
                ensureOpen();
                verifyStored(e);
                return new TensorView(file.asSlice(info.offset(), info.byteLength()).asReadOnly(), type);
            }
        }
        return TensorView.f32(floats(name));
    }

    /**
     * Off-heap bytes this file holds in converted or inflated copies made by {@link #floats(String)}
     * (zero-copy slices and {@link #view(String)}s of F32, F16 and BF16 data count nothing).
     *
     * @return the bytes, until {@link #close()} frees them
     */
    public synchronized long convertedBytes() {
        long total = 0;
        for (MemorySegment m : floatsCache.values()) {
            total += m.byteSize();
        }
        return total;
    }

    /**
     * A tensor copied into a new {@code float[]}, row-major.
     *
     * @param name the tensor's name
     * @return a fresh array of {@code elementCount()} values
     * @throws TensorFileException if there is no such tensor, its type cannot be converted, it has
     *     more than {@code Integer.MAX_VALUE - 8} elements (use {@link #floats(String)}), or its
     *     compressed data is corrupt
     * @throws IllegalStateException if this file is closed
     */
    public float[] toFloatArray(String name) {
        Entry e = entry(name);
        TensorInfo info = e.info();
        requireSupported(info);
        long n = info.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new TensorFileException(path, "tensor " + Entry.quote(name) + " has " + n
                    + " elements, too many for a Java array; use floats()");
        }
        float[] out = new float[(int) n];
        MemorySegment dst = MemorySegment.ofArray(out);
        MemorySegment mapped = null;
        synchronized (this) {
            ensureOpen();
            MemorySegment cached = floatsCache.get(name);
            if (cached != null) {
                MemorySegment.copy(cached, LE_FLOAT, 0, dst, ValueLayout.JAVA_FLOAT, 0, n);
                return out;
            }
            if (e.zipped() == null) {
                verifyStored(e);
                mapped = file.asSlice(info.offset(), info.byteLength());
            }
        }
        if (mapped != null) {
            // Outside the lock, so that threads reading different tensors convert in parallel; a
            // concurrent close() makes this throw IllegalStateException (the arena is shared).
            Convert.toFloats(mapped, info.dtype(), e.order(), n, dst, ValueLayout.JAVA_FLOAT);
            return out;
        }
        MemorySegment f = floats(name);
        MemorySegment.copy(f, LE_FLOAT, 0, dst, ValueLayout.JAVA_FLOAT, 0, n);
        return out;
    }

    /**
     * A tensor's stored bytes exactly as in the file (any dtype, the file's byte order): a slice of
     * the mapping, or for a deflated {@code .npz} member its inflated bytes, cached. Used to copy
     * tensors through unchanged.
     *
     * @param name the tensor's name
     * @return a read-only segment of {@code byteLength()} bytes, valid until {@link #close()}
     * @throws TensorFileException if there is no such tensor or its compressed data is corrupt
     * @throws IllegalStateException if this file is closed
     */
    public MemorySegment rawBytes(String name) {
        Entry e = entry(name);
        synchronized (this) {
            ensureOpen();
            if (e.zipped() == null) {
                verifyStored(e);
                return file.asSlice(e.info().offset(), e.info().byteLength());
            }
            MemorySegment cached = rawCache.get(name);
            if (cached == null) {
                MemorySegment member = arena.allocate(e.zipped().size(), ALIGN);
                inflate(e, member);
                cached = member.asSlice(e.dataInMember(), e.info().byteLength()).asReadOnly();
                rawCache.put(name, cached);
            }
            return cached;
        }
    }

    /**
     * Unmaps the file and frees every segment handed out. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            floatsCache.clear();
            rawCache.clear();
            arena.close();
        }
    }

    private void inflate(Entry e, MemorySegment member) {
        Entry.Deflated z = e.zipped();
        String where = "tensor " + Entry.quote(e.info().name()) + ": ";
        try (Inflate in = new Inflate(file.asSlice(z.compressedOffset(), z.compressedSize()))) {
            in.readFully(member);
            if (!in.endsHere()) {
                throw new TensorFileException(path, where + "compressed member is longer than its declared size");
            }
        } catch (EOFException | DataFormatException ex) {
            throw new TensorFileException(path, where + "corrupt deflate data (" + ex.getMessage() + ")", ex);
        }
        if (crc32(member) != z.crc()) {
            throw new TensorFileException(path, where + "CRC-32 mismatch in compressed member (corrupt file)");
        }
    }

    /**
     * Checks a stored {@code .npz} member's CRC-32 the first time its data is asked for (numpy's
     * zipfile refuses a mismatch too); the whole member is read once, then never again. Caller holds
     * the lock.
     */
    private void verifyStored(Entry e) {
        Entry.Stored st = e.stored();
        if (st == null || verified.contains(e.info().name())) {
            return;
        }
        if (crc32(file.asSlice(st.offset(), st.size())) != st.crc()) {
            throw new TensorFileException(path, "tensor " + Entry.quote(e.info().name())
                    + ": CRC-32 mismatch in stored member (corrupt file)");
        }
        verified.add(e.info().name());
    }

    private static int crc32(MemorySegment bytes) {
        CRC32 crc = new CRC32();
        for (long p = 0; p < bytes.byteSize(); p += 1L << 30) {
            crc.update(bytes.asSlice(p, Math.min(1L << 30, bytes.byteSize() - p)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    private Entry entry(String name) {
        Objects.requireNonNull(name, "name");
        Entry e = entries.get(name);
        if (e == null) {
            throw new TensorFileException(path, "no tensor named " + Entry.quote(name));
        }
        return e;
    }

    private void requireSupported(TensorInfo info) {
        if (!info.isSupported()) {
            throw new TensorFileException(path, "tensor " + Entry.quote(info.name()) + " has dtype " + info.rawDtype()
                    + ", which cannot be read as floats (supported: F32, F16, BF16, F64)");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(path + ": TensorFile is closed");
        }
    }
}
