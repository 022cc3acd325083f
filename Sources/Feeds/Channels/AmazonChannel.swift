import Catalog
import Config
import Formats
import Foundation
import Pipeline
import StorePort

/// Amazon `JSON_LISTINGS_FEED` 2.0 (specs/marketplaces.md §2.2): `listings-NNNN.json`, at most
/// `max_items` (10,000) messages a file, no file when there is nothing to send.
///
/// Each SKU is an `UPDATE` with requirements `LISTING`: item_name, brand, externally_assigned_product_identifier,
/// product_description (plain text), bullet_point (the description's list items, up to 5), condition_type,
/// images, purchasable_offer (our_price; discounted_price with its schedule while a sale is active or
/// announced), fulfillment_availability (allocated quantity and lead time), color and size. A product
/// with several variants gets a parent message first (`parentage_level` parent, `variation_theme`);
/// its children name it in `child_parent_sku_relationship`. Archived SKUs are `DELETE` messages.
/// `messageId` counts from 1 in each file.
final class AmazonListingsWriter: OutputWriter {
    let settings: ChannelSettings
    private let files: FeedFileSet
    private var messageID = 0

    init(output: ChannelDefinition.Output, dir: String, settings: ChannelSettings) {
        self.settings = settings
        let header = JSONValue.object([
            ("sellerId", .string(settings.marketplace.sellerID ?? "")), ("version", "2.0"), ("issueLocale", .string(settings.marketplace.languageTag)),
        ])
        files = FeedFileSet(
            dir: dir, output: output,
            opening: { file in
                try file.write("{\"header\":\(header.serialized()),\n\"messages\":[\n")
            }, closing: { file in try file.write("\n]}\n") })
    }

    func write(_ items: [FeedItem], stores: [StoreLocation]) throws {
        // By index through the buffer: `filter` and `for item in items` copied every item (its forty
        // strings retained and released), a tenth of the channels' time (docs/PERFORMANCE.md).
        try items.withUnsafeBufferPointer { items in
            let active = items.indices.filter { items[$0].status != .archived }
            let parent = active.count > 1 ? items[active[0]].itemGroupID : nil
            let file = try files.file(adding: items.count + (parent == nil ? 0 : 1))
            if file !== currentFile {
                currentFile = file
                messageID = 0
            }
            if let parent, let first = active.first {
                let theme = AmazonListingsWriter.theme(colors: active.compactMap { items[$0].color }, sizes: active.compactMap { items[$0].size })
                try message(file, sku: parent, productType: items[first].marketplaceCategory) { json in
                    self.parentAttributes(&json, items[first], theme: theme)
                }
            }
            for i in items.indices {
                if items[i].status == .archived {
                    try message(file, sku: items[i].id, productType: nil, attributes: nil)
                } else {
                    try message(file, sku: items[i].id, productType: items[i].marketplaceCategory) { json in
                        self.attributes(&json, items[i], parent: parent)
                    }
                }
            }
        }
    }

    private weak var currentFile: FeedFile?
    private var json = JSONBytes()
    /// The description's plain text and bullets, computed once per product (variants share it).
    private var described = DescriptionCache(limit: 2000)

    /// One message: `UPDATE` with its attributes, or `DELETE` when there are none. Written straight as
    /// bytes (a JSON tree per message cost more than everything else in the feed).
    private func message(_ file: FeedFile, sku: String, productType: String?, attributes: ((inout JSONBytes) -> Void)?) throws {
        messageID += 1
        json.bytes.removeAll(keepingCapacity: true)
        if messageID > 1 { json.raw(",\n") }
        json.raw("{\"messageId\":")
        json.int(messageID)
        json.raw(",\"sku\":")
        json.string(sku)
        if let productType, let attributes {
            json.raw(",\"operationType\":\"UPDATE\",\"productType\":")
            json.string(productType)
            json.raw(",\"requirements\":\"LISTING\",\"attributes\":{")
            attributes(&json)
            json.raw("}}")
        } else {
            json.raw(",\"operationType\":\"DELETE\"}")
        }
        try file.write(json.bytes)
    }

    /// `"name":[{"value":…,"language_tag":…,"marketplace_id":…}]`
    private func text(_ json: inout JSONBytes, _ name: StaticString, _ value: String) {
        json.member(name)
        json.raw("[{\"value\":")
        json.string(value)
        json.raw(",\"language_tag\":")
        json.string(settings.marketplace.languageTag)
        json.raw(",\"marketplace_id\":")
        json.string(settings.marketplace.marketplaceID)
        json.raw("}]")
    }

