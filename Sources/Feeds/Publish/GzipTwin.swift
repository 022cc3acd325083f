import CZlib
import Foundation

/// The `.gz` twin of a published file (`publish --gzip`): Google's and Meta's fetchers take gzip, and a
/// 1 GB XML feed compresses to about a tenth. Streamed in chunks (memory flat), written like every feed
/// file (a temporary name, hashed while written, then renamed), deterministic (no name or time in the
/// gzip header), so the same feed always gives the same twin.
enum GzipTwin {
    /// Writes `path + ".gz"` from the file at `path`; returns it (committed).
    static func write(from path: String) throws -> FeedFile {
        guard let input = FileHandle(forReadingAtPath: path) else { throw FeedError("\(path): error: cannot read the file to compress it") }
        defer { try? input.close() }
        let output = try FeedFile(path: path + ".gz")
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper; level 6, zlib's default balance of time and size.
        guard deflateInit2_(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            output.discard()
            throw FeedError("\(path): error: cannot start the gzip compressor")
        }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: 1 << 17)
        func pump(_ flush: Int32) throws {
            repeat {
                let produced: Int = out.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    _ = deflate(&stream, flush)
                    return buffer.count - Int(stream.avail_out)
                }
                if produced > 0 { try out.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) } }
            } while stream.avail_out == 0
        }
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                    stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: UInt8.self).baseAddress)
                    stream.avail_in = UInt32(raw.count)
                    try pump(Z_NO_FLUSH)
                }
            }
            stream.next_in = nil
            stream.avail_in = 0
            try pump(Z_FINISH)
            try output.finish()
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        return output
    }
}
