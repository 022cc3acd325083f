import Crypto
import Formats
import Foundation

/// The SHA-256 of a file computed while a reader reads it (audit checks each published file's bytes
/// in the same pass that reads its rows back). `complete` once the reader has read to the end.
final class FileDigest: @unchecked Sendable {
    private var hasher = SHA256()
    private(set) var complete = false

    func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
    func finish() { complete = true }
    var hex: String { hasher.finalize().hex }
}

/// A published file read back (`UncachedFileByteSource`), every byte going through `digest` too; closed
/// when the last copy goes.
struct HashedFileSource: ByteSource {
    final class File {
        /// Read around the page cache: a published file is read back once (and was written that way).
        let source: UncachedFileByteSource
        init(path: String) throws { source = try UncachedFileByteSource(path: path) }
    }

    let file: File
    let digest: FileDigest

    init(path: String, digest: FileDigest) throws {
        file = try File(path: path)
        self.digest = digest
    }

    /// Reads into `buffer`, hashing what was read; 0 at the end (and the digest is complete).
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = try file.source.read(into: buffer)
        if n > 0 { digest.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n])) } else { digest.finish() }
        return n
    }
}
