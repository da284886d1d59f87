package dev.kure.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Sharded Hugging Face checkpoints: the shard files behind a {@code *.safetensors.index.json} or a
 * directory.
 *
 * <p>An index file ({@code model.safetensors.index.json}) maps every tensor name to the shard that
 * holds it ({@code "weight_map": {"name": "model-00001-of-00002.safetensors", ...}}); its shards are the
 * distinct file names of that map, resolved against the index's directory, sorted by name. A
 * directory's shards are its {@code *.safetensors} files, sorted by name (when it holds an index, the
 * index decides).
 */
public final class Shards {
    private Shards() {
    }

    /**
     * The files to read for one path given by a user: the shards of an index file or of a directory,
     * or the path itself.
     *
     * @param path a tensor file, a {@code *.index.json} file, or a directory of shards
     * @return one or more files, in a fixed order
     * @throws TensorFileException if the index cannot be read or names no shard, or the directory
     *     holds no {@code .safetensors} file
     */
    public static List<Path> expand(Path path) {
        Objects.requireNonNull(path, "path");
        if (Files.isDirectory(path)) {
            List<Path> indexes = list(path, ".safetensors.index.json");
            if (indexes.size() == 1) {
                return fromIndex(indexes.get(0));
            }
            List<Path> shards = list(path, ".safetensors");
            if (shards.isEmpty()) {
                throw new TensorFileException(path, "directory holds no .safetensors file");
            }
            return shards;
        }
        Path fn = path.getFileName();
        if (fn != null && fn.toString().toLowerCase(Locale.ROOT).endsWith(".index.json")) {
            return fromIndex(path);
        }
        return List.of(path);
    }

    /**
     * Checks that every tensor an index names is in the shard it names.
     *
     * @param index  the index file
     * @param opened the shards, opened
     * @throws TensorFileException naming the first tensor that is missing
     */
    public static void checkIndex(Path index, List<TensorFile> opened) {
        Map<?, ?> map = weightMap(index);
        for (Map.Entry<?, ?> e : map.entrySet()) {
            Path shard = resolve(index, (String) e.getValue());
            for (TensorFile tf : opened) {
                if (tf.path().equals(shard) && tf.find((String) e.getKey()).isEmpty()) {
                    throw new TensorFileException(index, "tensor " + Entry.quote((String) e.getKey())
                            + " is not in its shard " + shard.getFileName());
                }
            }
        }
    }

    private static List<Path> fromIndex(Path index) {
        Set<String> names = new LinkedHashSet<>();
        for (Object v : weightMap(index).values()) {
            names.add((String) v);
        }
        if (names.isEmpty()) {
            throw new TensorFileException(index, "\"weight_map\" names no shard");
        }
        List<Path> out = new ArrayList<>();
        for (String n : names.stream().sorted().toList()) {
            out.add(resolve(index, n));
        }
        return out;
    }

    private static Path resolve(Path index, String shard) {
        Path dir = index.getParent();
        return dir == null ? Path.of(shard) : dir.resolve(shard);
    }

    private static Map<?, ?> weightMap(Path index) {
        String text;
        try {
            text = Files.readString(index, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new TensorFileException(index, "no such file", e);
        } catch (IOException e) {
            throw new TensorFileException(index, "cannot read (" + e.getMessage() + ")", e);
        }
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.SyntaxError e) {
            throw new TensorFileException(index, "invalid JSON: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> top) || !(top.get("weight_map") instanceof Map<?, ?> map)) {
            throw new TensorFileException(index, "not a safetensors index: no \"weight_map\" object");
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s) || s.isEmpty() || s.contains("/") || s.contains("\\")) {
                throw new TensorFileException(index, "\"weight_map\" entry " + Entry.quote((String) e.getKey())
                        + " does not name a shard file in the index's directory");
            }
        }
        return map;
    }

    private static List<Path> list(Path dir, String suffix) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(suffix) && Files.isRegularFile(p)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new TensorFileException(dir, "cannot list the directory (" + e.getMessage() + ")", e);
        }
        out.sort(null);
        return out;
    }
}
