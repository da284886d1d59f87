package dev.kure.io;

import static dev.kure.io.Bytes.assertFails;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed safetensors input is a one-line TensorFileException naming the file and the problem. */
class SafetensorsBadInputTest {
    @TempDir
    Path dir;

    private Path file(String name, String header, int dataBytes) {
        return Bytes.write(dir.resolve(name + ".safetensors"), Bytes.safetensors(header, new byte[dataBytes]));
    }

    private static String one(String dtype, String shape, String offsets) {
        return "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    private void fails(Path f, String... fragments) {
        assertFails(f, () -> Bytes.open(f), fragments);
    }

    @Test
    void bytesThatNoTensorCoversAreRejectedAsTheReferenceLoaderDoes() {
        fails(file("trailing", one("F32", "[2]", "[0,8]"), 9), "1 trailing byte", "data section is 9 bytes");
        fails(file("trailing2", one("F32", "[2]", "[0,8]"), 4096), "4088 trailing bytes");
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        fails(file("gap", gap, 12), "bytes [4, 8) of the data section belong to no tensor");
        fails(file("start", one("F32", "[1]", "[4,8]"), 8), "bytes [0, 4) of the data section belong to no tensor");
        fails(file("nothing", "{}", 3), "3 trailing bytes");
        Bytes.open(file("exact", one("F32", "[2]", "[0,8]"), 8));
        Bytes.open(file("none", "{}", 0));
    }

    @Test
    void shorterThanEightBytes() {
        fails(Bytes.write(dir.resolve("empty.safetensors"), new byte[0]), "0 bytes", "shorter than the 8-byte");
        fails(Bytes.write(dir.resolve("five.safetensors"), new byte[5]), "5 bytes", "shorter than the 8-byte");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() {
        byte[] good = Bytes.safetensors(one("F32", "[2]", "[0,8]"), new byte[8]);
        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        fails(Bytes.write(dir.resolve("long.safetensors"), good), "header length " + good.length, "runs past the end");
        byte[] truncated = Arrays.copyOf(Bytes.safetensors(one("F32", "[2]", "[0,8]"), new byte[8]), 30);
        fails(Bytes.write(dir.resolve("trunc.safetensors"), truncated), "runs past the end");
    }

    @Test
    void absurdHeaderLength() {
        byte[] b = new byte[16];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 200_000_000L);
        fails(Bytes.write(dir.resolve("huge.safetensors"), b), "200000000", "100 MB limit");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        fails(Bytes.write(dir.resolve("neg.safetensors"), b), "18446744073709551615", "100 MB limit");
    }

    @Test
    void invalidJson() {
        fails(file("j1", "{\"t\":{\"dtype\":\"F32\",}}", 0), "invalid JSON header");
        fails(file("j2", "{\"t\": nul}", 0), "invalid JSON header");
        fails(file("j3", "[1,2]", 0), "not a JSON object");
        fails(file("j4", "{\"t\":{}} x", 0), "invalid JSON header", "after the value");
        fails(file("j5", "{\"a\":{}, \"a\":{}}", 0), "invalid JSON header", "duplicate key");
        fails(file("j6", "{\"t\":{\"dtype\":\"F32\",\"shape\":[01],\"data_offsets\":[0,4]}}", 4), "leading zero");
        fails(file("j7", "", 0), "invalid JSON header", "empty");
        fails(file("j8", "{\"t\":\"unterminated}", 0), "unterminated string");
        byte[] bad = Bytes.safetensors("{\"\u00e9\":1}", new byte[0]);
        bad[9] = (byte) 0xFF; // break the UTF-8 sequence
        fails(Bytes.write(dir.resolve("utf.safetensors"), bad), "not valid UTF-8");
    }

    @Test
    void missingOrMistypedFields() {
        fails(file("m1", "{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 't'", "missing \"dtype\"");
        fails(file("m2", "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4), "tensor 't'", "missing \"shape\"");
        fails(file("m3", "{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 't'", "missing \"data_offsets\"");
        fails(file("m4", one("F32", "[1]", "[0]"), 4), "\"data_offsets\" has 1 elements, expected 2");
        fails(file("m5", one("F32", "[1.5]", "[0,4]"), 4), "\"shape\" holds 1.5, not an integer");
        fails(file("m6", one("F32", "\"1\"", "[0,4]"), 4), "\"shape\" is not an array");
        fails(file("m7", "{\"t\":{\"dtype\":32,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "\"dtype\" is not a string");
        fails(file("m8", "{\"t\":[1]}", 4), "tensor 't'", "not a JSON object");
        fails(file("m9", "{\"__metadata__\":{\"k\":1}}", 0), "__metadata__", "'k'", "not a string");
        fails(file("m10", one("F32", "[99999999999999999999]", "[0,4]"), 4), "too large");
    }

    @Test
    void unknownDtype() {
        fails(file("d1", one("Q7", "[1]", "[0,4]"), 4), "tensor 't'", "unknown dtype \"Q7\"");
    }

    @Test
    void sizeMismatch() {
        fails(file("s1", one("F32", "[2,3]", "[0,20]"), 24), "tensor 't'", "needs 24 bytes", "span 20");
        fails(file("s2", one("BF16", "[4]", "[0,4]"), 8), "needs 8 bytes", "span 4");
        fails(file("s3", one("I64", "[1]", "[0,4]"), 8), "I64 needs 8 bytes");
    }

    @Test
    void offsetsPastTheEnd() {
        fails(file("o1", one("F32", "[2]", "[0,8]"), 4), "tensor 't'", "run past the end of the file");
        // a correct file with its last bytes cut off
        byte[] whole = Bytes.safetensors(one("F32", "[4]", "[0,16]"), new byte[16]);
        fails(Bytes.write(dir.resolve("cut.safetensors"), Arrays.copyOf(whole, whole.length - 1)),
                "run past the end of the file");
    }

    @Test
    void overlappingTensors() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        fails(file("ov", header, 12), "tensors 'a' and 'b' overlap");
        String same = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        fails(file("ov2", same, 4), "overlap");
        String nested = "{\"big\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"in\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        fails(file("ov3", nested, 20), "'big' and 'in' overlap");
    }

    @Test
    void negativeNumbers() {
        fails(file("n1", one("F32", "[-1]", "[0,4]"), 4), "\"shape\" holds the negative number -1");
        fails(file("n2", one("F32", "[1]", "[-4,0]"), 4), "\"data_offsets\" holds the negative number -4");
        fails(file("n3", one("F32", "[1]", "[8,4]"), 8), "begin after end");
    }

    @Test
    void controlCharactersInNamesStayOnOneLine() {
        fails(file("cc", "{\"a\\nb\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8), "'a\\x0ab'");
    }
}
