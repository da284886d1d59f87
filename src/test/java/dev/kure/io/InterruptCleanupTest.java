package dev.kure.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JVM stopped by Ctrl-C (SIGINT) or SIGTERM while writing leaves no temporary file behind: a real
 * signal to a child JVM that is in the middle of an {@link AtomicWrite}.
 */
class InterruptCleanupTest {
    @org.junit.jupiter.api.io.TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    void signalRemovesTheTemporaryFile(String signal) throws Exception {
        Path target = dir.resolve("out.safetensors");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), AtomicWriteChild.class.getName(),
                target.toString()).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertEquals("ready", line, "child did not start");
            assertEquals(1, temporaries().size(), "the temporary file exists while writing");
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start();
            Assumptions.assumeTrue(kill.waitFor() == 0, "kill(1) is not available");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "child did not stop");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(List.of(), temporaries(), "shutdown hook removed the temporary file");
        assertFalse(Files.exists(target));
    }

    private List<Path> temporaries() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
