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
/// system time than all their parsing (docs/PERFORMANCE.md, "Audit reads around the page cache").
/// Where the file system refuses `O_DIRECT`, plain reads.
public final class UncachedFileByteSource: ByteSource {
    private let fd: Int32
    private let path: String
    private var direct: Bool
    private let block = UnsafeMutableRawBufferPointer.allocate(byteCount: DirectIO.blockSize, alignment: 4096)
    private var start = 0
    private var end = 0

    public init(path: String) throws {
        var fd = DirectIO.flag == 0 ? -1 : open(path, O_RDONLY | DirectIO.flag)
        direct = fd >= 0
        if fd < 0 { fd = open(path, O_RDONLY) }
        guard fd >= 0 else {
            block.deallocate()
            throw InputError("cannot open the file: \(String(cString: strerror(errno)))", at: .wholeFile(path))
        }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            block.deallocate()
            throw InputError("is a folder, expected a file", at: .wholeFile(path))
        }
        self.fd = fd
        self.path = path
    }

    deinit {
        block.deallocate()
        Glibc.close(fd)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if start == end {
            start = 0
            end = try fill()
            if end == 0 { return 0 }
        }
        let n = min(buffer.count, end - start)
        buffer.baseAddress!.copyMemory(from: block.baseAddress! + start, byteCount: n)
        start += n
        return n
    }

    /// The next block; 0 at the end.
    private func fill() throws -> Int {
        while true {
            let n = Glibc.read(fd, block.baseAddress, block.count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            if errno == EINVAL && direct {
                // A file system that took the flag but not the read (or an offset left unaligned by a
                // short read): plain reads from here on, from the same offset.
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~DirectIO.flag)
                direct = false
                continue
            }
            throw InputError("cannot read the file: \(String(cString: strerror(errno)))", at: .wholeFile(path))
        }
    }
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
