import Catalog
import Foundation
import StorePort

/// Per channel, what each item looked like when last published, kept to count the items a publish
/// adds, removes and changes (the dashboard's runs page): `.unifeed/items/CHANNEL.bin` under the output
/// folder, one record per published item in the order the publish wrote them (product id, then SKU, as
/// bytes), each `u32 length, product id, u32 length, SKU, u64 hash of the item's published
/// values`, little-endian.
///
/// Both the previous file and the items of this publish come in that order, so the count is one merge:
/// memory stays flat at any size. The new file replaces the old only when the channel publishes.
final class PublishedItems {
    /// The new record, written to a temporary name and renamed into place by `commit()`.
    private let file: FeedFile
    private var buffer: [UInt8] = []
    private var previous: RecordReader?
    private var current: (key: [UInt8], hash: UInt64)?
    private(set) var difference = PublishDifference()
    /// There was no previous record (a first publish): nothing to compare with.
    let hasPrevious: Bool

    init(outDir: String, channel: String) throws {
        let folder = (outDir as NSString).appendingPathComponent(".unifeed/items")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(channel + ".bin")
        // Through the page cache: the next publish reads it back.
        file = try FeedFile(path: path, direct: false)
        previous = RecordReader(path: path)
        hasPrevious = previous != nil
        current = previous?.next()
        buffer.reserveCapacity(1 << 16)
    }

    /// One published item, in publish order. The key is the product id's bytes, a 0 and the SKU's
    /// (neither holds a 0 byte), compared as bytes: the store's order.
    func add(productID: String, sku: String, hash: UInt64) throws {
        var productID = productID, sku = sku
        productID.withUTF8 { p in
            sku.withUTF8 { s in
                if previous != nil {
                    while let c = current, Self.compare(c.key, p, s) < 0 {
                        difference.removed += 1
                        current = previous?.next()
                    }
                    if let c = current, Self.compare(c.key, p, s) == 0 {
                        if c.hash != hash { difference.changed += 1 }
                        current = previous?.next()
                    } else {
                        difference.added += 1
                    }
                } else {
                    difference.added += 1
                }
                for part in [p, s] {
                    withUnsafeBytes(of: UInt32(part.count).littleEndian) { buffer.append(contentsOf: $0) }
                    buffer.append(contentsOf: part)
                }
                withUnsafeBytes(of: hash.littleEndian) { buffer.append(contentsOf: $0) }
            }
        }
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// `key` (product id, 0, SKU) against the product id `p` and SKU `s`, as bytes: <0, 0 or >0.
    private static func compare(_ key: [UInt8], _ p: UnsafeBufferPointer<UInt8>, _ s: UnsafeBufferPointer<UInt8>) -> Int {
        key.withUnsafeBufferPointer { k in
            var i = 0
            for b in p {
                guard i < k.count else { return -1 }
                if k[i] != b { return Int(k[i]) - Int(b) }
                i += 1
            }
            guard i < k.count else { return -1 }
            if k[i] != 0 { return 1 }  // the key's product id is longer
            i += 1
            for b in s {
                guard i < k.count else { return -1 }
                if k[i] != b { return Int(k[i]) - Int(b) }
                i += 1
            }
            return i < k.count ? 1 : 0
        }
    }

    private func flush() throws {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Ends the merge: what is left of the previous file was removed.
    func finish() throws -> PublishDifference {
        while current != nil {
            difference.removed += 1
            current = previous?.next()
        }
        try flush()
        try file.finish()
        return difference
    }

    /// The new record replaces the previous one (the channel published).
    func commit() throws { try file.commit() }

    /// The previous record stays (the channel was held back, or the publish failed).
    func discard() { file.discard() }

    /// A hash of the values a channel shows for an item: what makes it "changed". Eight bytes at a
    /// time (FxHash's multiply and rotate: a byte-wise FNV-1a over the descriptions was 8% of Google's
    /// channel thread), with each value's length mixed in so that values cannot run into each other.
    /// Deterministic: the same values give the same hash in every process.
    static func hash(_ item: FeedItem) -> UInt64 {
        var h = ItemHasher()
        h.mix(item.title)
        h.mix(item.description)
        h.mix(item.link ?? "")
        h.mix(item.imageLink ?? "")
        for image in item.additionalImageLinks { h.mix(image) }
        h.mix(item.availability)
        h.mix(UInt64(bitPattern: Int64(item.quantity)))
        h.mix(item.price)
        if item.saleActive, let sale = item.salePrice { h.mix(sale) } else { h.mix(UInt64.max) }
        h.mix(item.saleWindow ?? "")
        for id in item.promotionIDs { h.mix(id) }
        h.mix(item.gtin ?? "")
        h.mix(item.brand ?? "")
        h.mix(item.status.rawValue)
        for (location, quantity) in item.stock {
            h.mix(location)
            h.mix(UInt64(bitPattern: Int64(quantity)))
        }
        return h.value
    }
}

/// FxHash-style mixing, eight bytes at a time.
struct ItemHasher {
    private(set) var value: UInt64 = 0x243f_6a88_85a3_08d3
    private static let k: UInt64 = 0x517c_c1b7_2722_0a95

    mutating func mix(_ word: UInt64) { value = (((value << 5) | (value >> 59)) ^ word) &* Self.k }

    mutating func mix(_ money: Money) {
        mix(UInt64(bitPattern: money.minorUnits))
        mix(money.currency.code)
    }

    mutating func mix(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            let n = bytes.count
            guard let base = bytes.baseAddress else { return }
            while i + 8 <= n {
                mix(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(base[i]) << shift
                shift += 8
                i += 1
            }
            mix(tail)
        }
        mix(UInt64(text.utf8.count))
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