    /// `"name":[{"value":…,"marketplace_id":…}]`
    private func plain(_ json: inout JSONBytes, _ name: StaticString, _ value: String) {
        json.member(name)
        json.raw("[{\"value\":")
        json.string(value)
        json.raw(",\"marketplace_id\":")
        json.string(settings.marketplace.marketplaceID)
        json.raw("}]")
    }

    /// The attributes every message of a product shares (parent and children).
    private func common(_ json: inout JSONBytes, _ item: FeedItem, title: String) {
        json.first = true
        text(&json, "item_name", title)
        if let brand = item.brand { text(&json, "brand", brand) }
        let (description, bullets) = described.get(item.description)
        if !description.isEmpty { text(&json, "product_description", description) }
        if !bullets.isEmpty {
            json.member("bullet_point")
            json.raw("[")
            for (i, bullet) in bullets.prefix(5).enumerated() {
                if i > 0 { json.raw(",") }
                json.raw("{\"value\":")
                json.string(bullet)
                json.raw(",\"language_tag\":")
                json.string(settings.marketplace.languageTag)
                json.raw(",\"marketplace_id\":")
                json.string(settings.marketplace.marketplaceID)
                json.raw("}")
            }
            json.raw("]")
        }
        plain(&json, "condition_type", AmazonListingsWriter.conditionType(item.condition))
    }

    private func parentAttributes(_ json: inout JSONBytes, _ first: FeedItem, theme: String) {
        common(&json, first, title: first.baseTitle)
        plain(&json, "parentage_level", "parent")
        json.member("variation_theme")
        json.raw("[{\"name\":")
        json.string(theme)
        json.raw("}]")
    }

    private func image(_ json: inout JSONBytes, _ name: String, _ url: String) {
        json.member(name)
        json.raw("[{\"media_location\":")
        json.string(url)
        json.raw(",\"marketplace_id\":")
        json.string(settings.marketplace.marketplaceID)
        json.raw("}]")
    }

    private func attributes(_ json: inout JSONBytes, _ item: FeedItem, parent: String?) {
        let market = settings.marketplace.marketplaceID
        common(&json, item, title: item.title)
        if let gtin = item.gtin {
            json.member("externally_assigned_product_identifier")
            json.raw("[{\"type\":")
            json.string(gtin.count == 12 ? "upc" : gtin.count == 13 ? "ean" : "gtin")
            json.raw(",\"value\":")
            json.string(gtin)
            json.raw(",\"marketplace_id\":")
            json.string(market)
            json.raw("}]")
        }
        if let main = item.imageLink { image(&json, "main_product_image_locator", main) }
        for (n, url) in item.additionalImageLinks.prefix(8).enumerated() { image(&json, "other_product_image_locator_\(n + 1)", url) }
        if let color = item.color { text(&json, "color", color) }
        if let size = item.size { text(&json, "size", size) }
        json.member("purchasable_offer")
        json.raw("[{\"marketplace_id\":")
        json.string(market)
        json.raw(",\"currency\":")
        json.string(item.price.currency.code)
        json.raw(",\"our_price\":[{\"schedule\":[{\"value_with_tax\":")
        json.raw(item.price.amountString)
        json.raw("}]}]")
        if let sale = item.salePrice {
            json.raw(",\"discounted_price\":[{\"schedule\":[{")
            if let start = item.saleStart {
                json.raw("\"start_at\":")
                json.string(start.iso8601UTC)
                json.raw(",")
            }
            if let end = item.saleEnd {
                json.raw("\"end_at\":")
                json.string(end.iso8601UTC)
                json.raw(",")
            }
            json.raw("\"value_with_tax\":")
            json.raw(sale.amountString)
            json.raw("}]}]")
        }
        json.raw("}]")
        json.member("fulfillment_availability")
        json.raw("[{\"fulfillment_channel_code\":\"DEFAULT\",\"quantity\":")
        json.int(item.quantity)
        json.raw(",\"lead_time_to_ship_max_days\":")
        json.int(settings.marketplace.leadTimeDays)
        json.raw("}]")
        if let parent {
            plain(&json, "parentage_level", "child")
            json.member("child_parent_sku_relationship")
            json.raw("[{\"child_relationship_type\":\"variation\",\"parent_sku\":")
            json.string(parent)
            json.raw(",\"marketplace_id\":")
            json.string(market)
            json.raw("}]")
        }
    }

    /// `new_new`, `refurbished_refurbished`, `used_good`.
    static func conditionType(_ condition: String) -> String {
        switch condition {
        case "refurbished": "refurbished_refurbished"
        case "used": "used_good"
        default: "new_new"
        }
    }

