package dev.kure.djl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tables of measurements over seeds: each cell keeps one value per seed and reports mean ± sample
 * standard deviation. Rows and columns keep the order in which they were first used.
 */
final class Results {
    /** One table: a title, a note under it, ordered rows and columns, and the cells' values. */
    static final class Table {
        final String id;
        final String title;
        final String note;
        final String format;
        final List<String> rows = new ArrayList<>();
        final List<String> cols = new ArrayList<>();
        final Map<String, List<Double>> cells = new LinkedHashMap<>();

        Table(String id, String title, String note, String format) {
            this.id = id;
            this.title = title;
            this.note = note;
            this.format = format;
        }

        void add(String row, String col, double v) {
            if (!rows.contains(row)) {
                rows.add(row);
            }
            if (!cols.contains(col)) {
                cols.add(col);
            }
            cells.computeIfAbsent(row + "\u0000" + col, k -> new ArrayList<>()).add(v);
        }

        List<Double> values(String row, String col) {
            return cells.getOrDefault(row + "\u0000" + col, List.of());
        }

        double mean(String row, String col) {
            List<Double> v = values(row, col);
            return v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double std(String row, String col) {
            List<Double> v = values(row, col);
            if (v.size() < 2) {
                return Double.NaN;
            }
            double m = mean(row, col), s = 0;
            for (double x : v) {
                s += (x - m) * (x - m);
            }
            return Math.sqrt(s / (v.size() - 1));
        }

        String cell(String row, String col) {
            List<Double> v = values(row, col);
            if (v.isEmpty()) {
                return "";
            }
            String m = String.format(Locale.ROOT, format, mean(row, col));
            return v.size() < 2 ? m : m + " ± " + String.format(Locale.ROOT, format, std(row, col));
        }

        String markdown() {
            StringBuilder sb = new StringBuilder();
            sb.append("### ").append(title).append("\n\n");
            if (!note.isEmpty()) {
                sb.append(note).append("\n\n");
            }
            sb.append("| |");
            cols.forEach(c -> sb.append(' ').append(c).append(" |"));
            sb.append("\n|---|");
            cols.forEach(c -> sb.append("---:|"));
            sb.append('\n');
            for (String r : rows) {
                sb.append("| ").append(r).append(" |");
                for (String c : cols) {
                    sb.append(' ').append(cell(r, c)).append(" |");
                }
                sb.append('\n');
            }
            return sb.append('\n').toString();
        }

        String json() {
            StringBuilder sb = new StringBuilder("{\"title\": ").append(str(title)).append(", \"rows\": ").append(strs(rows))
                    .append(", \"cols\": ").append(strs(cols)).append(", \"values\": [");
            for (int i = 0; i < rows.size(); i++) {
                sb.append(i == 0 ? "" : ", ").append('[');
                for (int j = 0; j < cols.size(); j++) {
                    sb.append(j == 0 ? "" : ", ").append('[');
                    List<Double> v = values(rows.get(i), cols.get(j));
                    for (int k = 0; k < v.size(); k++) {
                        sb.append(k == 0 ? "" : ", ").append(num(v.get(k)));
                    }
                    sb.append(']');
                }
                sb.append(']');
            }
            return sb.append("]}").toString();
        }
    }

    private final Map<String, Table> tables = new LinkedHashMap<>();

    Table table(String id, String title, String note, String format) {
        return tables.computeIfAbsent(id, k -> new Table(id, title, note, format));
    }

    Table get(String id) {
        return tables.get(id);
    }

    List<Table> all() {
        return List.copyOf(tables.values());
    }

    String json() {
        StringBuilder sb = new StringBuilder("{");
        int i = 0;
        for (Table t : tables.values()) {
            sb.append(i++ == 0 ? "\n  " : ",\n  ").append(str(t.id)).append(": ").append(t.json());
        }
        return sb.append("\n}").toString();
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String strs(List<String> l) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < l.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(str(l.get(i)));
        }
        return sb.append(']').toString();
    }

    static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
