package dev.kure.djl;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;

/** Every initialized parameter of a model saved as float32 values, to return to a checkpoint in memory. */
final class Snapshot {
    private final List<Parameter> params = new ArrayList<>();
    private final List<float[]> values = new ArrayList<>();

    Snapshot(Block model) {
        for (Pair<String, Parameter> e : model.getParameters()) {
            if (e.getValue().isInitialized()) {
                params.add(e.getValue());
                values.add(Params.read(e.getValue().getArray()));
            }
        }
    }

    void restore() {
        for (int i = 0; i < params.size(); i++) {
            Params.write(values.get(i), params.get(i).getArray());
        }
    }
}
