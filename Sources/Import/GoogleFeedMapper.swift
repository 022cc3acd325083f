public import Catalog
public import Config
public import Formats
public import Foundation
public import StorePort

/// One item of a Google Shopping feed as read, XML or TSV: its attributes in the file's order, by
/// Google's names.
public struct GoogleItem: Sendable {
    public struct Attribute: Sendable {
        /// Google's name, lower case, without a prefix: `price`, `shipping`.
        public var name: String
        /// The name as the file writes it, for messages: `g:price` (XML), the column's header (TSV).
        public var label: String
        /// The text; a group (`shipping`, `tax`, `product_detail`) as `sub=value` pairs joined by `;`.
        public var value: String
        public var line: Int
        /// `false` for RSS's or Atom's own `<title>`, `<link>`, `<description>`: a `g:` element wins.
        public var isGoogle: Bool
        /// The model's field it fills; `nil` for a custom attribute.
        public var field: GoogleField?

        /// An attribute whose field is looked up by its name.
        public init(name: String, label: String, value: String, line: Int, isGoogle: Bool = true) {
            self.init(name: name, label: label, value: value, line: line, isGoogle: isGoogle, field: GoogleField(name: name))
        }

        public init(name: String, label: String, value: String, line: Int, isGoogle: Bool, field: GoogleField?) {
            self.field = field
            self.name = name
            self.label = label
            self.value = value
            self.line = line
            self.isGoogle = isGoogle
        }
    }

    /// Where the item starts.
    public var line: Int
    public var attributes: [Attribute] = []
    /// What the reader found wrong in the item (an entity it would not expand).
    public var errors: [InputError] = []
    /// What the reader has to say about the file where it read this item (an element of another
    /// namespace, ignored: said once per file).
    public var warnings: [InputError] = []

    public init(line: Int, attributes: [Attribute] = []) {
        self.line = line
        self.attributes = attributes
    }
}

/// The attributes the mapping reads into the model (the others become custom attributes), each a slot
/// of an item's index.
public enum GoogleField: Int, CaseIterable, Sendable {
    case id, itemGroupID, title, description, link, imageLink, additionalImageLink, price, salePrice, salePriceEffectiveDate, availability, availabilityDate, brand, gtin, mpn, identifierExists,
        condition, googleProductCategory, productType, color, size, sizeType, sizeSystem, gender, ageGroup, material, pattern, shippingWeight

    /// Google's name.
    public var name: String { Self.names[rawValue] }
    static let names = [
        "id", "item_group_id", "title", "description", "link", "image_link", "additional_image_link", "price", "sale_price", "sale_price_effective_date", "availability", "availability_date", "brand",
        "gtin", "mpn", "identifier_exists", "condition", "google_product_category", "product_type", "color", "size", "size_type", "size_system", "gender", "age_group", "material", "pattern",
        "shipping_weight",
    ]
    static let byName = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    public init?(name: String) {
        guard let field = Self.byName[name] else { return nil }
        self = field
    }
}

/// Google Shopping feed items → the canonical model (DESIGN.md §4; README, "Importing a Google feed").
///
/// `id` is the SKU and `item_group_id` the product (an item without one is a product of its own).
/// Product fields (title, description, brand, categories, condition, gender, age group, material,
/// pattern) come from a product's first item. The title loses the ` - COLOR - SIZE` a generator added,
/// so publishing adds them back once. `availability` is the stock status of a SKU whose stock is not
/// counted (as WooCommerce's `In stock?`): `in_stock`, `out_of_stock`, `backorder` and `preorder` (kept
/// as backorder with its date). Every attribute Unifeed does not model (`custom_label_N`, shipping and
/// tax groups, `product_highlight`, …) is kept as a custom attribute of that name, several values
/// joined by `, `.
public struct GoogleFeedMapper: Sendable {
    let file: String
    let shop: ShopConfig
    /// How messages name a missing attribute: `g:` in XML, nothing in TSV.
    let prefix: String
    /// The last product read and the title and description its first item gave it (a group's items
    /// come together).
    private var lastProduct: (id: String, title: String?, description: String?)?
    /// The records of the last product, held until the next one starts: a group the feed names with
    /// only one item in it is marked as a group (`google.item_group_id`), or publishing would drop
    /// its `item_group_id`.
    private var pending: [MappedRecord] = []
    private var pendingNamedGroup = false

