public import Catalog
public import Config
public import Formats
public import Pipeline
public import StorePort

/// `promotions.csv` (DESIGN.md §10): promotion_id, title, discount_type, value, coupon_code, applies_to,
/// targets, start, end, redemption, price_effect, minimum_purchase, and optionally status. Every rule
/// of Google's promotion policy that a row alone can break is an error on its column; whether each
/// target exists is the record rules' check, against the store.
public struct PromotionsMapper: RowMapper {
    public static let required = ["promotion_id", "title", "discount_type", "applies_to", "start", "end", "price_effect"]
    public static let columns =
        required + ["value", "coupon_code", "targets", "redemption", "minimum_purchase", "status", "promotion_url", "fine_print", "display_start", "display_end"]
    let header: Header
    let shop: ShopConfig
    let id, title, discountType, value, couponCode, appliesTo, targets, start, end, redemption, priceEffect, minimumPurchase, status: Int?
    let promotionURL, finePrint, displayStart, displayEnd: Int?

    public init(header: Header, config: UnifeedConfig) throws {
        try header.require(Self.required, format: "promotions")
        self.header = header
        shop = config.shop
        id = header.column("promotion_id")
        title = header.column("title")
        discountType = header.column("discount_type")
        value = header.column("value")
        couponCode = header.column("coupon_code")
        appliesTo = header.column("applies_to")
        targets = header.column("targets")
        start = header.column("start")
        end = header.column("end")
        redemption = header.column("redemption")
        priceEffect = header.column("price_effect")
        minimumPurchase = header.column("minimum_purchase")
        status = header.column("status")
        promotionURL = header.column("promotion_url")
        finePrint = header.column("fine_print")
        displayStart = header.column("display_start")
        displayEnd = header.column("display_end")
    }

