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
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 16)
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
    public static func append(_ value: String, delimiter: UInt8, to out: inout [UInt8]) {
        if value.utf8.contains(where: { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            out.append(0x22)
            for b in value.utf8 {
                if b == 0x22 { out.append(0x22) }
                out.append(b)
            }
            out.append(0x22)
        } else {
            out.append(contentsOf: value.utf8)
        }
    }
}
