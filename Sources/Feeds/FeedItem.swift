public import Catalog
public import Config
public import Formats
public import Foundation
public import Pipeline
public import StorePort

/// One SKU as a channel sees it at one moment: prices with the sale state at `--now`, availability
/// from the channel's allocation, the channel's overrides applied. Pure: built from a `VariantView`.
public struct FeedItem: Sendable {
    public var id: String
    public var itemGroupID: String
    /// The item is one of several variants of its product on this channel: only then does it carry
    /// `item_group_id` (a product of one SKU is no variant group; the channel run decides).
    public var inGroup = true
    public var status: VariantStatus
    public var title: String
    /// The catalog's title, before variant details (editorial rules judge it).
    public var baseTitle: String
    public var description: String
    public var link: String?
    public var imageLink: String?
    public var additionalImageLinks: [String]
    /// `in_stock`, `out_of_stock`, `backorder`.
    public var availability: String
    public var availabilityDate: String?
    /// Units offered to the channel after allocation.
    public var quantity: Int
    /// The SKU has no stock record at the channel's location (and the shop gives no status instead).
    public var unstocked: Bool
    /// The shop sells it on backorder, but there is no availability date ahead: channels need one to
    /// show `backorder`, so it is sent as `out_of_stock` (a warning says so).
    public var backorderWithoutDate = false
    public var price: Money
    /// The sale price when a sale is active or announced at `now` (with its window in `saleWindow`).
    public var salePrice: Money?
    /// `2026-11-20T00:00-0500/2026-12-01T00:00-0500`.
    public var saleWindow: String?
    /// The sale's window as instants (`saleWindow` for formats that take ISO 8601 or epochs).
    public var saleStart: Timestamp?
    public var saleEnd: Timestamp?
    /// The sale applies at `now`.
    public var saleActive: Bool
    /// A sale that ended before `now` (omitted, reported as a warning).
    public var saleEnded: Bool
    /// The automatic markdown behind the sale price, when one beats the variant's own sale.
    public var markdownID: String?
    /// The code and basket promotions (`price_effect = none`) that name this SKU, not ended, by id:
    /// Google's `promotion_id` (at most 10 are sent).
    public var promotionIDs: [String] = []
    /// In store only: the online offer, when its price in effect now differs from the store's (the
    /// price, and the promotion that makes it or `nil` for the variant's own price or sale).
    public var onlineOffer: (price: Money, promotionID: String?)?
    public var brand: String?
    public var gtin: String?
    /// A GTIN the catalog holds that is not valid: never sent (`gtin` is nil then), judged by diagnostics.
    public var invalidGTIN: String?
    public var mpn: String?
    public var identifierExists: Bool
    public var condition: String
    public var color, size, sizeSystem, sizeType, gender, ageGroup, material, pattern: String?
    public var googleProductCategory: String?
    public var productType: String?
    public var shippingWeight: String?
    public var customLabels: [String?]
    public var custom: [(String, String)]
    /// Overrides for this channel (`google.title`), already applied where they name a field.
    public var overrides: [String: String]
    /// Stock on hand per location (the raw figures; stores for local inventory).
    public var stock: [(location: String, quantity: Int)]
    /// A marketplace's category or product type: the `CHANNEL.product_type` (or `.category`) column, else
    /// `[channels.NAME.product_types]` (or `categories`) by product_type (filled in by the channel run).
    public var marketplaceCategory: String?

    /// `25.00 USD` and the sale price the same way, formatted once (every output writes them).
    public private(set) var priceText = ""
    public private(set) var salePriceText: String?

    /// The price a buyer pays at `now`.
    public var effectivePrice: Money { saleActive ? (salePrice ?? price) : price }

    /// The values of a field by its feed name, for declared (template) channels and text writers.
    /// Repeated fields (`additional_image_link`) give several values.
    public func values(_ field: String) -> [String] { values(FeedField(field)) }

