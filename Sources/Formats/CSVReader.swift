import Catalog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bounds that keep a hostile file from taking unbounded memory (DESIGN.md §3).
public struct CSVLimits: Sendable {
    public var maxFieldBytes = 256 * 1024
    public var maxRecordBytes = 1 << 20
    public var maxColumns = 10_000
    public init() {}
}

/// A streaming RFC 4180 reader working on bytes: quoted fields with embedded newlines and `""` escapes,
/// CRLF/LF/CR line ends, a UTF-8 BOM, and `,` `;` or tab detected from the header line.
///
/// Memory is one read buffer plus the current record. Input is checked for valid UTF-8 as it is read
/// (or transcoded from Windows-1252 first), so a bad byte stops the read with its line and byte offset.
/// Blank lines between records are skipped. Each record knows the physical line it starts on.
public final class CSVReader {
    public let file: String
    public let encoding: TextEncoding
    public let limits: CSVLimits
    /// The field separator in use (detected unless given).
    public private(set) var delimiter: UInt8
    /// The fields of the current record.
    ///
    /// The reader's per-byte state is marked `@exclusivity(unchecked)`: the reader is used from one
    /// thread and never lends these to a closure that would touch them again, and the run-time access
    /// checks on them were a tenth of the import's parsing thread (docs/PERFORMANCE.md, "CSV reader").
    @exclusivity(unchecked) public private(set) var fields: [String] = []
    /// The indexes of the current record's fields that hold a NUL byte (found with `memchr` while the
    /// field's bytes are at hand: a scan of every field's String afterwards was 3% of the import's
    /// reading thread).
    public private(set) var fieldsWithNUL: [Int] = []
    /// The physical line (1-based) where the current record starts.
    public private(set) var line = 0
    /// The first record's fields, kept to name columns in errors.
    public private(set) var header: [String] = []
    /// After the header, only these columns' fields are made; the others read as `""` (their bytes are
    /// still parsed, counted against the limits and checked as UTF-8). `nil`: every column.
    public var keptColumns: Set<Int>? {
        didSet { keptMask = keptColumns.map { kept in (0..<(kept.max().map { $0 + 1 } ?? 0)).map { kept.contains($0) } } }
    }
    @exclusivity(unchecked) private var keptMask: [Bool]?
    /// The field being read is left out (`keptColumns`).
    @inline(__always) private var skippingField: Bool {
        guard let keptMask, records > 0 else { return false }
        return fields.count >= keptMask.count || !keptMask[fields.count]
    }

    private var source: any ByteSource
    @exclusivity(unchecked) private var data: [UInt8] = []
    @exclusivity(unchecked) private var pos = 0
    private var raw: [UInt8]
    private var eof = false
    private var physicalLine = 1
    private var validator = UTF8Validator()
    private var rawOffset = 0
    @exclusivity(unchecked) private var field: [UInt8] = []
    @exclusivity(unchecked) private var recordBytes = 0
    private var records = 0

    /// `"`, or LF when quoting is off (LF is handled before quotes, so no byte opens a quoted field).
    private let quote: UInt8
    private static let lf = UInt8(ascii: "\n")
    private static let cr = UInt8(ascii: "\r")

    /// - Parameters:
    ///   - delimiter: `nil` to detect `,` `;` or tab from the header line.
    ///   - quoting: `false` for plain tab-separated files where `"` is an ordinary character (Amazon's
    ///     flat-file reports: `12" Skillet`).
    public init(
        source: any ByteSource, file: String, delimiter: UInt8? = nil, encoding: TextEncoding = .utf8,
        limits: CSVLimits = CSVLimits(), chunkSize: Int = 1 << 16, quoting: Bool = true
    ) throws {
        self.source = source
        self.quote = quoting ? UInt8(ascii: "\"") : UInt8(ascii: "\n")
        self.file = file
        self.encoding = encoding
        self.limits = limits
        self.raw = [UInt8](repeating: 0, count: chunkSize)
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        data.reserveCapacity(chunkSize * 2)
        field.reserveCapacity(256)
        try skipByteOrderMark()
        if delimiter == nil { self.delimiter = try detectDelimiter() }
    }

