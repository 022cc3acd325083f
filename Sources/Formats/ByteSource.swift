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
        fd = try openFile(path, flags: O_RDONLY, expected: "a CSV file")
        self.path = path
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = readRetrying(fd, buffer.baseAddress, buffer.count)
        guard n >= 0 else { throw readError(path) }
        return n
    }

    public func close() { _ = Glibc.close(fd) }
}

/// Linux's `O_DIRECT` (Glibc's module leaves out the flags that need `_GNU_SOURCE`): feeds are written
/// and read back around the page cache.
public enum DirectIO {
    #if os(Linux) && arch(x86_64)
        public static let flag: Int32 = 0o40000
    #elseif os(Linux) && arch(arm64)
        public static let flag: Int32 = 0o200000
    #else
        public static let flag: Int32 = 0  // unknown here: the page cache
    #endif
    /// Reads around the page cache go in blocks of this size, aligned to it.
    public static let blockSize = 1 << 20
}

/// A file read once from start to end around the page cache (`O_DIRECT`, 1 MiB blocks into an aligned
/// buffer, handed out in whatever sizes the reader asks for). Audit reads back gigabytes of feeds that
/// publish wrote the same way, so they are not in the page cache, and buffered reads of them cost more
/// system time than all their parsing (docs/PERFORMANCE.md, "Issue 20, third session").
/// Where the file system refuses `O_DIRECT`, plain reads.
public final class UncachedFileByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    private var direct: Bool
    private let block: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0

    public init(path: String) throws {
        // With `O_DIRECT` where it opens; any failure (a refused flag, a missing file) is told by the plain open.
        let direct = DirectIO.flag == 0 ? nil : try? openFile(path, flags: O_RDONLY | DirectIO.flag, expected: "a file")
        fd = try direct ?? openFile(path, flags: O_RDONLY, expected: "a file")
        self.direct = direct != nil
        self.path = path
        block = .allocate(byteCount: DirectIO.blockSize, alignment: 4096)  // once the file is open: a failed init frees nothing
    }

    deinit {
        block.deallocate()
        Glibc.close(fd)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let bytes = try nextBytes(atMost: buffer.count)
        buffer.baseAddress!.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return bytes.count
    }

    /// The next bytes where they lie in the aligned buffer, valid until the next read (a reader that
    /// only hashes them needs no copy); empty at the end.
    public func nextBytes(atMost limit: Int = .max) throws -> UnsafeRawBufferPointer {
        if start == end {
            start = 0
            end = try fill()
        }
        let n = min(limit, end - start)
        defer { start += n }
        return UnsafeRawBufferPointer(start: block.baseAddress! + start, count: n)
    }

    /// The next block; 0 at the end.
    private func fill() throws -> Int {
        while true {
            let n = readRetrying(fd, block.baseAddress, block.count)
            if n >= 0 { return n }
            guard errno == EINVAL && direct else { throw readError(path) }
            // A file system that took the flag but not the read (or an offset left unaligned by a short
            // read): plain reads from here on, from the same offset.
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~DirectIO.flag)
            direct = false
        }
    }
}

/// Opens `path` for reading with `flags`; a folder is refused (`expected`: what the caller reads).
private func openFile(_ path: String, flags: Int32, expected: String) throws -> Int32 {
    let fd = open(path, flags)
    guard fd >= 0 else { throw InputError("cannot open the file: \(String(cString: strerror(errno)))", at: .wholeFile(path)) }
    var info = stat()
    if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
        Glibc.close(fd)
        throw InputError("is a folder, expected \(expected)", at: .wholeFile(path))
    }
    return fd
}

/// POSIX `read`, again when a signal interrupted it; -1 (and `errno`) on another failure.
private func readRetrying(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    while true {
        let n = Glibc.read(fd, buffer, count)
        if n >= 0 || errno != EINTR { return n }
    }
}

private func readError(_ path: String) -> InputError {
    InputError("cannot read the file: \(String(cString: strerror(errno)))", at: .wholeFile(path))
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
