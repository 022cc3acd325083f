import Catalog
import Formats
import Foundation
import Testing
import UnifeedTestSupport

@testable import Feeds

/// Audit reads Amazon's messages and Walmart's items a line at a time, straight from the file's bytes.
@Suite struct JSONLinesReaderTests {
    func lines(_ text: String, only: Set<String>? = nil) throws -> [(Int, JSONNode)] {
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("lines.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = try JSONLinesReader(path: path, onlyMembers: only)
        var out: [(Int, JSONNode)] = []
        while let next = try reader.next() { out.append(next) }
        return out
    }

    @Test func theEnvelopeBlankLinesCommasAndCRLFAreSkipped() throws {
        let text = "{\"header\":{\"sellerId\":\"X\"},\"messages\":[\r\n{\"sku\":\"A\",\"n\":1},\r\n\r\n{\"sku\":\"B\",\"n\":2}\n]}\n{\"sku\":\"C\"}"
        let read = try lines(text)
        #expect(read.map(\.0) == [2, 4, 6], "physical lines, the last one without a line break")
        #expect(read.map { $0.1["sku"]?.string } == ["A", "B", "C"])
    }

    @Test func aLineLongerThanTheLimitIsAnError() throws {
        let long = "{\"sku\":\"" + String(repeating: "x", count: JSONLinesReader.maxLineBytes + 10) + "\"}\n"
        #expect(throws: InputError.self) { try lines(long) }
    }

    @Test func badJSONAndBadUTF8AreErrorsWhereTheyAreRead() throws {
        #expect(throws: InputError.self) { try lines("{\"sku\":\"A\",}\n") }
        // A bad byte in a member audit does not read is skipped (the file's SHA-256 covers it); in one it
        // reads, it is an error.
        let path = try TestPaths.temporaryDirectory().appendingPathComponent("bad.json").path
        try Data(Array("{\"sku\":\"A\",\"t\":\"".utf8) + [0xFF] + Array("\"}\n".utf8)).write(to: URL(fileURLWithPath: path))
        #expect(try JSONLinesReader(path: path, onlyMembers: ["sku"]).next()?.object["sku"]?.string == "A")
        #expect(throws: InputError.self) { try JSONLinesReader(path: path).next() }
    }
}
