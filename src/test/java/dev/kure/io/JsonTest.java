package dev.kure.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict JSON parser used for safetensors headers. */
class JsonTest {
    @Test
    void parsesValuesInOrder() throws Exception {
        Object v = Json.parse(" {\"b\": [1, -2.5e3, true, false, null], \"a\": \"x\\u00e9\\ud83d\\ude00\\n\\\"\", \"\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", ""), List.copyOf(m.keySet()));
        List<?> b = (List<?>) m.get("b");
        assertEquals(new Json.Num("1"), b.get(0));
        assertEquals(new Json.Num("-2.5e3"), b.get(1));
        assertEquals(Boolean.TRUE, b.get(2));
        assertEquals(Json.NULL, b.get(4));
        assertEquals("x\u00e9\ud83d\ude00\n\"", m.get("a"));
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        String[] bad = {
            "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{a:1}", "'x'", "01", "1.", ".5", "-", "1e", "+1",
            "tru", "nul", "\"\\x\"", "\"\t\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "[1] [2]",
            "{\"a\":1,\"a\":2}", "/*c*/{}", "NaN", "[" .repeat(100) + "]".repeat(100),
        };
        for (String s : bad) {
            assertThrows(Json.SyntaxError.class, () -> Json.parse(s), s);
        }
    }

    @Test
    void quoteRoundTrips() throws Exception {
        String s = "a\"b\\c\nd\u0001\u00e9\ud83d\ude00/";
        assertEquals(s, Json.parse(Json.quote(new StringBuilder(), s).toString()));
    }
}
