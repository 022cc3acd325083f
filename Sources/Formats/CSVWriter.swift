import Catalog
import Foundation

/// Writes RFC 4180 CSV (quoting only where needed) to a temporary file that is renamed into place on
/// `commit()`, so a reader never sees half a file and a failed run leaves the old file alone.
public final class CSVWriter {
    public let path: String
    let delimiter: UInt8
    let formulaGuard: Bool
    private let temp: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    /// - Parameter formulaGuard: prefix cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@`
    ///   first) with `'`. For files people open in spreadsheets (rejects), never for feeds.
    public init(path: String, delimiter: UInt8 = UInt8(ascii: ","), formulaGuard: Bool = false) throws {
        self.path = path
        self.delimiter = delimiter
        self.formulaGuard = formulaGuard
        let url = URL(fileURLWithPath: path)
        temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
        guard FileManager.default.createFile(atPath: temp, contents: nil), let handle = FileHandle(forWritingAtPath: temp) else {
            throw InputError("cannot write the file: \(CSVWriter.whyNotWritable(folder: url.deletingLastPathComponent().path))", at: .wholeFile(path))
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 16)
    }

    /// Why a new file cannot be made in `folder`: it is missing, not a folder, or not writable.
    static func whyNotWritable(folder: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else { return "the folder \(folder) does not exist" }
        guard isDirectory.boolValue else { return "\(folder) is not a folder" }
        return "the folder \(folder) is not writable by this user"
    }

    public func write(_ fields: [String]) throws {
        for (i, field) in fields.enumerated() {
            if i > 0 { buffer.append(delimiter) }
            var value = field
            if formulaGuard, let first = value.utf8.first, [UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@")].contains(first) {
                value = "'" + value
            }
            CSVEncoding.append(value, delimiter: delimiter, to: &buffer)
        }
        buffer.append(0x0A)
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs and renames the file into place.
    public func commit() throws {
        try flush()
        try handle.synchronize()
        try handle.close()
        guard rename(temp, path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Drops the temporary file.
    public func discard() {
        try? handle.close()
        unlink(temp)
    }
}

/// RFC 4180 field encoding, shared by every CSV/TSV the project writes (rejects, feeds).
public enum CSVEncoding {
    /// Appends `value`, quoted (quotes doubled) when it holds the delimiter, a quote, a tab, CR or LF.
    @inline(__always)
    public static func append(_ value: String, delimiter: UInt8, to out: inout [UInt8]) {
        if value.utf8.withContiguousStorageIfAvailable({ append($0, delimiter: delimiter, to: &out) }) != nil { return }
        var value = value
        value.withUTF8 { append($0, delimiter: delimiter, to: &out) }
    }

    /// The same for a value given as UTF-8 bytes.
    @inline(__always)
    public static func append(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8, to out: inout [UInt8]) {
        if ByteScan.needsQuoting(bytes, delimiter: delimiter) {
            out.append(0x22)
            for b in bytes {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
        } else {
            out.append(contentsOf: bytes)
        }
    }
}

/// Byte scans over a string's UTF-8, on its contiguous storage: feeds scan every value they write
/// (half a gigabyte of text for a million items), so these test eight bytes at a time and look at single
/// bytes only in a word that may hold a hit.
public enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// High bit set in each byte of `x` that is below `n` (n ≤ 128): exact for "is there any".
    @inline(__always) private static func below(_ x: UInt64, _ n: UInt8) -> UInt64 {
        (x &- ones &* UInt64(n)) & ~x & highs
    }

    /// High bit set in each byte of `x` equal to `b` (exact for "is there any").
    @inline(__always) private static func equal(_ x: UInt64, _ b: UInt8) -> UInt64 {
        below(x ^ (ones &* UInt64(b)), 1)
    }

    /// Whether any byte of `bytes` passes `exact`, testing words with `maybe` first (`maybe` must flag
    /// every word that holds a byte `exact` accepts).
    @inline(__always)
    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, maybe: (UInt64) -> Bool, exact: (UInt8) -> Bool) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        let count = bytes.count
        var i = 0
        while i + 8 <= count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            if maybe(word) {
                for j in i..<(i + 8) where exact(base[j]) { return true }
            }
            i += 8
        }
        while i < count {
            if exact(base[i]) { return true }
            i += 1
        }
        return false
    }

    /// Whether `s` holds the delimiter, a quote, a tab, CR or LF (a CSV/TSV field to quote).
    @inline(__always)
    public static func needsQuoting(_ bytes: UnsafeBufferPointer<UInt8>, delimiter: UInt8) -> Bool {
        scan(
            bytes, maybe: { below($0, 0x0E) | equal($0, 0x22) | equal($0, delimiter) != 0 },
            exact: { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
    }

    /// Whether `bytes` hold a character XML text escapes (`& < > "` and CR, which libxml2's
    /// `xmlEncodeSpecialChars` turns into references).
    @inline(__always)
    public static func hasXMLMarkup(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        scan(
            bytes, maybe: { equal($0, 0x26) | equal($0, 0x3C) | equal($0, 0x3E) | equal($0, 0x22) | equal($0, 0x0D) != 0 },
            exact: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x0D })
    }

    /// Whether `s` may hold a character XML 1.0 forbids: a C0 control but tab, LF and CR, or the lead
    /// byte of U+FFFE/U+FFFF (0xEF; the caller checks the scalars then).
    @inline(__always)
    public static func mayNeedXMLCleaning(_ s: String) -> Bool {
        func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            ByteScan.scan(
                bytes, maybe: { (below($0, 0x20) | ($0 & highs)) != 0 },
                exact: { ($0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D) || $0 == 0xEF })
        }
        // The string's own storage when it has one (no copy of the string, so no reference counting).
        if let found = s.utf8.withContiguousStorageIfAvailable(scan) { return found }
        var s = s
        return s.withUTF8(scan)
    }
}
