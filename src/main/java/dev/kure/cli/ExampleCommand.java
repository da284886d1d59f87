package dev.kure.cli;

import dev.kure.io.SafetensorsWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kure example [FILE]}: writes a small safetensors checkpoint to try the other commands on: a
 * Gaussian conv layer, a Laplace (heavy-tailed) fully connected layer and a bias, generated from a
 * fixed seed, so that every run writes the same bytes.
 */
@Command(name = "example", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Write example.safetensors (or FILE) to try analyze and regularize on: conv1.weight [64, 3, 7, "
                + "7] Gaussian (std 0.05), fc.weight [1000, 512] Laplace (scale 0.02), fc.bias [1000]; fixed seed."})
public final class ExampleCommand implements Callable<Integer> {
    @ParentCommand
    Main parent;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "where to write (default: "
            + "example.safetensors)")
    Path file = Path.of("example.safetensors");

    /** Creates the command (picocli instantiates it). */
    public ExampleCommand() {}

    /** Writes the file. */
    @Override
    public Integer call() {
        if (Files.isDirectory(file)) {
            throw new UserError(file + ": is a directory; give a file name");
        }
        SplittableRandom r = new SplittableRandom(2020);
        new SafetensorsWriter().putMetadata("format", "pt").putMetadata("note", "kure example: generated weights")
                .addFloats("conv1.weight", new long[] {64, 3, 7, 7}, Demo.sample(r, 1, 64 * 3 * 7 * 7, 0.05))
                .addFloats("fc.weight", new long[] {1000, 512}, Demo.sample(r, 2, 1000 * 512, 0.02))
                .addFloats("fc.bias", new long[] {1000}, Demo.sample(r, 1, 1000, 0.01))
                .write(file);
        parent.out.println("wrote " + file + " (conv1.weight Gaussian, fc.weight Laplace, fc.bias); try: kure analyze "
                + "--compact " + file);
        return Main.OK;
    }
}
