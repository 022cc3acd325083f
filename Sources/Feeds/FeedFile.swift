public import Catalog
public import Config
public import Crypto
public import Formats
public import Foundation
public import Pipeline
public import StorePort

#if canImport(Glibc)
    public import Glibc
#endif

private let O_DIRECT = DirectIO.flag

/// A feed file being written: bytes go to a temporary file beside the final one, hashed (SHA-256) as
/// they are written; `commit()` renames it into place, so a reader never sees half a feed and a failed
/// run leaves the previous file as it was.
///
/// Writes bypass the page cache (`O_DIRECT`) in whole 1 MB blocks: feeds are gigabytes written once,
/// and through the page cache the kernel's copying and write-back took more CPU than libxml2 (3 GB:
/// 6.8 s of system time buffered, 0.4 s direct). The last block is padded to the 4 KB alignment direct
/// I/O needs, then the file is truncated to its length. Where the file system refuses direct I/O
/// (tmpfs), the file is written through the page cache as usual.
public final class FeedFile {
    public let path: String
    let tempPath: String
    private var fd: Int32
    private var direct: Bool
    private var hasher = SHA256()
    /// `chunk` bytes aligned for direct I/O, taken at the first write and given back by `finish()` (an
    /// output split into many files holds only the open one's); `used` of them hold data not yet written.
    private var storage: UnsafeMutableRawPointer?
    private var used = 0
    public private(set) var byteCount = 0
    public private(set) var sha256 = ""

    /// Bytes gathered before one write and one hash update.
    static let chunk = 1 << 20
    /// The alignment of direct I/O (buffer address, file offset and length).
    static let alignment = 4096

    /// - Parameter direct: bypass the page cache; by default yes, unless `UNIFEED_BUFFERED_FEEDS` is set.
    public init(path: String, direct: Bool? = nil) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        tempPath = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        self.direct = O_DIRECT != 0 && (direct ?? (ProcessInfo.processInfo.environment["UNIFEED_BUFFERED_FEEDS"] == nil))
        fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (self.direct ? O_DIRECT : 0), 0o644)
        if fd < 0 && self.direct && errno == EINVAL {
            self.direct = false
            fd = open(tempPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))") }
    }

    deinit {
        if fd >= 0 { discard() }
        storage?.deallocate()
    }

    private var buffer: UnsafeMutableRawPointer {
        if let storage { return storage }
        let made = UnsafeMutableRawPointer.allocate(byteCount: FeedFile.chunk, alignment: FeedFile.alignment)
        storage = made
        return made
    }

    public func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var source = bytes.baseAddress else { return }
        let buffer = self.buffer
        var left = bytes.count
        while left > 0 {
            let n = min(left, FeedFile.chunk - used)
            (buffer + used).copyMemory(from: source, byteCount: n)
            used += n
            source += n
            left -= n
            if used == FeedFile.chunk {
                do { try flush(final: false) } catch {
                    failure = failure ?? error
                    throw error
                }
            }
        }
    }

    /// The first write error (for writers, like libxml2's, that only see "failed").
    public private(set) var failure: (any Error)?

    /// Hashes and writes the buffer: a whole chunk, or (`final`) what is left, padded for direct I/O.
    private func flush(final: Bool) throws {
        guard used > 0 else { return }
        let buffer = self.buffer
        hasher.update(bufferPointer: UnsafeRawBufferPointer(start: buffer, count: used))
        var length = used
        if direct && final && length % FeedFile.alignment != 0 {
            let padded = (length / FeedFile.alignment + 1) * FeedFile.alignment
            (buffer + length).initializeMemory(as: UInt8.self, repeating: 0, count: padded - length)
            length = padded
        }
        var offset = 0
        while offset < length {
            let n = Glibc.write(fd, buffer + offset, length - offset)
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && direct {
                    // The file system takes no direct I/O after all: the page cache it is.
                    direct = false
                    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT)
                    length = used
                    continue
                }
                throw FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        byteCount += used
        used = 0
    }

    /// Flushes and syncs the temporary file (it is not in place yet).
    public func finish() throws {
        try flush(final: true)
        func fail() -> FeedError { FeedError("\(path): error: cannot write the feed: \(String(cString: strerror(errno)))") }
        // Cut to the length written: a padded last block (direct I/O) ends past it.
        guard ftruncate(fd, off_t(byteCount)) == 0 else { throw fail() }
        guard fsync(fd) == 0 else { throw fail() }
        close(fd)
        fd = -1
        storage?.deallocate()
        storage = nil
        sha256 = hasher.finalize().hex
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
            case .additionalImageLink, .promotionID:
                // Joined with commas, one cell (quoted if a URL holds a delimiter or quote).
                var cell = ""
                for image in row.values(column.id).prefix(10) {
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

    /// The same from rendered cells (`ItemCells`): the row of `item`'s cells.
    func write(_ cells: CellView, item: Int, columns: UnsafeBufferPointer<CellColumn>) throws {
        var line = takeLine()
        var first = true
        for column in columns {
            if !first { line.append(delimiter) }
            first = false
            switch column.kind {
            case .constant: line.append(contentsOf: column.constant)
            case .repeated:
                // Joined with commas, one cell (quoted if a URL holds a delimiter or quote).
                guard let cell = cells.cell(item, column.cell) else { continue }
                var joined: [UInt8] = []
                cells.forEachValue(cell) { image in
                    if !joined.isEmpty { joined.append(UInt8(ascii: ",")) }
                    joined.append(contentsOf: image)
                }
                joined.withUnsafeBufferPointer { CSVEncoding.append($0, delimiter: delimiter, to: &line) }
            case .value:
                if let cell = cells.cell(item, column.cell) { CSVEncoding.append(cell, delimiter: delimiter, to: &line) }
            }
        }
        try put(&line)
    }

    /// The cell of the `shipping` or `tax` column, encoded.
    func constantCell(_ field: FeedField) -> [UInt8] {
        var cell: [UInt8] = []
        CSVEncoding.append(field == .shipping ? shippingCell : taxCell, delimiter: delimiter, to: &cell)
        return cell
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

extension SHA256.Digest {
    /// Lower-case hex, as the report and audit write and compare it.
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}