    /// The variation theme from the attributes the variants differ in (the product type's definition
    /// lists the exact names it accepts).
    static func theme(colors: [String], sizes: [String]) -> String {
        let colors = Set(colors).count > 1, sizes = Set(sizes).count > 1
        switch (colors, sizes) {
        case (true, true): return "SIZE/COLOR"
        case (true, false): return "COLOR"
        default: return "SIZE"
        }
    }

    func finish() throws { try files.finish() }
    func commit() throws -> [FeedFile] { try files.commit() }
    func discard() { files.discard() }
}

/// JSON written straight into bytes: members of one object with their commas, escaped strings.
struct JSONBytes {
    var bytes: [UInt8] = []
    /// No member written yet in the current object.
    var first = true

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func int(_ n: Int) { bytes.append(contentsOf: String(n).utf8) }

    mutating func string(_ s: String) { JSONValue.escape(s, into: &bytes) }

    /// `["a","b"]`
    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `,"name":` (no comma before the object's first member).
    mutating func member(_ name: StaticString) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        raw("\":")
    }

    mutating func member(_ name: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        string(name)
        bytes.append(UInt8(ascii: ":"))
    }
}

/// The last description's plain text and bullets: the variants of a product come one after another and
/// share their description, so each is derived once.
struct DescriptionCache {
    /// The plain text is cut to this many characters.
    let limit: Int
    private var html: String?
    private var value: (String, [String]) = ("", [])

    init(limit: Int) { self.limit = limit }

    mutating func get(_ description: String) -> (plain: String, bullets: [String]) {
        if description != html {
            html = description
            let plain = FeedText.plain(description)
            value = (plain.utf8.count <= limit ? plain : String(plain.prefix(limit)), FeedText.bullets(description))
        }
        return value
    }
}

extension FeedText {
    /// The text of each `<li>` of an HTML description (bullet points, key features), tags dropped.
    /// Byte-level: it runs once per product and channel.
    public static func bullets(_ html: String) -> [String] {
        let bytes = Array(html.utf8)
        var out: [String] = []
        var i = 0
        func lower(_ b: UInt8) -> UInt8 { b >= 65 && b <= 90 ? b + 32 : b }
        func at(_ k: Int, _ word: [UInt8]) -> Bool {
            guard k + word.count <= bytes.count else { return false }
            for (j, w) in word.enumerated() where lower(bytes[k + j]) != w { return false }
            return true
        }
        let open = Array("<li".utf8), close = Array("</li".utf8)
        while i < bytes.count {
            guard bytes[i] == UInt8(ascii: "<"), at(i, open), i + 3 < bytes.count,
                bytes[i + 3] == UInt8(ascii: ">") || bytes[i + 3] == UInt8(ascii: " ")
            else {
                i += 1
                continue
            }
            var start = i + 3
            while start < bytes.count && bytes[start] != UInt8(ascii: ">") { start += 1 }
            start += 1
            var end = start
            while end < bytes.count && !(bytes[end] == UInt8(ascii: "<") && (at(end, close) || at(end, open))) { end += 1 }
            if start < end {
                let text = plain(String(decoding: bytes[start..<end], as: UTF8.self))
                if !text.isEmpty { out.append(text) }
            }
            i = end
        }
        return out
    }

    /// `text` cut to `limit` characters at the last word boundary (no word is split).
    public static func truncatedAtWord(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        let cut = text.prefix(limit)
        if let space = cut.lastIndex(of: " ") { return String(cut[..<space]).trimmingCharacters(in: CharacterSet(charactersIn: " ,;-–")) }
        return String(cut)
    }
}

/// Amazon's JSON_LISTINGS_FEED: written by `AmazonListingsWriter`, read back by `AmazonListingsReader`.
enum AmazonListingsFormat: FormatAdapter {
    static func writer(
        output: ChannelDefinition.Output, scope: ChannelDefinition.Scope, dir: String, settings: ChannelSettings,
        shop: ShopConfig
    ) throws -> any OutputWriter {
        AmazonListingsWriter(output: output, dir: dir, settings: settings)
    }
    static func reader(path: String, digest: FileDigest?) throws -> any FeedRowReader { try AmazonListingsReader(path: path, digest: digest) }
    static var auditColumns: [ChannelDefinition.Column]? {
        [column("sku", "id"), column("our_price", "price_amount"), column("discounted_price", "sale_price_amount"), column("quantity", "quantity")]
    }
}