    /// The values of a resolved field (writers resolve column names once, not per item).
    public func values(_ field: FeedField) -> [String] {
        if field == .additionalImageLink { return additionalImageLinks }
        if field == .promotionID { return promotionIDs.count > 10 ? Array(promotionIDs.prefix(10)) : promotionIDs }  // Google takes 10
        return value(field).map { [$0] } ?? []
    }

    /// The one value of a field, or `nil` when the item has none. Repeated fields
    /// (`additional_image_link`) have none here: writers take `additionalImageLinks`. Allocation-free
    /// for stored fields (it runs for every column of every item).
    @inline(__always)
    public func value(_ field: FeedField) -> String? {
        switch field {
        case .id: return id
        case .itemGroupID: return inGroup ? itemGroupID : nil
        case .title: return title
        case .description: return description
        case .descriptionText: return FeedText.plain(description)
        case .link: return link
        case .imageLink: return imageLink
        case .additionalImageLink, .promotionID: return nil
        case .availability: return availability
        case .availabilityDate: return availabilityDate
        case .quantity: return String(quantity)
        case .price: return priceText
        case .priceAmount: return price.amountString
        case .currency: return price.currency.code
        case .salePrice: return salePriceText
        case .salePriceAmount: return salePrice?.amountString
        case .salePriceEffectiveDate: return saleWindow
        case .effectivePrice: return effectivePrice.description
        case .effectivePriceAmount: return effectivePrice.amountString
        case .saleStrikethroughAmount: return saleActive && salePrice != nil ? price.amountString : nil
        case .brand: return brand
        case .gtin: return gtin
        case .mpn: return mpn
        case .identifierExists: return identifierExists ? nil : "no"
        case .condition: return condition
        case .color: return color
        case .size: return size
        case .sizeSystem: return sizeSystem
        case .sizeType: return sizeType
        case .gender: return gender
        case .ageGroup: return ageGroup
        case .material: return material
        case .pattern: return pattern
        case .googleProductCategory: return googleProductCategory
        case .productType: return productType
        case .shippingWeight: return shippingWeight
        case .status: return status.rawValue
        case .customLabel(let n): return customLabels[n]
        case .custom(let name): return custom.first { $0.0 == name }?.1
        case .storeCode, .pickupMethod, .pickupSLA, .shipping, .tax, .unknown: return nil
        }
    }

    /// Calls `body` with the field's value when the item has one. Stored fields are lent, not copied (no
    /// reference counting per column per item: the writers call this for every cell they write).
    @inline(__always)
    public func withValue(_ field: FeedField, _ body: (String) throws -> Void) rethrows {
        switch field {
        case .id: try body(id)
        case .itemGroupID: if inGroup { try body(itemGroupID) }
        case .title: try body(title)
        case .description: try body(description)
        case .link: if let link { try body(link) }
        case .imageLink: if let imageLink { try body(imageLink) }
        case .availability: try body(availability)
        case .brand: if let brand { try body(brand) }
        case .gtin: if let gtin { try body(gtin) }
        case .mpn: if let mpn { try body(mpn) }
        case .condition: try body(condition)
        case .color: if let color { try body(color) }
        case .size: if let size { try body(size) }
        case .sizeSystem: if let sizeSystem { try body(sizeSystem) }
        case .sizeType: if let sizeType { try body(sizeType) }
        case .gender: if let gender { try body(gender) }
        case .ageGroup: if let ageGroup { try body(ageGroup) }
        case .material: if let material { try body(material) }
        case .pattern: if let pattern { try body(pattern) }
        case .googleProductCategory: if let googleProductCategory { try body(googleProductCategory) }
        case .productType: if let productType { try body(productType) }
        case .shippingWeight: if let shippingWeight { try body(shippingWeight) }
        default: if let value = value(field) { try body(value) }
        }
    }

