package dev.kure.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Runs the CLI in-process and helps build test files. */
final class Cli {
    private Cli() {}

    /** Exit code and captured streams of one run. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    static Result run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
             PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, po, pe);
        }
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static float[] gaussian(int n, double std, long seed) {
        return Demo.sample(new SplittableRandom(seed), 1, n, std);
    }

    static float[] laplace(int n, double b, long seed) {
        return Demo.sample(new SplittableRandom(seed), 2, n, b);
    }

    /** An .npz (stored, not deflated) holding .npy members written by NpyWriter. */
    static void npz(Path out, Path tmp, Map<String, float[]> arrays, Map<String, long[]> shapes) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(java.nio.file.Files.newOutputStream(out))) {
            for (Map.Entry<String, float[]> a : arrays.entrySet()) {
                Path member = tmp.resolve(a.getKey() + ".npy");
                dev.kure.io.NpyWriter.write(member, shapes.get(a.getKey()), a.getValue());
                z.putNextEntry(new ZipEntry(a.getKey() + ".npy"));
                z.write(java.nio.file.Files.readAllBytes(member));
                z.closeEntry();
            }
        }
    }

    // ---- a small JSON parser for checking --json output ----

    static Object json(String s) {
        int[] pos = {0};
        Object v = value(s, pos);
        skip(s, pos);
        if (pos[0] != s.length()) {
            throw new IllegalArgumentException("trailing text at " + pos[0]);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    static Object at(Object json, Object... path) {
        Object cur = json;
        for (Object p : path) {
            cur = p instanceof Integer i ? ((List<Object>) cur).get(i) : ((Map<String, Object>) cur).get((String) p);
        }
        return cur;
    }

    static double num(Object json, Object... path) {
        Object v = at(json, path);
        return v == null ? Double.NaN : (Double) v;
    }

    private static Object value(String s, int[] p) {
        skip(s, p);
        char c = s.charAt(p[0]);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            p[0]++;
            skip(s, p);
            if (s.charAt(p[0]) == '}') {
                p[0]++;
                return m;
            }
            while (true) {
                skip(s, p);
                String k = (String) value(s, p);
                skip(s, p);
                expect(s, p, ':');
                m.put(k, value(s, p));
                skip(s, p);
                if (s.charAt(p[0]) == ',') {
                    p[0]++;
                } else {
                    expect(s, p, '}');
                    return m;
                }
            }
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            p[0]++;
            skip(s, p);
            if (s.charAt(p[0]) == ']') {
                p[0]++;
                return l;
            }
            while (true) {
                l.add(value(s, p));
                skip(s, p);
                if (s.charAt(p[0]) == ',') {
                    p[0]++;
                } else {
                    expect(s, p, ']');
                    return l;
                }
            }
        }
        if (c == '"') {
            StringBuilder b = new StringBuilder();
            p[0]++;
            while (s.charAt(p[0]) != '"') {
                char ch = s.charAt(p[0]++);
                if (ch == '\\') {
                    char esc = s.charAt(p[0]++);
                    switch (esc) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(p[0], p[0] + 4), 16));
                            p[0] += 4;
                        }
                        default -> b.append(esc);
                    }
                } else {
                    b.append(ch);
                }
            }
            p[0]++;
            return b.toString();
        }
        for (String lit : new String[] {"null", "true", "false"}) {
            if (s.startsWith(lit, p[0])) {
                p[0] += lit.length();
                return lit.equals("null") ? null : Boolean.valueOf(lit);
            }
        }
        int start = p[0];
        while (p[0] < s.length() && "+-0123456789.eE".indexOf(s.charAt(p[0])) >= 0) {
            p[0]++;
        }
        return Double.parseDouble(s.substring(start, p[0]));
    }

    private static void skip(String s, int[] p) {
        while (p[0] < s.length() && Character.isWhitespace(s.charAt(p[0]))) {
            p[0]++;
        }
    }

    private static void expect(String s, int[] p, char c) {
        if (s.charAt(p[0]) != c) {
            throw new IllegalArgumentException("expected " + c + " at " + p[0]);
        }
        p[0]++;
    }
}