/// An Amazon listings file read back: one row per `UPDATE` message that carries an offer (variation
/// parents and `DELETE` messages carry none). Read a line at a time, as Unifeed writes it (one message a
/// line), so memory stays at one message whatever the file's size.
struct AmazonListingsReader: FeedRowReader {
    let lines: JSONLinesReader

    // Only the members on the way to the SKU, the prices and the quantity are made: the titles,
    // descriptions, bullet points and the rest of each message are checked and skipped.
    init(path: String, digest: FileDigest? = nil) throws {
        lines = try JSONLinesReader(
            path: path, digest: digest,
            onlyMembers: [
                "sku", "attributes", "purchasable_offer", "our_price", "discounted_price", "schedule", "value_with_tax", "fulfillment_availability",
                "quantity",
            ])
    }

    mutating func next() throws -> FeedReaderRow? {
        while let (line, message) = try lines.next() {
            guard let sku = message["sku"]?.string, let offer = message["attributes"]?["purchasable_offer"]?.array?.first else { continue }
            func scheduled(_ key: String) -> String {
                offer[key]?.array?.first?["schedule"]?.array?.first?["value_with_tax"]?.numberText ?? ""
            }
            let quantity = message["attributes"]?["fulfillment_availability"]?.array?.first?["quantity"]?.numberText ?? ""
            return FeedReaderRow(
                line: line,
                values: [
                    "sku": sku, "our_price": scheduled("our_price"), "discounted_price": scheduled("discounted_price"), "quantity": quantity,
                ])
        }
        return nil
    }
}

/// The JSON objects of a file that holds one per line (JSON lines, or Amazon's messages as Unifeed lays
/// them out: a trailing `,` is dropped, and the envelope's own lines — `{"header":…`, `]}` — skipped).
final class JSONLinesReader {
    let file: String
    private var source: any ByteSource
    /// The members read (`nil`: all; see `JSONReader.parse(_:file:onlyMembers:)`).
    let only: Set<String>?
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var line = 0
    /// A line longer than this is an error (as the CSV reader's record limit).
    static let maxLineBytes = 1 << 20

    init(path: String, digest: FileDigest? = nil, onlyMembers only: Set<String>? = nil) throws {
        file = path
        self.only = only
        // The lines' bytes go straight to the JSON reader (no String made of each line first). Their
        // UTF-8 is checked where a string is made; audit's SHA-256 covers every byte.
        source = try digest.map { try HashedFileSource(path: path, digest: $0) } ?? FileByteSource(path: path)
        buffer.reserveCapacity(1 << 17)
    }

    deinit { (source as? FileByteSource)?.close() }

    /// The next line's bytes without its line break (`nil` at the end).
    private func nextLine() throws -> ArraySlice<UInt8>? {
        while true {
            let found = buffer.withUnsafeBufferPointer { p -> Int? in
                guard start < p.count, let hit = memchr(p.baseAddress! + start, 0x0A, p.count - start) else { return nil }
                return p.baseAddress!.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            }
            if let newline = found {
                let lineBytes = buffer[start..<newline]
                start = newline + 1
                line += 1
                return lineBytes
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let rest = buffer[start...]
                start = buffer.count
                line += 1
                return rest
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            guard buffer.count <= Self.maxLineBytes else {
                throw InputError("a line is longer than \(Self.maxLineBytes >> 20) MiB", at: InputLocation(file: file, line: line + 1))
            }
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 16))
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[old...])) }
            buffer.removeLast((1 << 16) - n)
            if n == 0 { atEnd = true }
        }
    }

    func next() throws -> (line: Int, object: JSONNode)? {
        while var bytes = try nextLine() {
            while let last = bytes.last, last == UInt8(ascii: ",") || last == 0x20 || last == 0x0D { bytes.removeLast() }
            guard bytes.first == UInt8(ascii: "{"), !bytes.starts(with: Self.envelope) else { continue }
            return (line, try JSONReader.parse(Array(bytes), file: file, onlyMembers: only))
        }
        return nil
    }

    private static let envelope = Array("{\"header\"".utf8)
}

/// Amazon (specs/marketplaces.md §2): a product type mapped for every item, a brand; an item without a
/// GTIN needs the brand's GTIN exemption.
enum AmazonChannel: ChannelAdapter {
    static var isMarketplace: Bool { true }
    static var titleRule: TitleRule { .limit(200) }

    static func check(_ item: FeedItem, into findings: inout Findings) {
        checkMarketplaceCategory(item, column: "product_type", into: &findings)
        if item.brand == nil { findings.error("missing_brand", "brand is required") }
        if item.gtin == nil {
            findings.warning("missing_gtin", "sent without externally_assigned_product_identifier: needs a GTIN exemption for the brand")
        }
    }
}
