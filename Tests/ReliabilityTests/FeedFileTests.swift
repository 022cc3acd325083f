import Config
import Crypto
import Feeds
import Formats
import Foundation
import StorePort
import Testing
import UnifeedTestSupport

/// Feed files are written around the page cache in 1 MB blocks, the last one padded and the file cut
/// back to its length: every length comes out byte for byte, with the SHA-256 the report gives.
@Suite struct FeedFileTests {
    static let lengths = [0, 1, 4095, 4096, 4097, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12_345]

    @Test(arguments: lengths, [true, false])
    func everyLengthLandsWholeAndHashedRight(length: Int, direct: Bool) throws {
        let dir = try TestPaths.temporaryDirectory()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("feed.tsv").path
        var bytes = [UInt8](repeating: 0, count: length)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for i in bytes.indices {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        let file = try FeedFile(path: path, direct: direct)
        // Pieces of uneven sizes, as writers hand them over (a row, an XML buffer).
        var offset = 0, piece = 1
        while offset < length {
            let n = min(piece, length - offset)
            try bytes[offset..<(offset + n)].withUnsafeBytes { try file.write($0) }
            offset += n
            piece = piece * 3 % 70_001 + 1
        }
        try file.finish()
        try file.commit()
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(written == bytes)
        #expect(file.byteCount == length)
        #expect(file.sha256 == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["feed.tsv"])
    }
}
