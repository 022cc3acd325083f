import Catalog
import Foundation
import StorePort

#if canImport(Glibc)
    import Glibc
#endif

/// Per channel, what each item looked like when last published, kept to count the items a publish
/// adds, removes and changes (the dashboard's runs page): `.unifeed/items/CHANNEL.bin` under the output
/// folder, one record per published item in the order the publish wrote them (product id, then SKU, as
/// bytes), each `u32 length, product id, u32 length, SKU, u64 FNV-1a hash of the item's published
/// values`, little-endian.
///
/// Both the previous file and the items of this publish come in that order, so the count is one merge:
/// memory stays flat at any size. The new file replaces the old only when the channel publishes.
final class PublishedItems {
    private let finalPath: String
    private let temporaryPath: String
    private var out: Int32 = -1
    private var buffer: [UInt8] = []
    private var previous: RecordReader?
    private var current: (key: [UInt8], hash: UInt64)?
    private(set) var difference = PublishDifference()
    /// There was no previous record (a first publish): nothing to compare with.
    let hasPrevious: Bool

    init(outDir: String, channel: String) throws {
        let folder = (outDir as NSString).appendingPathComponent(".unifeed/items")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        finalPath = (folder as NSString).appendingPathComponent(channel + ".bin")
        temporaryPath = finalPath + ".tmp-\(getpid())"
        out = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard out >= 0 else { throw FeedError("\(temporaryPath): error: cannot write: \(String(cString: strerror(errno)))") }
        previous = RecordReader(path: finalPath)
        hasPrevious = previous != nil
        current = previous?.next()
        buffer.reserveCapacity(1 << 16)
    }

    /// The key: product id and SKU bytes with a 0 between (neither holds a 0 byte), compared as bytes.
    private static func key(_ productID: String, _ sku: String) -> [UInt8] { Array(productID.utf8) + [0] + Array(sku.utf8) }

    /// One published item, in publish order.
    func add(productID: String, sku: String, hash: UInt64) throws {
        let key = Self.key(productID, sku)
        while let c = current, c.key.lexicographicallyPrecedes(key) {
            difference.removed += 1
            current = previous?.next()
        }
        if let c = current, c.key == key {
            if c.hash != hash { difference.changed += 1 }
            current = previous?.next()
        } else {
            difference.added += 1
        }
        for part in [Array(productID.utf8), Array(sku.utf8)] {
            withUnsafeBytes(of: UInt32(part.count).littleEndian) { buffer.append(contentsOf: $0) }
            buffer.append(contentsOf: part)
        }
        withUnsafeBytes(of: hash.littleEndian) { buffer.append(contentsOf: $0) }
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(out, $0.baseAddress! + done, $0.count - done) }
            guard n > 0 else { throw FeedError("\(temporaryPath): error: cannot write: \(String(cString: strerror(errno)))") }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the merge: what is left of the previous file was removed.
    func finish() throws -> PublishDifference {
        while current != nil {
            difference.removed += 1
            current = previous?.next()
        }
        try flush()
        return difference
    }

    /// The new record replaces the previous one (the channel published).
    func commit() throws {
        if out >= 0 { close(out) }
        out = -1
        guard rename(temporaryPath, finalPath) == 0 else {
            throw FeedError("\(finalPath): error: cannot replace: \(String(cString: strerror(errno)))")
        }
    }

    /// The previous record stays (the channel was held back, or the publish failed).
    func discard() {
        if out >= 0 { close(out) }
        out = -1
        unlink(temporaryPath)
    }

    /// FNV-1a over the values a channel shows for an item: what makes it "changed".
    static func hash(_ item: FeedItem) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
            h ^= 0x1f
            h = h &* 0x0000_0100_0000_01b3
        }
        func mix(_ n: Int64) { mix(String(n)) }
        mix(item.title)
        mix(item.description)
        mix(item.link ?? "")
        mix(item.imageLink ?? "")
        for image in item.additionalImageLinks { mix(image) }
        mix(item.availability)
        mix(Int64(item.quantity))
        mix(item.price.description)
        mix(item.saleActive ? item.salePrice?.description ?? "" : "")
        mix(item.saleWindow ?? "")
        for id in item.promotionIDs { mix(id) }
        mix(item.gtin ?? "")
        mix(item.brand ?? "")
        mix(item.status.rawValue)
        for (location, quantity) in item.stock {
            mix(location)
            mix(Int64(quantity))
        }
        return h
    }
}

/// Reads a `PublishedItems` file record by record (a damaged or missing file: no records).
private final class RecordReader {
    private let handle: FileHandle
    private var data: [UInt8] = []
    private var position = 0

    init?(path: String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        self.handle = handle
    }

    deinit { try? handle.close() }

    private func ensure(_ n: Int) -> Bool {
        if data.count - position >= n { return true }
        data.removeFirst(position)
        position = 0
        while data.count < n {
            guard let chunk = try? handle.read(upToCount: 1 << 16), !chunk.isEmpty else { return false }
            data += chunk
        }
        return true
    }

    private func u32() -> Int? {
        guard ensure(4) else { return nil }
        let v = data[position..<position + 4].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        position += 4
        return v
    }

    func next() -> (key: [UInt8], hash: UInt64)? {
        guard let a = u32(), a < 1 << 20, ensure(a) else { return nil }
        var key = Array(data[position..<position + a])
        position += a
        guard let b = u32(), b < 1 << 20, ensure(b + 8) else { return nil }
        key.append(0)
        key += data[position..<position + b]
        position += b
        let hash = data[position..<position + 8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        position += 8
        return (key, hash)
    }
}
