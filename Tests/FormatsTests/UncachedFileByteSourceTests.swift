import Catalog
import Formats
import Foundation
import Testing
import UnifeedTestSupport

/// `UncachedFileByteSource`: a published file read back around the page cache gives exactly its
/// bytes, however the reader asks for them; a missing file or a folder is an error that names it.
@Suite struct UncachedFileByteSourceTests {
    static let block = DirectIO.blockSize
    /// (file size, bytes asked for at a time): empty, one byte, around and across the 1 MiB blocks.
    static let cases: [(Int, Int)] = [
        (0, 4096), (1, 4096), (block - 1, 4096), (block, 65_536), (block + 1, 1), (3 * block + 12_345, 7_777), (2 * block + 5, 3 * block),
    ]

    @Test("every byte once, in order", arguments: cases)
    func readsTheWholeFile(size: Int, askFor: Int) throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("feed.xml").path
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let source = try UncachedFileByteSource(path: path)
        var read: [UInt8] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: askFor, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let n = try source.read(into: buffer)
            if n == 0 { break }
            #expect(n <= askFor)
            read.append(contentsOf: buffer[0..<n])
        }
        #expect(read == bytes)
        #expect(try source.read(into: buffer) == 0, "the end stays the end")
    }

    @Test func aMissingFileOrAFolderIsRefusedByName() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("gone.xml").path
        let error = try #require(throws: InputError.self) { try UncachedFileByteSource(path: missing) }
        #expect(error.description.hasPrefix("\(missing): error: cannot open the file: No such file or directory"), "\(error)")
        let folder = try #require(throws: InputError.self) { try UncachedFileByteSource(path: dir.path) }
        #expect(folder.description.contains("is a folder"), "\(folder)")
    }
}