    /// Every field name `values(_:)` knows (templates are checked against it).
    public static let fieldNames: Set<String> = [
        "id", "item_group_id", "title", "description", "description_text", "link", "image_link", "additional_image_link",
        "availability", "availability_date", "quantity", "price", "price_amount", "currency", "sale_price", "sale_price_amount",
        "sale_price_effective_date", "effective_price", "effective_price_amount", "sale_strikethrough_amount", "brand", "gtin", "mpn", "identifier_exists",
        "condition", "color", "size", "size_system", "size_type", "gender", "age_group", "material", "pattern",
        "google_product_category", "product_type", "shipping_weight", "status",
        "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4", "promotion_id",
    ]
}

extension FeedItem {
    /// Builds the item `channel` sees for `v` at `now`.
    ///
    /// - Sale at `now`: active → the sale price (with its window); announced (start later) → the sale
    ///   price with its window, not yet active; ended → omitted (`saleEnded`). A window with no start
    ///   starts at `now`; an active sale with no end has no window (it runs until removed); an announced
    ///   sale with no end is given a one-year window (Google needs both ends).
    /// - Availability: the channel's allocation of its stock location; `in_stock` when anything is
    ///   offered, else `backorder` when an availability date lies ahead, else `out_of_stock`.
    public init(
        _ v: borrowing VariantView, channel: String, settings: ChannelSettings, shop: ShopConfig, now: Timestamp, markdowns: Markdowns = Markdowns(),
        inStore: Bool = false, offerOnly: Bool = false
    ) {
        self = withUnsafePointer(to: v) {
            FeedItem(at: $0, channel: channel, settings: settings, shop: shop, now: now, markdowns: markdowns, inStore: inStore, offerOnly: offerOnly)
        }
    }

