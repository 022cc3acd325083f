import Crypto
import Formats
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The SHA-256 of a file computed while a reader reads it (audit checks each published file's bytes
/// in the same pass that reads its rows back). `complete` once the reader has read to the end.
final class FileDigest: @unchecked Sendable {
    private var hasher = SHA256()
    private(set) var complete = false

    func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    func finish() { complete = true }
    var hex: String { hasher.finalize().hex }
}

/// A file read with POSIX `read`, every byte going through `digest` too; closed when the last copy goes.
struct HashedFileSource: ByteSource {
    final class File {
        let fd: Int32
        let path: String
        init(path: String) throws {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FeedError("\(path): error: cannot open: \(String(cString: strerror(errno)))") }
            self.path = path
        }
        deinit { close(fd) }
    }

    let file: File
    let digest: FileDigest

    init(path: String, digest: FileDigest) throws {
        file = try File(path: path)
        self.digest = digest
    }

    /// Reads up to `count` bytes into `buffer`, hashing them; 0 at the end (and the digest is complete).
    func read(_ buffer: UnsafeMutableRawPointer, _ count: Int) throws -> Int {
        while true {
            let n = Glibc.read(file.fd, buffer, count)
            if n > 0 {
                digest.update(UnsafeRawBufferPointer(start: buffer, count: n))
                return n
            }
            if n == 0 {
                digest.finish()
                return 0
            }
            if errno == EINTR { continue }
            throw FeedError("\(file.path): error: cannot read: \(String(cString: strerror(errno)))")
        }
    }

    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        return try read(base, buffer.count)
    }
}