    /// Maps one item; returns the records of the product before it once this one starts another.
    public mutating func consume(_ item: GoogleItem, source: SourceRow) -> [MappedRecord] {
        let record = map(item, source: source)
        var out: [MappedRecord] = []
        if case .catalog(_, let variant?) = record.payload {
            if let first = pending.first, case .catalog(_, let held?) = first.payload, held.productID != variant.productID { out = finish() }
            pendingNamedGroup = variant.productID != variant.sku
        } else {
            out = finish()
        }
        pending.append(record)
        return out
    }

    /// The records still held.
    public mutating func finish() -> [MappedRecord] {
        defer {
            pending.removeAll(keepingCapacity: true)
            pendingNamedGroup = false
        }
        if pending.count == 1, pendingNamedGroup, pending[0].errors.isEmpty, case .catalog(let product, var variant?) = pending[0].payload {
            variant.overrides["google", default: [:]]["item_group_id"] = variant.productID
            pending[0].payload = .catalog(product: product, variant: variant)
        }
        return pending
    }

    public init(file: String, config: UnifeedConfig, prefix: String) {
        self.file = file
        self.shop = config.shop
        self.prefix = prefix
    }

    /// The record of one item; `source` is what `--rejects` writes for it.
    mutating func map(_ item: GoogleItem, source: SourceRow) -> MappedRecord {
        var r = ItemReader(item: item, file: file, prefix: prefix)
        r.warnMisencoded()
        guard let idText = r.text(.id) else {
            r.fail(nil, .id, "an item needs an id (the SKU): this one has none, so it is not imported")
            return r.record(.skip("no id"), source: source)
        }
        let sku = r.parse(.id) { s throws(ValueError) in try Identifier.validate(s, noun: "id") } ?? idText
        let productID = r.parse(.itemGroupID) { s throws(ValueError) in try Identifier.validate(s, noun: "item_group_id") } ?? sku

        let color = r.text(.color)
        let size = r.text(.size)
        var product = Product(productID: productID)
        product.title = r.text(.title).map { ItemTitle.base(of: $0, color: color, size: size) }
        product.description = r.raw(.description)
        product.brand = r.text(.brand)
        product.googleProductCategory = r.text(.googleProductCategory).map { $0.utf8.contains(UInt8(ascii: "&")) ? Self.unescapedPath($0) : $0 }
        product.productType = r.text(.productType).map { $0.utf8.contains(UInt8(ascii: "&")) ? Self.unescapedPath($0) : $0 }
        product.condition = r.parse(.condition, Condition.parse)
        product.gender = r.parse(.gender, Gender.parse)
        product.ageGroup = r.parse(.ageGroup, AgeGroup.parse)
        product.material = r.text(.material)
        product.pattern = r.text(.pattern)
        // The product's title and description are its first item's; an item of the group that says
        // otherwise keeps its own for Google (the other channels show the product's).
        var own: [String: String] = [:]
        if let last = lastProduct, last.id == productID {
            if let title = product.title, title != last.title { own["title"] = r.text(.title) }
            if let description = product.description, description != last.description { own["description"] = description }
        } else {
            lastProduct = (productID, product.title, product.description)
        }

        let price = readPrices(&r)
        var variant = Variant(sku: sku, productID: productID, price: price?.price ?? Money(minorUnits: 0, currency: shop.currency))
        variant.sale = price?.sale
        variant.gtin = r.gtin(.gtin)
        variant.mpn = r.text(.mpn)
        variant.color = color
        variant.size = size
        variant.sizeType = r.parse(.sizeType, SizeType.parse)
        variant.sizeSystem = r.parse(.sizeSystem, SizeSystem.parse)
        variant.weight = r.parse(.shippingWeight, Weight.parse)
        variant.availabilityDate = r.parse(.availabilityDate) { [shop] s throws(ValueError) in try Timestamp.parse(s, timeZone: shop.timeZone) }
        variant.stockPolicy = readAvailability(&r, date: variant.availabilityDate)
        if let exists = r.parse(.identifierExists, YesNo.parse), !exists, variant.gtin != nil || variant.mpn != nil {
            // Said although the item has an identifier: kept, and Google's diagnostics judge it.
            variant.overrides["google", default: [:]]["identifier_exists"] = "no"
        }
        for (field, value) in own { variant.overrides["google", default: [:]][field] = value }
        variant.link = r.parse(.link, WebURL.validate)
        if variant.link == nil, let template = shop.linkTemplate {
            variant.link = WebURL.fill(template: template, productID: productID, sku: sku)
        }
        variant.images = readImages(&r)
        for (name, value) in r.unmodeled() { variant.custom[name] = value }
        return r.record(.catalog(product: product, variant: variant), source: source)
    }