    /// The same, reading the view in place: each field is copied alone as the item takes it, not the
    /// whole view first (publish builds a million of these per channel).
    ///
    /// The sale is the one `Markdowns.offer` gives for where the item is shown (`inStore`: the store
    /// rows of local inventory): the variant's own sale or an automatic markdown that beats it.
    ///
    /// `offerOnly` (audit, which compares prices, sales, availability and quantities): the texts are
    /// taken as the catalog holds them, not cleaned for XML or composed into titles, and no custom labels
    /// are made; every offer and stock field is the same as a publish's.
    public init(
        at v: UnsafePointer<VariantView>, channel: String, settings: ChannelSettings, shop: ShopConfig, now: Timestamp,
        markdowns: Markdowns = Markdowns(), inStore: Bool = false, offerOnly: Bool = false
    ) {
        @inline(__always) func clean(_ text: String) -> String { offerOnly ? text : FeedText.xmlSafe(text) }
        let channelOverrides =
            v.pointee.overrides.isEmpty
            ? [:] : Dictionary(v.pointee.overrides.filter { $0.0 == channel }.map { ($0.1, $0.2) }, uniquingKeysWith: { a, _ in a })
        id = v.pointee.sku.rawValue
        itemGroupID = v.pointee.productID
        status = v.pointee.status
        let catalogTitle = clean(channelOverrides["title"] ?? v.pointee.title ?? "")
        baseTitle = catalogTitle
        if let override = channelOverrides["title"] {
            title = override
        } else if catalogTitle.isEmpty || offerOnly {
            title = catalogTitle
        } else {
            // The title, then color and size unless it names them already: "Tee - Black - M".
            title = ItemTitle.compose(catalogTitle, color: v.pointee.color, size: v.pointee.size)
        }
        description = clean(channelOverrides["description"] ?? v.pointee.description ?? "")
        link = channelOverrides["link"] ?? v.pointee.link
        imageLink = channelOverrides["image_link"] ?? v.pointee.images.first
        additionalImageLinks = Array(v.pointee.images.dropFirst())
        price = v.pointee.price
        priceText = price.description
        brand = (channelOverrides["brand"] ?? v.pointee.brand).map(clean)
        if let written = v.pointee.gtin, !v.pointee.gtinValid {
            gtin = nil
            invalidGTIN = written
        } else {
            gtin = v.pointee.gtin
            invalidGTIN = nil
        }
        mpn = v.pointee.mpn.map(clean)
        // `identifier_exists = no` is sent when the item has neither GTIN nor MPN, or when the catalog says so
        // (`google.identifier_exists`, which diagnostics refuse when a GTIN exists).
        let declaredNo = channelOverrides["identifier_exists"].map { ["no", "false"].contains($0.lowercased()) } ?? false
        identifierExists = (gtin != nil || mpn != nil) && !declaredNo
        condition = v.pointee.condition ?? "new"
        color = v.pointee.color.map(clean)
        size = v.pointee.size.map(clean)
        sizeSystem = v.pointee.sizeSystem
        sizeType = v.pointee.sizeType
        gender = v.pointee.gender
        ageGroup = v.pointee.ageGroup
        material = v.pointee.material.map(clean)
        pattern = v.pointee.pattern.map(clean)
        googleProductCategory = (channelOverrides["google_product_category"] ?? v.pointee.googleProductCategory).map(clean)
        productType = v.pointee.productType.map(clean)
        shippingWeight = v.pointee.weight
        // Shared with the view unless a value needs cleaning (most never do).
        custom =
            !offerOnly && v.pointee.custom.contains { ByteScan.mayNeedXMLCleaning($0.1) } ? v.pointee.custom.map { ($0.0, clean($0.1)) } : v.pointee.custom
        overrides = channelOverrides
        stock = v.pointee.stock
        // The mapping by product_type is applied by the channel run (cached per product type).
        marketplaceCategory = channelOverrides["product_type"] ?? channelOverrides["category"]

        // Sale state at `now`.
        salePrice = nil
        saleWindow = nil
        saleActive = false
        saleEnded = false
        let ownSaleEnded = v.pointee.salePrice != nil && v.pointee.saleEnd.map { $0 <= now } == true
        if v.pointee.salePrice != nil || !markdowns.isEmpty {
            if let offer = markdowns.offer(
                price: v.pointee.price, sale: v.pointee.salePrice, saleStart: v.pointee.saleStart, saleEnd: v.pointee.saleEnd,
                sku: v.pointee.sku.rawValue, productID: v.pointee.productID, productType: v.pointee.productType, brand: v.pointee.brand,
                inStore: inStore, now: now)
            {
                let (sale, start, end) = (offer.salePrice, offer.start, offer.end)
                markdownID = offer.promotionID
                salePrice = sale
                salePriceText = sale.description
                saleStart = start
                saleEnd = end
                saleActive = offer.hasStarted(by: now)
                if start != nil || end != nil {
                    let from = start ?? now
                    let to = end ?? Timestamp(secondsSinceEpoch: from.secondsSinceEpoch + 366 * 86_400)
                    if end != nil || !saleActive {
                        saleWindow = FeedText.googleDate(from, shop.timeZone) + "/" + FeedText.googleDate(to, shop.timeZone)
                    }
                }
            }
        }

        if markdowns.hasLinkedPromotions {
            promotionIDs = markdowns.linkedIDs(
                sku: v.pointee.sku.rawValue, productID: v.pointee.productID, productType: v.pointee.productType, brand: v.pointee.brand, now: now)
        }

        // The variant's own sale has ended and nothing else gives a sale price: it is not sent.
        saleEnded = ownSaleEnded && salePrice == nil

        // In store, the online offer beside it (they differ only through a markdown that reaches one
        // and not the other).
        if inStore && markdowns.reachesOneSideOnly {
            let online = markdowns.offer(
                price: v.pointee.price, sale: v.pointee.salePrice, saleStart: v.pointee.saleStart, saleEnd: v.pointee.saleEnd,
                sku: v.pointee.sku.rawValue, productID: v.pointee.productID, productType: v.pointee.productType, brand: v.pointee.brand,
                inStore: false, now: now)
            let running = online.flatMap { $0.hasStarted(by: now) ? $0 : nil }
            let onlinePrice = running?.salePrice ?? v.pointee.price
            if onlinePrice != (saleActive ? (salePrice ?? price) : price) { onlineOffer = (onlinePrice, running?.promotionID) }
        }

        // Availability from the channel's allocation, or from the shop's status where it counts no stock
        // online (`untracked_quantity` units offered when in stock).
        let policy = v.pointee.stockPolicy
        if policy.isUntracked && settings.stockLocation == StoreLocation.online {
            unstocked = false
            let offered = policy == .inStock ? settings.untrackedQuantity : 0
            quantity = v.pointee.status == .archived ? 0 : settings.maxQuantity.map { min($0, offered) } ?? offered
        } else {
            let onHand = v.pointee.stock.first { $0.location == settings.stockLocation }
            unstocked = onHand == nil
            quantity = v.pointee.status == .archived ? 0 : settings.available(onHand: onHand?.quantity ?? 0)
        }
        availabilityDate = v.pointee.availabilityDate.map { FeedText.googleDate($0, shop.timeZone) }
        if quantity > 0 {
            availability = "in_stock"
        } else if let date = v.pointee.availabilityDate, date > now {
            availability = "backorder"
        } else {
            availability = "out_of_stock"
            backorderWithoutDate = policy.sellsOnBackorder && v.pointee.status != .archived
        }
        if availability != "backorder" { availabilityDate = nil }

        guard !offerOnly else {
            customLabels = [nil, nil, nil, nil, nil]
            return
        }
        customLabels = (0..<5).map { n in
            let configured: String? = settings.customLabels[n].flatMap { source in
                if source.hasPrefix("custom.") { return v.pointee.custom.first { $0.0 == source.dropFirst(7) }?.1 }
                switch source {
                case "brand": return v.pointee.brand
                case "product_type": return v.pointee.productType
                case "condition": return v.pointee.condition
                default: return nil
                }
            }
            // Else a custom attribute of the label's own name (a Google feed imported as the catalog).
            return configured ?? (v.pointee.custom.isEmpty ? nil : v.pointee.custom.first { $0.0 == Self.customLabelNames[n] }.map { FeedText.xmlSafe($0.1) })
        }
        if !channelOverrides.isEmpty {
            for n in 0..<5 {
                if let label = channelOverrides["custom_label_\(n)"] { customLabels[n] = FeedText.xmlSafe(label) }
            }
        }
    }
}

