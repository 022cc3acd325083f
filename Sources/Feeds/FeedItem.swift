import Catalog
import Foundation
import Store

/// One SKU as a channel sees it at one moment: prices with the sale state at `--now`, availability
/// from the channel's allocation, the channel's overrides applied. Pure: built from a `VariantView`.
public struct FeedItem: Sendable {
    public var id: String
    public var itemGroupID: String
    public var status: String
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
    /// The SKU has no stock record at the channel's location.
    public var unstocked: Bool
    public var price: Money
    /// The sale price when a sale is active or announced at `now` (with its window in `saleWindow`).
    public var salePrice: Money?
    /// `2026-11-20T00:00-0500/2026-12-01T00:00-0500`.
    public var saleWindow: String?
    /// The sale applies at `now`.
    public var saleActive: Bool
    /// A sale that ended before `now` (omitted, reported as a warning).
    public var saleEnded: Bool
    public var brand: String?
    public var gtin: String?
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

    /// The price a buyer pays at `now`.
    public var effectivePrice: Money { saleActive ? (salePrice ?? price) : price }

    /// The values of a field by its feed name, for declared (template) channels and text writers.
    /// Repeated fields (`additional_image_link`) give several values.
    public func values(_ field: String) -> [String] {
        func one(_ s: String?) -> [String] { s.map { [$0] } ?? [] }
        switch field {
        case "id": return [id]
        case "item_group_id": return [itemGroupID]
        case "title": return [title]
        case "description": return [description]
        case "description_text": return [FeedText.plain(description)]
        case "link": return one(link)
        case "image_link": return one(imageLink)
        case "additional_image_link": return additionalImageLinks
        case "availability": return [availability]
        case "availability_date": return one(availabilityDate)
        case "quantity": return [String(quantity)]
        case "price": return [price.description]
        case "price_amount": return [price.amountString]
        case "currency": return [price.currency.code]
        case "sale_price": return one(salePrice?.description)
        case "sale_price_amount": return one(salePrice?.amountString)
        case "sale_price_effective_date": return one(saleWindow)
        case "effective_price": return [effectivePrice.description]
        case "effective_price_amount": return [effectivePrice.amountString]
        case "sale_strikethrough_amount": return saleActive && salePrice != nil ? [price.amountString] : []
        case "brand": return one(brand)
        case "gtin": return one(gtin)
        case "mpn": return one(mpn)
        case "identifier_exists": return identifierExists ? [] : ["no"]
        case "condition": return [condition]
        case "color": return one(color)
        case "size": return one(size)
        case "size_system": return one(sizeSystem)
        case "size_type": return one(sizeType)
        case "gender": return one(gender)
        case "age_group": return one(ageGroup)
        case "material": return one(material)
        case "pattern": return one(pattern)
        case "google_product_category": return one(googleProductCategory)
        case "product_type": return one(productType)
        case "shipping_weight": return one(shippingWeight)
        case "status": return [status]
        default:
            if field.hasPrefix("custom_label_"), let n = Int(field.dropFirst(13)), (0..<5).contains(n) { return one(customLabels[n]) }
            if field.hasPrefix("custom.") { return one(custom.first { $0.0 == field.dropFirst(7) }?.1) }
            return []
        }
    }

