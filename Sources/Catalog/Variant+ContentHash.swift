import Catalog

extension Variant {
    /// A stable 64-bit FNV-1a hash of everything stored for the variant except stock, so a re-import
    /// can tell "unchanged" with one lookup. Stable across runs and machines (not `Hasher`).
    public var contentHash: UInt64 {
        var h = FNV1a()
        h.add(sku)
        h.add(productID)
        h.add(status.rawValue)
        h.add(gtin?.digits)
        h.add(mpn)
        h.add(price.currency.code)
        h.add(price.minorUnits)
        h.add(sale?.price.minorUnits ?? -1)
        h.add(sale?.start?.secondsSinceEpoch ?? -1)
        h.add(sale?.end?.secondsSinceEpoch ?? -1)
        h.add(link)
        h.add(images.count)
        for image in images { h.add(image) }
        h.add(color)
        h.add(size)
        h.add(sizeSystem?.rawValue)
        h.add(sizeType?.rawValue)
        h.add(weight?.description)
        h.add(availabilityDate?.secondsSinceEpoch ?? -1)
        if stockPolicy != .tracked {  // the default adds nothing, so hashes stored before the policy still match
            h.add("stock_policy")
            h.add(stockPolicy.rawValue)
        }
        for channel in overrides.keys.sorted() {
            for (field, value) in overrides[channel, default: [:]].sorted(by: { $0.key < $1.key }) {
                h.add("\(channel).\(field)")
                h.add(value)
            }
        }
        for (name, value) in custom.sorted(by: { $0.key < $1.key }) {
            h.add("custom.\(name)")
            h.add(value)
        }
        return h.value
    }
}

struct FNV1a {
    var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ s: String?) {
        guard var text = s else {
            byte(0xFF)
            byte(0x00)
            return
        }
        text.withUTF8 { for b in $0 { byte(b) } }
        byte(0x00)
    }

    mutating func add(_ n: Int64) {
        var v = UInt64(bitPattern: n)
        for _ in 0..<8 {
            byte(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    mutating func add(_ n: Int) { add(Int64(n)) }

    mutating func byte(_ b: UInt8) {
        value ^= UInt64(b)
        value = value &* 0x0000_0100_0000_01B3
    }
}
