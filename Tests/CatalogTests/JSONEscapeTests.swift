import Catalog
import Foundation
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

    /// Long texts with the characters that need escaping at every offset of the eight-byte steps: the
    /// same as a byte-by-byte reference.
    @Test func longTextsMatchAByteByByteReference() {
        let pieces = ["a", "é", "\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{2028}", "\u{2029}", "–", "€", "✓", " ", "0123456", "\u{7F}", "ÿ"]
        var generator = SplitMix64(seed: 20_261_207)  // the same texts every run
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...40, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            var out: [UInt8] = []
            JSONValue.escape(text, into: &out)
            #expect(String(decoding: out, as: UTF8.self) == Self.reference(text), "\(Array(text.utf8))")
        }
    }

    static func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A seeded generator (SplitMix64): random-looking texts that are the same in every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