    /// Every field name `values(_:)` knows (templates are checked against it).
    public static let fieldNames: Set<String> = [
        "id", "item_group_id", "title", "description", "description_text", "link", "image_link", "additional_image_link",
        "availability", "availability_date", "quantity", "price", "price_amount", "currency", "sale_price", "sale_price_amount",
        "sale_price_effective_date", "effective_price", "effective_price_amount", "sale_strikethrough_amount", "brand", "gtin", "mpn", "identifier_exists",
        "condition", "color", "size", "size_system", "size_type", "gender", "age_group", "material", "pattern",
        "google_product_category", "product_type", "shipping_weight", "status",
        "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4",
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
    public init(_ v: VariantView, channel: String, settings: ChannelSettings, shop: ShopConfig, now: Timestamp) {
        let channelOverrides = Dictionary(v.overrides.filter { $0.0 == channel }.map { ($0.1, $0.2) }, uniquingKeysWith: { a, _ in a })
        let currency = Currency(code: v.currency) ?? shop.currency
        func money(_ s: String?) -> Money? { s.flatMap { try? Money.parse($0, currency: currency) } }
        id = v.sku
        itemGroupID = v.productID
        status = v.status
        let variantDetails = [v.color, v.size].compactMap { $0 }.filter { !$0.isEmpty }
        let catalogTitle = channelOverrides["title"] ?? v.title ?? ""
        baseTitle = catalogTitle
        if let override = channelOverrides["title"] {
            title = override
        } else if catalogTitle.isEmpty {
            title = ""
        } else {
            title = ([catalogTitle] + variantDetails.filter { !FeedText.mentions(catalogTitle, $0) }).joined(separator: " - ")
        }
        description = channelOverrides["description"] ?? v.description ?? ""
        link = channelOverrides["link"] ?? v.link
        imageLink = channelOverrides["image_link"] ?? v.images.first
        additionalImageLinks = Array(v.images.dropFirst())
        price = money(v.price) ?? Money(minorUnits: 0, currency: currency)
        brand = channelOverrides["brand"] ?? v.brand
        gtin = v.gtin
        mpn = v.mpn
        // `identifier_exists = no` is sent when the item has neither GTIN nor MPN, or when the catalog says so
        // (`google.identifier_exists`, which diagnostics refuse when a GTIN exists).
        let declaredNo = channelOverrides["identifier_exists"].map { ["no", "false"].contains($0.lowercased()) } ?? false
        identifierExists = (gtin != nil || mpn != nil) && !declaredNo
        condition = v.condition ?? "new"
        color = v.color
        size = v.size
        sizeSystem = v.sizeSystem
        sizeType = v.sizeType
        gender = v.gender
        ageGroup = v.ageGroup
        material = v.material
        pattern = v.pattern
        googleProductCategory = channelOverrides["google_product_category"] ?? v.googleProductCategory
        productType = v.productType
        shippingWeight = v.weight
        custom = v.custom
        overrides = channelOverrides
        stock = v.stock

        // Sale state at `now`.
        salePrice = nil
        saleWindow = nil
        saleActive = false
        saleEnded = false
        if let sale = money(v.salePrice) {
            let start = v.saleStart
            let end = v.saleEnd
            if let end, end <= now {
                saleEnded = true
            } else {
                salePrice = sale
                saleActive = start.map { $0 <= now } ?? true
                if start != nil || end != nil {
                    let from = start ?? now
                    let to = end ?? Timestamp(secondsSinceEpoch: from.secondsSinceEpoch + 366 * 86_400)
                    if end != nil || !saleActive {
                        saleWindow = FeedText.googleDate(from, shop.timeZone) + "/" + FeedText.googleDate(to, shop.timeZone)
                    }
                }
            }
        }

        // Availability from the channel's allocation.
        let onHand = v.stock.first { $0.location == settings.stockLocation }
        unstocked = onHand == nil
        quantity = v.status == "archived" ? 0 : settings.available(onHand: onHand?.quantity ?? 0)
        availabilityDate = v.availabilityDate.map { FeedText.googleDate($0, shop.timeZone) }
        if quantity > 0 {
            availability = "in_stock"
        } else if let date = v.availabilityDate, date > now {
            availability = "backorder"
        } else {
            availability = "out_of_stock"
        }
        if availability != "backorder" { availabilityDate = nil }

        customLabels = (0..<5).map { n in
            guard let source = settings.customLabels[n] else { return nil }
            if source.hasPrefix("custom.") { return v.custom.first { $0.0 == source.dropFirst(7) }?.1 }
            switch source {
            case "brand": return v.brand
            case "product_type": return v.productType
            case "condition": return v.condition
            default: return nil
            }
        }
        for n in 0..<5 {
            if let label = channelOverrides["custom_label_\(n)"] { customLabels[n] = label }
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

    /// Whether `title` already names `detail` as whole words (details under 3 characters are always added:
    /// "S" is in "Men's" but says nothing there).
    public static func mentions(_ title: String, _ detail: String) -> Bool {
        guard detail.count >= 3 else { return false }
        func words(_ s: String) -> String {
            " " + s.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ") + " "
        }
        return words(title).contains(words(detail))
    }

    /// Plain text from HTML (Meta wants no markup): tags dropped, entities for & < > " ' decoded,
    /// whitespace runs folded.
    public static func plain(_ html: String) -> String {
        var out = ""
        var inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" "); continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        for (entity, ch) in [("&amp;", "&"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " ")] {
            out = out.replacingOccurrences(of: entity, with: ch)
        }
        return out.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).joined(separator: " ")
    }
}