    /// Parses one of an enumeration's raw values (case-insensitive), naming them all when it is none.
    static func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> (String) throws(ValueError) -> T where T.RawValue == String {
        { (text: String) throws(ValueError) -> T in
            guard let found = T.allCases.first(where: { $0.rawValue == text.lowercased() }) else {
                throw ValueError("expected one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return found
        }
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: row)
        for (column, name) in [(id, "promotion_id"), (title, "title"), (discountType, "discount_type"), (appliesTo, "applies_to")]
        where r.text(column) == nil {
            r.fail(column, "\(name) is required")
        }
        let promotionID = r.parse(id, Promotion.validateID)
        var promotionTitle: String?
        if let text = r.text(title) {
            do { promotionTitle = try Promotion.validateTitle(text) } catch { r.fail(title, error.message, found: text) }
        }
        let type = r.parse(discountType, Self.choice(Promotion.DiscountType.self))
        let effect = r.text(priceEffect) == nil ? nil : r.parse(priceEffect, Self.choice(Promotion.PriceEffect.self))
        if r.text(priceEffect) == nil { r.fail(priceEffect, "price_effect is required (sale: an automatic markdown; none: a code or basket offer)") }
        let applies = r.parse(appliesTo, Self.choice(Promotion.AppliesTo.self))
        let reach = r.text(redemption) == nil ? .online : r.parse(redemption, Self.choice(Promotion.Redemption.self))
        let state = r.text(status) == nil ? .active : r.parse(status, Self.choice(Promotion.Status.self))
        let code = r.text(couponCode)

        // The discount and its value.
        var discount: Promotion.Discount?
        switch type {
        case .percentOff:
            if r.text(value) == nil {
                r.fail(value, "a percent_off promotion needs its percent in value (5 to 99)")
            } else if let percent = r.parse(value, Promotion.parsePercent) {
                discount = .percentOff(percent)
            }
        case .moneyOff:
            if r.text(value) == nil {
                r.fail(value, "a money_off promotion needs its amount in value (at least 5 \(shop.currency.code))")
            } else if let amount = r.parse(value, { (text: String) throws(ValueError) in try Promotion.parseMoneyOff(text, currency: shop.currency) }) {
                discount = .moneyOff(amount)
            }
        case .freeShipping:
            if let given = r.text(value) { r.fail(value, "free_shipping takes no value", found: given) }
            if code == nil { r.fail(couponCode, "free_shipping needs a coupon_code (Google accepts shipping offers only with a code)") }
            if reach?.inStore == true { r.fail(redemption, "free_shipping cannot be redeemed in store", found: r.text(redemption)) }
            if effect == .sale { r.fail(priceEffect, "free_shipping changes no price: use price_effect none", found: r.text(priceEffect)) }
            discount = .freeShipping
        case nil:
            break
        }
        if effect == .sale, let code { r.fail(couponCode, "an automatic markdown (price_effect sale) takes no coupon_code", found: code) }

        // What it targets.
        let listed = (r.text(targets) ?? "").split(separator: "|").map { String($0).trimmingASCIIWhitespace() }.filter { !$0.isEmpty }
        if applies == .all {
            if !listed.isEmpty { r.warn(targets, "applies_to all: targets are ignored", found: r.text(targets)) }
        } else if applies != nil && listed.isEmpty {
            r.fail(targets, "applies_to \(applies!.rawValue) needs targets (| separated)")
        }

        // The window: end after start, at most 183 days.
        if r.text(start) == nil { r.fail(start, "start is required") }
        if r.text(end) == nil { r.fail(end, "end is required") }
        let tz = shop.timeZone
        let from = r.parse(start, { (text: String) throws(ValueError) in try Timestamp.parse(text, timeZone: tz) })
        let to = r.parse(end, { (text: String) throws(ValueError) in try Timestamp.parse(text, timeZone: tz, endOfDay: true) })
        if let from, let to {
            if to <= from {
                r.fail(end, "the end must come after the start (\(r.text(start)!))", found: r.text(end))
            } else if to.secondsSinceEpoch - from.secondsSinceEpoch > Promotion.longestWindow + 3600 {  // an hour for a clock change
                let days = (to.secondsSinceEpoch - from.secondsSinceEpoch + 86_399) / 86_400
                r.fail(end, "a promotion runs at most 183 days (Google's limit); this one runs \(days)", found: r.text(end))
            }
        }
        // What Google shows beside the offer.
        let url = r.text(promotionURL)
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || url.contains(" ") {
            r.fail(promotionURL, "expected an absolute http(s) URL of the page showing the promotion", found: url)
        }
        if effect == Promotion.PriceEffect.none, reach?.inStore == true, url == nil {
            r.fail(promotionURL, "a promotion redeemed in store needs promotion_url (Google requires the page for local promotions)")
        }
        let fine = r.text(finePrint)
        if let fine, fine.count > 500 { r.fail(finePrint, "expected at most 500 characters (Google's fine_print), found \(fine.count)") }
        let shownFrom = r.parse(displayStart, { (text: String) throws(ValueError) in try Timestamp.parse(text, timeZone: tz) })
        let shownTo = r.parse(displayEnd, { (text: String) throws(ValueError) in try Timestamp.parse(text, timeZone: tz, endOfDay: true) })
        if (r.text(displayStart) == nil) != (r.text(displayEnd) == nil) {
            r.fail(r.text(displayStart) == nil ? displayStart : displayEnd, "display_start and display_end go together")
        } else if let shownFrom, let shownTo, shownTo <= shownFrom {
            r.fail(displayEnd, "the display end must come after the display start", found: r.text(displayEnd))
        }
        let minimum = r.parse(minimumPurchase, { (text: String) throws(ValueError) in try Money.parse(text, currency: shop.currency) })
        if minimum != nil, effect == .sale {
            r.fail(
                minimumPurchase, "an automatic markdown changes every targeted price and cannot require a basket; use price_effect none",
                found: r.text(minimumPurchase))
        }

        guard r.errors.isEmpty, let promotionID, let promotionTitle, let discount, let applies, let reach, let effect, let from, let to, let state
        else {
            if r.errors.isEmpty { r.fail(nil, "cannot read this promotion") }
            return [r.record(.skip("rejected"))]  // with its errors: rejected, never skipped
        }
        let promotion = Promotion(
            id: promotionID, title: promotionTitle, discount: discount, couponCode: code, appliesTo: applies, targets: applies == .all ? [] : listed,
            start: from, end: to, redemption: reach, priceEffect: effect, minimumPurchase: minimum, status: state, promotionURL: url, finePrint: fine,
            displayStart: shownFrom, displayEnd: shownTo)
        return [r.record(.promotion(promotion, targetsColumn: targets.map { header.names[$0] } ?? "targets"))]
    }

    public mutating func finish() -> [MappedRecord] { [] }
}
