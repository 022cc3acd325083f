import Catalog
import Testing

/// `JSONValue.escape`: the string escaping every JSON output (Amazon, Walmart, the API) goes through.
@Suite struct JSONEscapeTests {
    @Test(
        "RFC 8259 escaping, with U+2028 and U+2029",
        arguments: [
            ("plain text", #""plain text""#),
            ("", #""""#),
            (#"say "hi""#, #""say \"hi\"""#),
            (#"back\slash"#, #""back\\slash""#),
            ("a\nb\rc\td", #""a\nb\rc\td""#),
            ("bell\u{07} nul\u{00} esc\u{1B} us\u{1F}", #""bell\u0007 nul\u0000 esc\u001b us\u001f""#),
            ("line\u{2028}para\u{2029}end", #""line\u2028para\u2029end""#),
            // Other characters whose UTF-8 starts with 0xE2 stay as they are.
            ("5 – 10 € ✓ ‰", #""5 – 10 € ✓ ‰""#),
            ("Größe \u{2028}", #""Größe \u2028""#),
            ("\"", #""\"""#),
        ])
    func escape(text: String, expected: String) {
        var out: [UInt8] = []
        JSONValue.escape(text, into: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }
}
