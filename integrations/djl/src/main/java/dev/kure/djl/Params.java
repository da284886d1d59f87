package dev.kure.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/** Selection of a model's parameters and float copies in and out of them (package-internal helpers). */
final class Params {
    private Params() {}

    /** Conv and linear weights: parameters of type WEIGHT with at least two dimensions. */
    static boolean isLayerWeight(Parameter p) {
        return p.getType() == Parameter.Type.WEIGHT && p.getArray().getShape().dimension() >= 2;
    }

    /** A name filter from a regular expression ({@code find} semantics); null accepts everything. */
    static Predicate<String> nameFilter(String regex) {
        if (regex == null) {
            return name -> true;
        }
        Pattern p = Pattern.compile(regex);
        return name -> p.matcher(name).find();
    }

    /** The initialized layer weights of {@code model} whose full name passes {@code filter}, in model order. */
    static List<Pair<String, Parameter>> layerWeights(Block model, Predicate<String> filter) {
        List<Pair<String, Parameter>> out = new ArrayList<>();
        for (Pair<String, Parameter> e : model.getParameters()) {
            Parameter p = e.getValue();
            if (p.isInitialized() && isLayerWeight(p) && filter.test(e.getKey())) {
                out.add(e);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no initialized conv/linear weight of the model matches the filter");
        }
        return out;
    }

    static float[] read(NDArray a) {
        MemorySegment s = ZeroCopy.of(a);
        float[] out = new float[Math.toIntExact(a.size())];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, out.length);
        return out;
    }

    static void write(float[] src, NDArray a) {
        MemorySegment s = ZeroCopy.of(a);
        if (src.length != a.size()) {
            throw new IllegalArgumentException(src.length + " floats for an array of " + a.size());
        }
        MemorySegment.copy(src, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, src.length);
    }

    static int[] shape(NDArray a) {
        long[] s = a.getShape().getShape();
        int[] out = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            out[i] = Math.toIntExact(s[i]);
        }
        return out;
    }
}