    /// `price`, `sale_price` and `sale_price_effective_date`: amounts with their ISO 4217 currency.
    private func readPrices(_ r: inout ItemReader) -> (price: Money, sale: Sale?)? {
        let regular: Money?
        if r.text(.price) == nil {
            r.warn(.price, "no price yet: imported, and kept out of every channel (missing_price) until it has one")
            regular = Money(minorUnits: 0, currency: shop.currency)
        } else {
            regular = r.parse(.price) { [shop] s throws(ValueError) in try GooglePrice.parse(s, defaultCurrency: shop.currency) }
        }
        guard let regular else { return nil }
        let salePrice = r.parse(.salePrice) { [shop] s throws(ValueError) in try GooglePrice.parse(s, defaultCurrency: shop.currency) }
        var start: Timestamp?
        var end: Timestamp?
        if r.text(.salePriceEffectiveDate) != nil {
            if salePrice == nil, r.text(.salePrice) == nil {
                r.warn(.salePriceEffectiveDate, "a sale window without a sale_price: ignored")
            } else if let window = r.parse(.salePriceEffectiveDate, { [shop] s throws(ValueError) in try GooglePrice.window(s, timeZone: shop.timeZone) }) {
                (start, end) = window
            }
        }
        guard let salePrice else { return (regular, nil) }
        if salePrice.currency != regular.currency {
            r.fail(.salePrice, "sale_price is in \(salePrice.currency.code) but price is in \(regular.currency.code)", found: r.text(.salePrice))
        } else if salePrice.minorUnits > regular.minorUnits {
            r.fail(.salePrice, "sale price must not be above the price (\(regular.amountString))", found: salePrice.amountString)
        }
        return (regular, Sale(price: salePrice, start: start, end: end))
    }

    /// The stock status of a SKU whose count the feed does not give.
    private func readAvailability(_ r: inout ItemReader, date: Timestamp?) -> StockPolicy {
        guard let text = r.text(.availability) else {
            r.warn(.availability, "no availability: read as in_stock")
            return .inStock
        }
        // As Google writes them (almost every item), else case and spaces aside.
        let normalized = text == "in_stock" || text == "out_of_stock" ? text : text.lowercased().replacingOccurrences(of: " ", with: "_")
        switch normalized {
        case "in_stock": return .inStock
        case "out_of_stock": return .outOfStock
        case "backorder":
            if date == nil { r.warn(.availability, "backorder without an availability_date: Google needs one") }
            return .untrackedBackorder
        case "preorder":
            r.warn(
                .availability, "preorder is kept as backorder with its availability_date (Unifeed has no pre-order state of its own)",
                found: text)
            return .untrackedBackorder
        default:
            r.fail(.availability, "unknown availability, expected one of: in_stock, out_of_stock, preorder, backorder", found: text)
            return .inStock
        }
    }

    /// `image_link`, then every `additional_image_link` (repeated, or comma-separated in one value).
    private func readImages(_ r: inout ItemReader) -> [String] {
        var images: [String] = []
        if let main = r.parse(.imageLink, { [shop] s throws(ValueError) in try WebURL.resolveImage(s, base: shop.imageBaseURL) }) {
            images.append(main)
        }
        for attribute in r.all(.additionalImageLink) {
            for part in Self.splitURLs(attribute.value) {
                do throws(ValueError) {
                    images.append(try WebURL.resolveImage(part, base: shop.imageBaseURL))
                } catch {
                    r.fail(attribute, error.message, found: part)
                }
            }
        }
        return images
    }

