import Catalog
import Formats
import Foundation
import Testing

/// Reads every record of `text` (as bytes) with chunks of `chunkSize`, returning (line, fields) pairs.
func readAll(
    _ bytes: [UInt8], chunkSize: Int = 1 << 16, delimiter: UInt8? = nil, encoding: TextEncoding = .utf8,
    limits: CSVLimits = CSVLimits()
) throws -> [(Int, [String])] {
    let reader = try CSVReader(
        source: MemoryByteSource(bytes, chunkSize: chunkSize), file: "t.csv", delimiter: delimiter,
        encoding: encoding, limits: limits, chunkSize: max(chunkSize, 4))
    var out: [(Int, [String])] = []
    while try reader.next() { out.append((reader.line, reader.fields)) }
    return out
}

func readAll(_ text: String, chunkSize: Int = 1 << 16) throws -> [(Int, [String])] {
    try readAll(Array(text.utf8), chunkSize: chunkSize)
}

@Suite struct CSVReaderTests {
    static let tricky = "\u{FEFF}sku,title,description\r\nA1,\"Tee, black\",\"<p>Line one</p>\r\n<p>\"\"Quoted\"\" line</p>\"\r\n\r\nA2,Plain,\r\nA3,\"\",last"

    /// The same records and line numbers whatever the chunk size (records cut across chunk boundaries).
    @Test(arguments: [1, 2, 3, 7, 64 * 1024])
    func chunkBoundariesChangeNothing(chunkSize: Int) throws {
        let records = try readAll(Self.tricky, chunkSize: chunkSize)
        #expect(records.map(\.0) == [1, 2, 5, 6])  // the A1 record spans lines 2–3; line 4 is blank
        #expect(records[0].1 == ["sku", "title", "description"])
        #expect(records[1].1 == ["A1", "Tee, black", "<p>Line one</p>\r\n<p>\"Quoted\" line</p>"])
        #expect(records[2].1 == ["A2", "Plain", ""])
        #expect(records[3].1 == ["A3", "", "last"])
    }

    @Test(arguments: [(",", "a,b;c\n1,2;3\n", ["a", "b;c"]), (";", "a;b,c;d\n", ["a", "b,c", "d"]), ("\t", "a\tb\tc,d\n", ["a", "b", "c,d"])])
    func detectsTheDelimiterFromTheHeader(expected: String, text: String, header: [String]) throws {
        let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), file: "t.csv")
        #expect(reader.delimiter == UInt8(ascii: Unicode.Scalar(expected)!))
        #expect(try reader.next())
        #expect(reader.fields == header)
    }

    @Test func oldMacLineEndsAndAMissingFinalNewline() throws {
        let records = try readAll("a,b\r1,2\r3,4")
        #expect(records.map(\.1) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(records.map(\.0) == [1, 2, 3])
    }

    @Test func unterminatedQuoteIsFatalAndNamesTheRecordsLine() throws {
        #expect(
            throws: InputError(
                "unterminated quoted field: the quote opened in this record is never closed",
                at: InputLocation(file: "t.csv", line: 3), column: "b")
        ) {
            try readAll("a,b\n1,2\n3,\"open\n4,5\n")
        }
    }

    @Test func textAfterAClosingQuoteIsAnError() throws {
        #expect(
            throws: InputError(
                "expected a delimiter or the end of the line after a closing quote",
                at: InputLocation(file: "t.csv", line: 2), column: "a", found: "x")
        ) {
            try readAll("a,b\n\"q\"x,2\n")
        }
    }

    @Test func limitsAreEnforcedWithBoundedMemory() throws {
        var limits = CSVLimits()
        limits.maxFieldBytes = 16
        limits.maxRecordBytes = 24
        limits.maxColumns = 3
        #expect(
            throws: InputError(
                "field is longer than the limit of 0 KiB (an unclosed quote?)",
                at: InputLocation(file: "t.csv", line: 2), column: "b")
        ) {
            try readAll(Array("a,b\n1,\(String(repeating: "x", count: 17))\n".utf8), limits: limits)
        }
        #expect(throws: InputError("record is longer than the limit of 0 KiB", at: InputLocation(file: "t.csv", line: 2))) {
            try readAll(Array("a,b,c\n1234567890,1234567890,1234567890\n".utf8), limits: limits)
        }
        #expect(throws: InputError("more than 3 columns", at: InputLocation(file: "t.csv", line: 1))) {
            try readAll(Array("a,b,c,d\n".utf8), limits: limits)
        }
    }

    @Test func aOneMegabyteFieldIsRefusedAtTheDefaultLimit() throws {
        let big = "sku,description\nA,\(String(repeating: "x", count: 1 << 20))\n"
        #expect(
            throws: InputError(
                "field is longer than the limit of 256 KiB (an unclosed quote?)",
                at: InputLocation(file: "t.csv", line: 2), column: "description")
        ) {
            try readAll(big)
        }
    }

    @Test(arguments: [
        ([0xC3, 0x28] as [UInt8], 9, 2),  // bad continuation
        ([0xC0, 0xAF], 9, 2),  // overlong '/'
        ([0xED, 0xA0, 0x80], 9, 2),  // UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], 9, 2),  // above U+10FFFF
        ([0xE2, 0x82], 9, 2),  // cut short at the end of the file
    ])
    func invalidUTF8IsFatalWithLineAndByteOffset(bad: [UInt8], offset: Int, line: Int) throws {
        let bytes = Array("a,b\nok,x".utf8) + bad
        for chunkSize in [1, 3, 64] {
            #expect(
                throws: InputError(
                    "invalid UTF-8 at byte offset \(offset - 1); if the file comes from Excel or Windows, import it with --encoding windows-1252",
                    at: InputLocation(file: "t.csv", line: line))
            ) {
                try readAll(bytes, chunkSize: chunkSize)
            }
        }
    }

    @Test func windows1252IsTranscoded() throws {
        // "café – “x” €" in Windows-1252
        let bytes: [UInt8] = Array("a\n".utf8) + [0x63, 0x61, 0x66, 0xE9, 0x20, 0x96, 0x20, 0x93, 0x78, 0x94, 0x20, 0x80, 0x0A]
        #expect(throws: InputError.self) { try readAll(bytes) }
        let records = try readAll(bytes, chunkSize: 2, encoding: .windows1252)
        #expect(records[1].1 == ["café – “x” €"])
        #expect(throws: InputError("byte 0x81 at byte offset 2 is not defined in Windows-1252", at: InputLocation(file: "t.csv", line: 2))) {
            try readAll(Array("a\n".utf8) + [0x81, 0x0A], encoding: .windows1252)
        }
    }

    @Test func utf16IsRefusedWithAHint() throws {
        #expect(throws: InputError("the file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)", at: InputLocation(file: "t.csv", line: 1))) {
            try readAll([0xFF, 0xFE, 0x61, 0x00])
        }
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try readAll("").isEmpty)
        #expect(try readAll("\u{FEFF}").isEmpty)
        #expect(try readAll("\n\n").isEmpty)
    }
}
