package dev.kure.bench;

import jdk.incubator.vector.FloatVector;

/** Prints the preferred float species of this JVM (for the machine description of a run). */
public final class Species {

    private Species() {
    }

    public static void main(String[] args) {
        System.out.println(FloatVector.SPECIES_PREFERRED + ", "
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + " bits");
    }
}
