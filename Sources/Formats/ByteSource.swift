import Catalog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where the CSV reader gets its bytes: a file read in chunks, or memory (tests, chunk-size sweeps).
public protocol ByteSource {
    /// Reads up to `buffer.count` bytes; returns 0 at the end.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// A file read with POSIX `read` into the reader's reused buffer.
public struct FileByteSource: ByteSource {
    let fd: Int32
    let path: String

    public init(path: String) throws {
        fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw InputError("cannot open the file: \(reason)", at: .wholeFile(path))
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw InputError("is a folder, expected a CSV file", at: .wholeFile(path))
        }
        self.path = path
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw InputError("cannot read the file: \(String(cString: strerror(errno)))", at: .wholeFile(path))
        }
    }

    public func close() { _ = Glibc.close(fd) }
}

/// Bytes in memory, handed out `chunkSize` at a time (to test records split across chunks).
public struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]
    let chunkSize: Int
    var offset = 0

    public init(_ bytes: [UInt8], chunkSize: Int = 1 << 16) {
        self.bytes = bytes
        self.chunkSize = max(1, chunkSize)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(chunkSize, buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