extension FeedItem {
    static let customLabelNames = (0..<5).map { "custom_label_\($0)" }
}

/// A feed field, resolved from its name once per template column.
public enum FeedField: Hashable, Sendable {
    case id, itemGroupID, title, description, descriptionText, link, imageLink, additionalImageLink, availability
    case availabilityDate, quantity, price, priceAmount, currency, salePrice, salePriceAmount, salePriceEffectiveDate
    case effectivePrice, effectivePriceAmount, saleStrikethroughAmount, brand, gtin, mpn, identifierExists, condition
    case color, size, sizeSystem, sizeType, gender, ageGroup, material, pattern, googleProductCategory, productType
    case shippingWeight, status, storeCode, pickupMethod, pickupSLA, shipping, tax, promotionID
    case customLabel(Int)
    case custom(String)
    case unknown

    static let byName: [String: FeedField] = [
        "id": .id, "item_group_id": .itemGroupID, "title": .title, "description": .description, "description_text": .descriptionText,
        "link": .link, "image_link": .imageLink, "additional_image_link": .additionalImageLink, "availability": .availability,
        "availability_date": .availabilityDate, "quantity": .quantity, "price": .price, "price_amount": .priceAmount,
        "currency": .currency, "sale_price": .salePrice, "sale_price_amount": .salePriceAmount,
        "sale_price_effective_date": .salePriceEffectiveDate, "effective_price": .effectivePrice,
        "effective_price_amount": .effectivePriceAmount, "sale_strikethrough_amount": .saleStrikethroughAmount, "brand": .brand,
        "gtin": .gtin, "mpn": .mpn, "identifier_exists": .identifierExists, "condition": .condition, "color": .color, "size": .size,
        "size_system": .sizeSystem, "size_type": .sizeType, "gender": .gender, "age_group": .ageGroup, "material": .material,
        "pattern": .pattern, "google_product_category": .googleProductCategory, "product_type": .productType,
        "shipping_weight": .shippingWeight, "status": .status, "store_code": .storeCode, "pickup_method": .pickupMethod,
        "pickup_sla": .pickupSLA, "shipping": .shipping, "tax": .tax, "promotion_id": .promotionID,
        "custom_label_0": .customLabel(0), "custom_label_1": .customLabel(1), "custom_label_2": .customLabel(2),
        "custom_label_3": .customLabel(3), "custom_label_4": .customLabel(4),
    ]

