package dev.kure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module descriptor seals the internals: only the API packages are exported, a consumer on the
 * module path can use {@link Kernels} (with the SIMD backend, found reflectively inside the module) and
 * cannot even compile against a backend class.
 */
class ModuleBoundaryTest {

    private static final Set<String> API = Set.of("dev.kure", "dev.kure.cuda", "dev.kure.io", "dev.kure.theory");

    /** target/classes: the exploded module (the tests themselves run on the class path). */
    private static Path classes() throws URISyntaxException {
        return Path.of(Kernels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void exportsExactlyTheApiPackages() throws Exception {
        // the finder scans the exploded module for its packages (javac records only the exported ones)
        ModuleDescriptor d = ModuleFinder.of(classes()).find("dev.kure").orElseThrow().descriptor();
        assertEquals("dev.kure", d.name());
        Set<String> exported = d.exports().stream()
                .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(API, exported);
        for (String internal : List.of("dev.kure.scalar", "dev.kure.simd", "dev.kure.spi", "dev.kure.cli")) {
            assertTrue(d.packages().contains(internal), internal + " is in the module");
            assertFalse(exported.contains(internal), internal + " must not be exported");
        }
        // every optional dependency is static, so the module resolves without JCuda, picocli or the
        // vector module (the class path's fallback behaviour, on the module path)
        for (ModuleDescriptor.Requires r : d.requires()) {
            if (!r.name().equals("java.base")) {
                assertTrue(r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC), r.name() + " is static");
            }
        }
    }

    @Test
    void aConsumerOnTheModulePathUsesTheApiButCannotReachTheBackends(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src/consumer");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module consumer { requires dev.kure; }\n");
        Files.writeString(src.resolve("app/Main.java"), """
                package app;
                public class Main {
                    public static void main(String[] a) {
                        dev.kure.Kernels k = dev.kure.Kernels.cpu();
                        System.out.println(k.name() + " " + k.moments(new float[] {1, 2, 3, 6}).mean());
                    }
                }
                """);
        Path out = dir.resolve("out");
        String mp = classes().toString();
        assertEquals("", compile(mp, out, src.resolve("module-info.java"), src.resolve("app/Main.java")));

        // the backend is chosen inside the module (reflectively, for SIMD), with the same vector-module
        // flag as this JVM: the consumer must see the backend the class path sees
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("--module-path", mp + File.pathSeparator + out, "-m", "consumer/app.Main"));
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "consumer finished");
        assertEquals(0, p.exitValue(), printed + "\n" + Files.readString(err));
        assertEquals(Kernels.cpu().name() + " 3.0", printed, Files.readString(err));

        // an internal class is not visible to it at compile time
        Files.writeString(src.resolve("app/Main.java"), """
                package app;
                public class Main {
                    public static void main(String[] a) {
                        System.out.println(dev.kure.spi.QuantMath.class);
                    }
                }
                """);
        String errors = compile(mp, dir.resolve("out2"), src.resolve("module-info.java"), src.resolve("app/Main.java"));
        assertTrue(errors.contains("dev.kure.spi") && errors.contains("not visible"), errors);
    }

    /** Compiles on the module path; returns the error diagnostics ("" when it compiled). */
    private static String compile(String modulePath, Path out, Path... files) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        List<String> options = List.of("-d", out.toString(), "--module-path", modulePath, "-Xlint:none", "-nowarn");
        Set<String> names = new TreeSet<>();
        for (Path f : files) {
            names.add(f.toString());
        }
        boolean ok = javac.getTask(diagnostics, null, null, options, null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjectsFromStrings(names))
                .call();
        return ok ? "" : diagnostics.toString();
    }
}