    /// Opens a file.
    public convenience init(
        path: String, displayName: String? = nil, delimiter: UInt8? = nil, encoding: TextEncoding = .utf8,
        limits: CSVLimits = CSVLimits(), quoting: Bool = true
    ) throws {
        try self.init(
            source: try FileByteSource(path: path), file: displayName ?? path, delimiter: delimiter,
            encoding: encoding, limits: limits, quoting: quoting)
    }

    deinit { (source as? FileByteSource)?.close() }

    /// Reads the next record into `fields`; returns `false` at the end of the input.
    public func next() throws -> Bool {
        fields.removeAll(keepingCapacity: true)
        if !fieldsWithNUL.isEmpty { fieldsWithNUL.removeAll() }
        field.removeAll(keepingCapacity: true)
        recordBytes = 0
        line = physicalLine
        var inQuotes = false
        var afterClosingQuote = false
        var started = false  // anything of this record seen (a delimiter, a quote, a byte)
        let delimiter = self.delimiter
        while true {
            if pos == data.count {
                if try !fill() {
                    if inQuotes {
                        throw InputError(
                            "unterminated quoted field: the quote opened in this record is never closed",
                            at: InputLocation(file: file, line: line), column: columnName(fields.count))
                    }
                    if !started { return false }
                    return try endRecord()
                }
            }
            if inQuotes {
                let start = pos
                var newlines = 0
                data.withUnsafeBufferPointer { p in
                    while pos < p.count {
                        let b = p[pos]
                        if b == quote { break }
                        if b == Self.lf { newlines += 1 }
                        pos += 1
                    }
                }
                physicalLine += newlines
                try append(start, pos)
                if pos < data.count {
                    pos += 1
                    inQuotes = false
                    afterClosingQuote = true
                }
                continue
            }
            let b = data[pos]
            if afterClosingQuote {
                afterClosingQuote = false
                if b == quote {  // "" inside a quoted field
                    try append(pos, pos + 1)
                    pos += 1
                    inQuotes = true
                    continue
                }
                if b != delimiter && b != Self.lf && b != Self.cr {
                    throw InputError(
                        "expected a delimiter or the end of the line after a closing quote",
                        at: InputLocation(file: file, line: line), column: columnName(fields.count),
                        found: String(decoding: [b], as: UTF8.self))
                }
            }
            switch b {
            case delimiter:
                pos += 1
                started = true
                try endField()
            case Self.lf, Self.cr:
                pos += 1
                if b == Self.cr {
                    if pos == data.count { _ = try fill() }
                    if pos < data.count && data[pos] == Self.lf { pos += 1 }
                }
                physicalLine += 1
                if !started {  // blank line
                    line = physicalLine
                    continue
                }
                return try endRecord()
            case quote:
                started = true
                if field.isEmpty {
                    inQuotes = true
                } else {
                    try append(pos, pos + 1)  // a stray quote inside an unquoted field is kept as is
                }
                pos += 1
            default:
                started = true
                let start = pos
                data.withUnsafeBufferPointer { p in
                    while pos < p.count {
                        let c = p[pos]
                        if c == delimiter || c == Self.lf || c == Self.cr || c == quote { break }
                        pos += 1
                    }
                }
                try append(start, pos)
            }
        }
    }

    /// The name of column `index` for messages: the header as written, or its 1-based number.
    public func columnName(_ index: Int) -> String {
        index < header.count ? header[index] : "column \(index + 1)"
    }