    public init(_ name: String) {
        if let known = FeedField.byName[name] {
            self = known
        } else if name.hasPrefix("custom.") {
            self = .custom(String(name.dropFirst(7)))
        } else {
            self = .unknown
        }
    }
}

/// Text helpers for feed values.
public enum FeedText {
    /// Google's date form: `2026-11-20T00:00-0500` (minutes, offset without a colon), as the digest shows.
    public static func googleDate(_ t: Timestamp, _ zone: TimeZone) -> String {
        let iso = t.iso8601(in: zone, seconds: false)  // 2026-11-20T00:00-05:00 or …Z
        if iso.hasSuffix("Z") { return String(iso.dropLast()) + "+0000" }
        var s = iso
        s.remove(at: s.index(s.endIndex, offsetBy: -3))
        return s
    }

    /// Plain text from HTML (Meta wants no markup): tags dropped, entities for & < > " ' and nbsp decoded,
    /// whitespace runs folded to one space. Byte-level over the string's own storage: it runs for every
    /// item of several channels, and a text already plain (most) comes back as it is, without a copy
    /// (a loop over `utf8.first` / `dropFirst` was a quarter of Meta's publish; docs/PERFORMANCE.md).
    public static func plain(_ html: String) -> String {
        var html = html
        return html.withUTF8 { bytes in isPlain(bytes) ? nil : plain(bytes) } ?? html
    }

    /// Whether `plain` would give `bytes` back unchanged: no tag, entity, tab or line break, and no space
    /// at either end or beside another.
    private static func isPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previous: UInt8 = 32
        for b in bytes {
            switch b {
            case 60, 38, 9, 10, 13: return false
            case 32 where previous == 32: return false
            default: previous = b
            }
        }
        return previous != 32 || bytes.isEmpty
    }

    private static let entities: [(name: [UInt8], value: UInt8)] = [
        ("&amp;", 38), ("&lt;", 60), ("&gt;", 62), ("&quot;", 34), ("&#39;", 39), ("&nbsp;", 32),
    ].map { (Array($0.0.utf8), $0.1) }

    private static func plain(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // Never longer than its input: a tag gives one space at most, an entity one byte, a run of spaces one.
        String(unsafeUninitializedCapacity: bytes.count) { out in
            var n = 0
            var i = 0
            var inTag = false
            var space = false
            func emit(_ b: UInt8) {
                if b == 32 || b == 9 || b == 10 || b == 13 {
                    space = n > 0
                } else {
                    if space {
                        out[n] = 32
                        n += 1
                    }
                    space = false
                    out[n] = b
                    n += 1
                }
            }
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                if inTag {
                    if b == 62 { inTag = false }
                    continue
                }
                if b == 60 {
                    inTag = true
                    emit(32)
                    continue
                }
                if b == 38, let entity = entities.first(where: { UnsafeBufferPointer(rebasing: bytes[(i - 1)...]).starts(with: $0.name) }) {
                    emit(entity.value)
                    i += entity.name.count - 1
                    continue
                }
                emit(b)
            }
            return n
        }
    }
}
