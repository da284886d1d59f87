package dev.kure.spi;

import dev.kure.scalar.ScalarBackend;

/** The scalar reference behind {@link Backend}'s default methods. */
final class Reference {
    private Reference() {}

    static final Backend SCALAR = new ScalarBackend("reference for the default methods of Backend");
}