    /// A comma-separated list of URLs; a comma inside a URL (a part that does not start a new URL) stays
    /// in it.
    static func splitURLs(_ text: String) -> [String] {
        if !text.utf8.contains(UInt8(ascii: ",")) {
            let trimmed = text.trimmingASCIIWhitespace()
            return trimmed.isEmpty ? [] : [trimmed]
        }
        var parts: [String] = []
        for piece in text.split(separator: ",", omittingEmptySubsequences: true) {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let lower = trimmed.lowercased()
            if !parts.isEmpty && !(lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.hasPrefix("//") || lower.hasPrefix("/")) {
                parts[parts.count - 1] += "," + piece
            } else {
                parts.append(trimmed)
            }
        }
        return parts
    }

    /// A category path as some generators write it, escaped once too often (`Home &gt; Decor`).
    static func unescapedPath(_ text: String) -> String {
        // A plain `&` ("Home & Garden") is common: look for the three references before replacing.
        let bytes = Array(text.utf8)
        let escaped = bytes.indices.contains { i in
            bytes[i] == UInt8(ascii: "&")
                && (bytes[(i + 1)...].starts(with: "gt;".utf8) || bytes[(i + 1)...].starts(with: "lt;".utf8)
                    || bytes[(i + 1)...].starts(with: "amp;".utf8))
        }
        guard escaped else { return text }
        return text.replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}

/// Google's price type and date ranges.
public enum GooglePrice {
    /// `15.00 USD`, `599 CZK`, `22.0 USD` (also `15.00USD`): the amount with at most the currency's
    /// decimals and an ISO 4217 code; without a code, the shop's currency.
    public static func parse(_ text: String, defaultCurrency: Currency) throws(ValueError) -> Money {
        let s = text.trimmingASCIIWhitespace()
        var amount = Substring(s)
        var currency = defaultCurrency
        let letters = s.utf8.reversed().prefix { ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) }.count
        if letters > 0 {
            let code = String(s.suffix(letters))
            guard letters == 3, let known = Currency(code: code.uppercased()) else {
                throw ValueError("unknown currency \(code), expected an amount and an ISO 4217 code such as 15.00 USD")
            }
            currency = known
            amount = s.dropLast(letters)
        }
        return try Money.parse(String(amount), currency: currency)
    }

    /// `2026-11-01T00:00-0800/2026-11-30T23:59-0800`: both ends, the end after the start (a date
    /// without a time ends at the end of that day).
    public static func window(_ text: String, timeZone: TimeZone) throws(ValueError) -> (Timestamp, Timestamp) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValueError("expected START/END in ISO 8601, e.g. 2026-11-01T00:00-0800/2026-11-30T23:59-0800")
        }
        let start = try Timestamp.parse(String(parts[0]), timeZone: timeZone)
        let end = try Timestamp.parse(String(parts[1]), timeZone: timeZone, endOfDay: true)
        guard end > start else { throw ValueError("the sale window ends before it starts") }
        return (start, end)
    }
}

/// Reads one item's attributes by name, collecting every problem of the item.
struct ItemReader {
    let item: GoogleItem
    let file: String
    let prefix: String
    private(set) var errors: [InputError] = []
    private(set) var warnings: [InputError] = []

    /// Per field, the index of its attribute (`g:` over RSS's or Atom's own), or -1.
    private let first: [Int]

    init(item: GoogleItem, file: String, prefix: String) {
        self.item = item
        self.file = file
        self.prefix = prefix
        self.errors = item.errors
        self.warnings = item.warnings
        var first = [Int](repeating: -1, count: GoogleField.allCases.count)
        for (i, attribute) in item.attributes.enumerated() {
            guard let field = attribute.field else { continue }
            let held = first[field.rawValue]
            if held < 0 || (attribute.isGoogle && !item.attributes[held].isGoogle) { first[field.rawValue] = i }
        }
        self.first = first
    }

    /// Every value of `field`, `g:` elements first.
    func all(_ field: GoogleField) -> [GoogleItem.Attribute] {
        let matching = item.attributes.filter { $0.field == field }
        return matching.filter(\.isGoogle) + matching.filter { !$0.isGoogle }
    }

    /// The first value of a single-valued attribute (a `g:` one over RSS's or Atom's own).
    func attribute(_ field: GoogleField) -> GoogleItem.Attribute? {
        let i = first[field.rawValue]
        return i < 0 ? nil : item.attributes[i]
    }

