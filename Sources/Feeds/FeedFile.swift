#if canImport(Glibc)
import Glibc
#endif
import Catalog
import Crypto
import Foundation
import Import

/// A feed file being written: bytes go to a temporary file beside the final one, hashed (SHA-256) as
/// they are written; `commit()` renames it into place, so a reader never sees half a feed and a failed
/// run leaves the previous file as it was.
public final class FeedFile {
    public let path: String
    let tempPath: String
    private var fd: Int32
    private var hasher = SHA256()
    private var buffer: [UInt8] = []
    public private(set) var byteCount = 0
    public private(set) var sha256 = ""

    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        tempPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))") }
        buffer.reserveCapacity(FeedFile.chunk)
    }

    /// Bytes gathered before one write and one hash update (64 KB: 1 MB measured slower, the copy into
    /// the kernel no longer coming from cache).
    static let chunk = 1 << 16

    deinit { if fd >= 0 { discard() } }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= FeedFile.chunk {
            do { try flush() } catch {
                failure = failure ?? error
                throw error
            }
        }
    }

    /// The first write error (for writers, like libxml2's, that only see "failed").
    public private(set) var failure: (any Error)?

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        byteCount += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and syncs the temporary file (it is not in place yet).
    public func finish() throws {
        try flush()
        guard fsync(fd) == 0 else { throw FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))") }
        close(fd)
        fd = -1
        sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Renames the finished file into place.
    public func commit() throws {
        guard rename(tempPath, path) == 0 else {
            throw FeedError("\(path): error: cannot replace the feed: \(String(cString: strerror(errno)))")
        }
    }

    /// Drops the temporary file; the previous feed stays.
    public func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(tempPath)
    }
}

/// A problem writing or reading feeds (I/O, locks), printed as it is.
public struct FeedError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Text feeds: TSV (Google's quoting: a value with a tab, newline or quote is quoted, quotes doubled)
/// or CSV (RFC 4180). Values are written as they are: feeds are never prefixed against spreadsheet
/// formulas (that would break price parity). A row is built as bytes in one reused buffer and handed
/// to the file whole.
public final class DelimitedWriter {
    let file: FeedFile
    let delimiter: UInt8
    /// The `shipping` and `tax` cells: the same for every row, formatted once.
    private let shippingCell: String
    private let taxCell: String
    private var line: [UInt8] = []

    public init(file: FeedFile, format: ChannelDefinition.Format, settings: ChannelSettings = ChannelSettings()) {
        self.file = file
        delimiter = format == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t")
        shippingCell = settings.shipping.map(FeedText.shipping).joined(separator: ",")
        taxCell = settings.tax.map(FeedText.tax).joined(separator: ",")
        line.reserveCapacity(4096)
    }

    public func writeRow(_ fields: [String]) throws {
        var line = takeLine()
        for (i, field) in fields.enumerated() {
            if i > 0 { line.append(delimiter) }
            // Feed values are XML-safe already (FeedItem cleans them once).
            CSVEncoding.append(field, delimiter: delimiter, to: &line)
        }
        try put(&line)
    }

    /// One row of `columns` from `row`. A repeated field's values are joined with commas (at most 10
    /// additional images); `shipping` and `tax` are the configured groups in Google's positional form.
    func write(_ row: some FeedRow, columns: [PlannedColumn]) throws {
        var line = takeLine()
        var first = true
        for column in columns {
            if !first { line.append(delimiter) }
            first = false
            switch column.id {
            case .shipping: CSVEncoding.append(shippingCell, delimiter: delimiter, to: &line)
            case .tax: CSVEncoding.append(taxCell, delimiter: delimiter, to: &line)
            case .additionalImageLink:
                // Joined with commas, one cell (quoted if a URL holds a delimiter or quote).
                var cell = ""
                for image in row.additionalImageLinks.prefix(10) {
                    column.withRenamed(image) { cell += cell.isEmpty ? $0 : "," + $0 }
                }
                CSVEncoding.append(cell, delimiter: delimiter, to: &line)
            default:
                row.withValue(column.id) { value in
                    column.withRenamed(value) { CSVEncoding.append($0, delimiter: delimiter, to: &line) }
                }
            }
        }
        try put(&line)
    }

    /// The row buffer, moved out of the object while a row is built (no access checks per byte).
    private func takeLine() -> [UInt8] {
        var line: [UInt8] = []
        swap(&line, &self.line)
        return line
    }

    private func put(_ line: inout [UInt8]) throws {
        line.append(0x0A)
        try line.withUnsafeBytes { try file.write($0) }
        line.removeAll(keepingCapacity: true)
        swap(&line, &self.line)
    }
}

extension FeedText {
    /// Drops characters XML 1.0 forbids (C0 controls but tab, LF and CR; U+FFFE, U+FFFF), which no
    /// channel accepts in any format.
    public static func xmlSafe(_ s: String) -> String {
        // Fast path on bytes: forbidden characters are C0 controls or U+FFFE/U+FFFF (EF BF BE/BF).
        guard ByteScan.mayNeedXMLCleaning(s) else { return s }
        guard s.unicodeScalars.contains(where: isForbidden) else { return s }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars where !isForbidden(scalar) { out.append(scalar) }
        return String(out)
    }

    static func isForbidden(_ c: Unicode.Scalar) -> Bool {
        (c.value < 0x20 && c != "\t" && c != "\n" && c != "\r") || c.value == 0xFFFE || c.value == 0xFFFF
    }
}