    private func append(_ start: Int, _ end: Int) throws {
        guard end > start else { return }
        let count = end - start
        if field.count + count > limits.maxFieldBytes {
            throw InputError(
                "field is longer than the limit of \(limits.maxFieldBytes / 1024) KiB (an unclosed quote?)",
                at: InputLocation(file: file, line: line), column: columnName(fields.count))
        }
        recordBytes += count
        if recordBytes > limits.maxRecordBytes {
            throw InputError(
                "record is longer than the limit of \(limits.maxRecordBytes / 1024) KiB",
                at: InputLocation(file: file, line: line))
        }
        if skippingField { return }
        data.withUnsafeBufferPointer { p in field.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<end])) }
    }

    private func endField() throws {
        if fields.count >= limits.maxColumns {
            throw InputError("more than \(limits.maxColumns) columns", at: InputLocation(file: file, line: line))
        }
        if field.withUnsafeBufferPointer({ p in p.baseAddress.map { memchr($0, 0, p.count) != nil } ?? false }) {
            fieldsWithNUL.append(fields.count)
        }
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private func endRecord() throws -> Bool {
        try endField()
        if records == 0 { header = fields }
        records += 1
        return true
    }

    /// Moves unread bytes to the front and appends one more chunk; `false` when no byte was added (the end).
    private func fill() throws -> Bool {
        if pos > 0 {
            data.removeSubrange(0..<pos)
            pos = 0
        }
        while !eof {
            let n = try raw.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 {
                eof = true
                if encoding == .utf8, let bad = validator.finish() { throw invalidUTF8(bad) }
                break
            }
            try raw.withUnsafeBytes { chunk in
                let part = UnsafeRawBufferPointer(rebasing: chunk[0..<n])
                if rawOffset == 0, n >= 2, (part[0] == 0xFF && part[1] == 0xFE) || (part[0] == 0xFE && part[1] == 0xFF) {
                    throw InputError("the file is UTF-16; save it as UTF-8 (CSV UTF-8 in Excel)", at: InputLocation(file: file, line: 1))
                }
                switch encoding {
                case .utf8:
                    if let bad = validator.validate(part) { throw invalidUTF8(bad) }
                    data.append(contentsOf: part)
                case .windows1252:
                    if let bad = Windows1252.transcode(part, into: &data) {
                        throw InputError(
                            "byte 0x\(String(part[bad], radix: 16, uppercase: true)) at byte offset \(rawOffset + bad) is not defined in Windows-1252",
                            at: InputLocation(file: file, line: physicalLine + data[pos...].filter { $0 == Self.lf }.count))
                    }
                }
            }
            rawOffset += n
            return true
        }
        return false
    }

    private func invalidUTF8(_ bad: (offset: Int, line: Int)) -> InputError {
        InputError(
            "invalid UTF-8 at byte offset \(bad.offset); if the file comes from Excel or Windows, import it with --encoding windows-1252",
            at: InputLocation(file: file, line: bad.line))
    }

    /// Skips what comes before the header's first cell: whitespace and blank lines that a PHP plugin or
    /// theme printed into an export (`\n\t` before the BOM, say), and the UTF-8 byte order mark. Line
    /// numbers stay physical (the header is then line 2 or later); `skippedBeforeHeader` says how many
    /// bytes of whitespace went, so the import can warn.
    private func skipByteOrderMark() throws {
        func byte(at i: Int) throws -> UInt8? {
            while pos + i >= data.count { guard try fill() else { return nil } }
            return data[pos + i]
        }
        func skipWhitespace() throws {
            while let b = try byte(at: 0), b == 0x20 || b == 0x09 || b == Self.lf || b == Self.cr {
                if b == Self.lf {
                    physicalLine += 1
                } else if b == Self.cr {
                    let following = try byte(at: 1)
                    if following != Self.lf { physicalLine += 1 }
                }
                pos += 1
                skippedBeforeHeader += 1
                guard skippedBeforeHeader <= limits.maxRecordBytes else { return }
            }
        }
        try skipWhitespace()
        let first = try byte(at: 0), second = try byte(at: 1), third = try byte(at: 2)
        if first == 0xEF, second == 0xBB, third == 0xBF {
            pos += 3
            try skipWhitespace()
        }
    }

    /// Bytes of whitespace and blank lines skipped before the header (see `skipByteOrderMark`).
    public private(set) var skippedBeforeHeader = 0

    /// Counts `,` `;` and tab outside quotes on the header line; the most frequent wins (`,` on a tie or none).
    private func detectDelimiter() throws -> UInt8 {
        var scanned = pos
        var inQuotes = false
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
        scan: while true {
            while scanned < data.count {
                let b = data[scanned]
                scanned += 1
                if b == quote && quote != Self.lf { inQuotes.toggle() } else if !inQuotes && (b == Self.lf || b == Self.cr) { break scan } else if !inQuotes, counts[b] != nil { counts[b]! += 1 }
            }
            if scanned - pos > limits.maxRecordBytes { break }
            let consumed = pos
            guard try fill() else { break }
            scanned -= consumed  // fill() compacts the buffer
        }
        let best = counts.max { a, b in a.value < b.value || (a.value == b.value && a.key != UInt8(ascii: ",") && b.key == UInt8(ascii: ",")) }
        guard let best, best.value > 0 else { return UInt8(ascii: ",") }
        return best.key
    }
}