    /// The trimmed value, `nil` when absent or empty.
    func text(_ field: GoogleField) -> String? {
        guard let value = attribute(field)?.value.trimmingASCIIWhitespace(), !value.isEmpty else { return nil }
        return value
    }

    /// The value untrimmed (a description), `nil` when absent or empty.
    func raw(_ field: GoogleField) -> String? {
        guard let value = attribute(field)?.value, !value.trimmingASCIIWhitespace().isEmpty else { return nil }
        return value
    }

    mutating func parse<T>(_ field: GoogleField, _ parser: (String) throws(ValueError) -> T) -> T? {
        guard let value = text(field) else { return nil }
        do {
            return try parser(value)
        } catch {
            fail(field, error.message, found: value)
            return nil
        }
    }

    /// A GTIN as written when it is not valid, with a warning (each channel's diagnostics judge it).
    mutating func gtin(_ field: GoogleField) -> GTIN? {
        guard let text = text(field) else { return nil }
        if let valid = try? GTIN(parsing: text) { return valid }
        warn(field, GTIN.problem(text) ?? "is not a valid GTIN", found: text)
        return GTIN(unchecked: text)
    }

    private func location(of attribute: GoogleItem.Attribute?) -> InputLocation {
        InputLocation(file: file, line: attribute?.line ?? item.line)
    }

    mutating func fail(_ attribute: GoogleItem.Attribute?, _ field: GoogleField, _ message: String, found: String? = nil) {
        errors.append(InputError(message, at: location(of: attribute), column: attribute?.label ?? prefix + field.name, found: found))
    }

    mutating func fail(_ field: GoogleField, _ message: String, found: String? = nil) { fail(attribute(field), field, message, found: found) }

    mutating func fail(_ attribute: GoogleItem.Attribute, _ message: String, found: String? = nil) {
        errors.append(InputError(message, at: location(of: attribute), column: attribute.label, found: found))
    }

    mutating func warn(_ field: GoogleField, _ message: String, found: String? = nil) {
        let attribute = attribute(field)
        warnings.append(
            InputError(message, at: location(of: attribute), column: attribute?.label ?? prefix + field.name, found: found, severity: .warning))
    }

    /// C1 control characters and double-encoded UTF-8 (a source converted twice): kept as written, said
    /// once per attribute with the item and the characters.
    mutating func warnMisencoded() {
        let id = text(.id).map { " (item \($0))" } ?? ""
        for attribute in item.attributes {
            guard let problem = Mojibake.problem(in: attribute.value) else { continue }
            warnings.append(
                InputError(
                    "\(problem)\(id): kept as written", at: location(of: attribute), column: attribute.label,
                    found: attribute.value, severity: .warning))
        }
    }

    /// The attributes the model does not hold, by name in the file's order, with all their values
    /// joined by `, `.
    func unmodeled() -> [(String, String)] {
        var out: [(String, String)] = []
        for attribute in item.attributes where attribute.field == nil {
            let value = attribute.value.trimmingASCIIWhitespace()
            guard !value.isEmpty else { continue }
            if let i = out.firstIndex(where: { $0.0 == attribute.name }) {
                out[i].1 += ", " + value
            } else {
                out.append((attribute.name, value))
            }
        }
        return out
    }

    func record(_ payload: MappedRecord.Payload, source: SourceRow) -> MappedRecord {
        MappedRecord(source: source, payload: payload, errors: errors, warnings: warnings)
    }
}

