package dev.kure.djl;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.kure.FpKernels;
import dev.kure.FpQuantizer;
import dev.kure.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Post-training quantization of a trained model's weights: {@link #apply} fake-quantizes every
 * selected conv/linear weight in place with any {@link WeightQuantSpec} (always from the original
 * values saved when this object was made, so settings can be tried one after another), and
 * {@link #restore()} writes the original float32 values back bit for bit.
 *
 * <pre>{@code
 * try (Ptq ptq = Ptq.of(model.getBlock())) {
 *     ptq.apply(Kernels.cpu(), WeightQuantSpec.of(4));   // W4, per channel, MSE steps
 *     double acc = evaluate(model);
 * }                                                     // close() restores the weights
 * }</pre>
 */
public final class Ptq implements AutoCloseable {
    private final List<String> names = new ArrayList<>();
    private final List<Parameter> params = new ArrayList<>();
    private final List<float[]> saved = new ArrayList<>();
    private final List<int[]> shapes = new ArrayList<>();

    private Ptq(Block model, String filter) {
        for (Pair<String, Parameter> e : Params.layerWeights(model, Params.nameFilter(filter))) {
            names.add(e.getKey());
            params.add(e.getValue());
            saved.add(Params.read(e.getValue().getArray()));
            shapes.add(Params.shape(e.getValue().getArray()));
        }
    }

    /** Saves the conv/linear weights of an initialized {@code model}. */
    public static Ptq of(Block model) {
        return new Ptq(Objects.requireNonNull(model, "model"), null);
    }

    /** Saves the conv/linear weights whose full name matches {@code regex}. */
    public static Ptq of(Block model, String regex) {
        return new Ptq(Objects.requireNonNull(model, "model"), Objects.requireNonNull(regex, "regex"));
    }

    /** Names of the quantized parameters, in model order. */
    public List<String> names() {
        return List.copyOf(names);
    }

    /** The saved original values of parameter {@code i} (a copy). */
    public float[] original(int i) {
        return saved.get(i).clone();
    }

    /** Replaces every selected weight by its fake-quantized original under {@code spec}. */
    public void apply(Kernels kernels, WeightQuantSpec spec) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(spec, "spec");
        for (int i = 0; i < params.size(); i++) {
            Params.write(spec.apply(kernels, saved.get(i), shapes.get(i)), params.get(i).getArray());
        }
    }

    /**
     * Replaces every selected weight by its original fake-quantized to a floating-point format
     * (FP8, FP6, FP4, MX, NVFP4); {@code formatFor} gives the quantizer for a weight of a shape (so
     * per-channel scalings can name it).
     */
    public void apply(FpKernels kernels, Function<int[], FpQuantizer> formatFor) {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(formatFor, "formatFor");
        for (int i = 0; i < params.size(); i++) {
            FpQuantizer q = Objects.requireNonNull(formatFor.apply(shapes.get(i).clone()), "format");
            Params.write(kernels.fakeQuantize(saved.get(i), q), params.get(i).getArray());
        }
    }

    /** Writes the original weights back (bit for bit). */
    public void restore() {
        for (int i = 0; i < params.size(); i++) {
            Params.write(saved.get(i), params.get(i).getArray());
        }
    }

    /** True when every selected weight holds exactly its saved bits. */
    public boolean isRestored() {
        for (int i = 0; i < params.size(); i++) {
            float[] now = Params.read(params.get(i).getArray());
            if (!Arrays.equals(now, saved.get(i))) { // Arrays.equals on float[] compares the bits
                return false;
            }
        }
        return true;
    }

    /** Restores the weights. */
    @Override
    public void close() {
        restore();
    }
}
