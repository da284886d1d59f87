package dev.kure.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Writes the {@link Traffic} declaration of every benchmark in this jar as JSON, keyed by the
 * benchmark name JMH uses in its results ({@code package.Class.method}):
 *
 * <pre>{"dev.kure.bench.BaselineBench.copy": {"bytesPerElement": 8.0, "bytesPerOp": 0,
 *   "elementBytes": 4, "sizeParam": "size", "note": "..."}, ...}</pre>
 *
 * <p>A benchmark without {@code @Traffic} (on the method or its class) maps to {@code null}; the
 * report then shows its score but no GB/s. Usage:
 * {@code java -cp kure-benchmarks.jar dev.kure.bench.TrafficTable [out.json]}.
 */
public final class TrafficTable {

    private TrafficTable() {
    }

    public static void main(String[] args) throws IOException, ReflectiveOperationException {
        String json = toJson(collect());
        if (args.length > 0) {
            Files.writeString(Path.of(args[0]), json, StandardCharsets.UTF_8);
        } else {
            PrintStream out = System.out;
            out.print(json);
        }
    }

    /** Benchmark name → its traffic declaration, or null where there is none. */
    static Map<String, Traffic> collect() throws IOException, ReflectiveOperationException {
        List<BenchmarkListEntry> entries;
        try (InputStream in = TrafficTable.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            if (in == null) {
                throw new IllegalStateException("no " + BenchmarkList.BENCHMARK_LIST
                        + " on the class path: was the jar built with jmh-generator-annprocess?");
            }
            entries = BenchmarkList.readBenchmarkList(in);
        }
        Map<String, Traffic> table = new TreeMap<>();
        for (BenchmarkListEntry e : entries) {
            String name = e.getUsername();
            String className = e.getUserClassQName();
            String methodName = name.substring(className.length() + 1);
            Class<?> cls = Class.forName(className, false, TrafficTable.class.getClassLoader());
            table.put(name, find(cls, methodName));
        }
        return table;
    }

    private static Traffic find(Class<?> cls, String methodName) {
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(methodName) && m.isAnnotationPresent(Traffic.class)) {
                    return m.getAnnotation(Traffic.class);
                }
            }
        }
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            Traffic t = c.getAnnotation(Traffic.class);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    static String toJson(Map<String, Traffic> table) {
        StringBuilder sb = new StringBuilder("{\n");
        int k = 0;
        for (Map.Entry<String, Traffic> e : table.entrySet()) {
            sb.append("  ").append(quote(e.getKey())).append(": ");
            Traffic t = e.getValue();
            if (t == null) {
                sb.append("null");
            } else {
                sb.append("{\"bytesPerElement\": ").append(t.bytesPerElement())
                        .append(", \"bytesPerOp\": ").append(t.bytesPerOp())
                        .append(", \"elementBytes\": ").append(t.elementBytes())
                        .append(", \"sizeParam\": ").append(quote(t.sizeParam()))
                        .append(", \"note\": ").append(quote(t.note())).append('}');
            }
            sb.append(++k < table.size() ? ",\n" : "\n");
        }
        return sb.append("}\n").toString();
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