/// Text a mis-converted source leaves behind.
enum Mojibake {
    /// What is wrong with `text`, naming the characters: C1 control characters (U+0080–U+009F, Windows-1252
    /// punctuation read as Latin-1), or UTF-8 read as Latin-1 and encoded again (`Ã©` for `é`).
    static func problem(in text: String) -> String? {
        // Pure ASCII (almost every value) has neither.
        var copy = text
        guard copy.withUTF8({ bytes in bytes.contains { $0 >= 0x80 } }) else { return nil }
        var c1: [String] = []
        var doubled: [String] = []
        let scalars = Array(text.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            if (0x80...0x9F).contains(scalar.value) {
                let name = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
                if !c1.contains(name) { c1.append(name) }
            }
            // A UTF-8 lead byte read as a Latin-1 or Windows-1252 character, followed by its continuation
            // bytes read the same way: the characters of one UTF-8 sequence, encoded a second time.
            let length = scalar.value >= 0xC2 && scalar.value <= 0xDF ? 2 : scalar.value >= 0xE0 && scalar.value <= 0xEF ? 3 : scalar.value >= 0xF0 && scalar.value <= 0xF4 ? 4 : 0
            if length > 0, i + length <= scalars.count {
                let bytes = scalars[i..<i + length].compactMap(windows1252Byte)
                if bytes.count == length, bytes.dropFirst().allSatisfy({ $0 >= 0x80 && $0 <= 0xBF }), let meant = String(validating: bytes, as: UTF8.self) {
                    let seen = String(String.UnicodeScalarView(scalars[i..<i + length]))
                    let said = "\(seen) (\(meant))"
                    if !doubled.contains(said) { doubled.append(said) }
                    i += length
                    continue
                }
            }
            i += 1
        }
        var parts: [String] = []
        if !c1.isEmpty { parts.append("C1 control characters \(c1.joined(separator: ", "))") }
        if !doubled.isEmpty { parts.append("double-encoded UTF-8 \(doubled.joined(separator: ", "))") }
        return parts.isEmpty ? nil : parts.joined(separator: " and ")
    }

    /// The byte Windows-1252 (or Latin-1) writes as `scalar`.
    static func windows1252Byte(_ scalar: Unicode.Scalar) -> UInt8? {
        if scalar.value <= 0xFF { return UInt8(scalar.value) }
        let high: [UInt32: UInt8] = [
            0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
            0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
            0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
            0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
        ]
        return high[scalar.value]
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// Google's text feed (TSV): each row an item, each column an attribute named in the header (`id`,
/// `g:price`, `shipping(country:service:price)`). Group columns are read into `sub=value` pairs like the
/// XML feed's nested elements.
public struct GoogleTSVMapper: RowMapper {
    let header: Header
    var mapper: GoogleFeedMapper
    /// Per column: Google's name, the sub-attributes of a group column, the model's field.
    let columns: [(name: String, subs: [String]?, field: GoogleField?)]

    /// Positional sub-attributes of a plain `shipping` or `tax` column (Google's first text form).
    static let positional: [String: [String]] = [
        "shipping": [
            "country", "region", "service", "price", "min_handling_time", "max_handling_time", "min_transit_time", "max_transit_time",
        ],
        "tax": ["country", "region", "rate", "tax_ship"],
    ]

    public init(header: Header, config: UnifeedConfig) throws {
        try header.require(["id"], format: "google")
        self.header = header
        self.mapper = GoogleFeedMapper(file: header.file, config: config, prefix: "")
        columns = header.names.map { raw in
            var name = raw.trimmingASCIIWhitespace().lowercased()
            if name.hasPrefix("g:") { name.removeFirst(2) }
            var subs: [String]?
            if let open = name.firstIndex(of: "("), name.hasSuffix(")") {
                subs = name[name.index(after: open)..<name.index(before: name.endIndex)].split(separator: ":").map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                name = String(name[..<open])
            } else {
                subs = Self.positional[name]
            }
            let google = name.replacingOccurrences(of: " ", with: "_")
            return (google, subs, GoogleField(name: google))
        }
    }

    /// Detects Google's text feed: an `id` column with `price` and `title` or `link`, and no `sku`.
    public static func matches(_ header: Header) -> Bool {
        func has(_ name: String) -> Bool { header.column(name) != nil || header.column("g:" + name) != nil }
        return has("id") && has("price") && (has("title") || has("link")) && header.column("sku") == nil
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var item = GoogleItem(line: row.line)
        for (i, field) in row.fields.enumerated() where i < columns.count && !field.isEmpty {
            let column = columns[i]
            if column.name == "error" { continue }  // a --rejects file read back
            var value = field
            if let subs = column.subs, field.contains(":") {
                value = field.split(separator: ",").map { group in
                    zip(subs, group.split(separator: ":", omittingEmptySubsequences: false)).filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1)" }
                        .joined(separator: ";")
                }.joined(separator: ", ")
            }
            item.attributes.append(
                GoogleItem.Attribute(name: column.name, label: header.names[i], value: value, line: row.line, isGoogle: true, field: column.field))
        }
        return mapper.consume(item, source: row)
    }

    public mutating func finish() -> [MappedRecord] { mapper.finish() }
}
