/// A promotion (DESIGN.md §10): one offer, the same on every channel it reaches, online and in store.
///
/// `price_effect = sale` is an automatic markdown: inside its window it is the sale price of every SKU
/// it targets. `price_effect = none` is a code or basket promotion: published in Google's promotions
/// feed and linked from the targeted items, with prices unchanged.
public struct Promotion: Hashable, Sendable {
    public enum DiscountType: String, Sendable, CaseIterable {
        case percentOff = "percent_off"
        case moneyOff = "money_off"
        case freeShipping = "free_shipping"
    }

    /// What `targets` names.
    public enum AppliesTo: String, Sendable, CaseIterable {
        case all
        case sku
        case productID = "product_id"
        case productType = "product_type"
        case brand
    }

    public enum Redemption: String, Sendable, CaseIterable {
        case online
        case inStore = "in_store"
        case both

        public var online: Bool { self != .inStore }
        public var inStore: Bool { self != .online }
    }

    public enum PriceEffect: String, Sendable, CaseIterable {
        case sale
        case none
    }

    public enum Status: String, Sendable, CaseIterable {
        case active
        case archived
    }

    /// The discount: a whole percent, an amount of the shop's currency, or free shipping.
    public enum Discount: Hashable, Sendable {
        case percentOff(Int)
        case moneyOff(Money)
        case freeShipping

        public var type: DiscountType {
            switch self {
            case .percentOff: .percentOff
            case .moneyOff: .moneyOff
            case .freeShipping: .freeShipping
            }
        }
    }

    public var id: String
    public var title: String
    public var discount: Discount
    public var couponCode: String?
    public var appliesTo: AppliesTo
    /// The SKUs, product ids, product types or brands targeted (empty for `all`).
    public var targets: [String]
    public var start: Timestamp
    public var end: Timestamp
    public var redemption: Redemption
    public var priceEffect: PriceEffect
    public var minimumPurchase: Money?
    public var status: Status
    /// The page showing the promotion (Google requires it for in-store redemption).
    public var promotionURL: String?
    /// Conditions shown with the offer (at most 500 characters).
    public var finePrint: String?
    /// When Google shows the offer, when it differs from the window it runs in.
    public var displayStart: Timestamp?
    public var displayEnd: Timestamp?

    public init(
        id: String, title: String, discount: Discount, couponCode: String? = nil, appliesTo: AppliesTo, targets: [String] = [],
        start: Timestamp, end: Timestamp, redemption: Redemption = .both, priceEffect: PriceEffect, minimumPurchase: Money? = nil,
        status: Status = .active, promotionURL: String? = nil, finePrint: String? = nil, displayStart: Timestamp? = nil, displayEnd: Timestamp? = nil
    ) {
        self.promotionURL = promotionURL
        self.finePrint = finePrint
        self.displayStart = displayStart
        self.displayEnd = displayEnd
        self.id = id
        self.title = title
        self.discount = discount
        self.couponCode = couponCode
        self.appliesTo = appliesTo
        self.targets = targets
        self.start = start
        self.end = end
        self.redemption = redemption
        self.priceEffect = priceEffect
        self.minimumPurchase = minimumPurchase
        self.status = status
    }

    /// The currency of its amounts (money off, minimum purchase), when it has any.
    public var currency: Currency? {
        if let minimum = minimumPurchase { return minimum.currency }
        if case .moneyOff(let amount) = discount { return amount.currency }
        return nil
    }

    /// `price` after this promotion's discount: percent off or money off, rounded half-up to the
    /// currency's minor unit, never below one minor unit. `nil` for free shipping (no price changes)
    /// or a money-off amount in another currency.
    public func promotedPrice(of price: Money) -> Money? {
        switch discount {
        case .percentOff(let percent):
            // price × (100 − p) / 100, half-up, in integers.
            let scaled = price.minorUnits * Int64(100 - percent)
            let rounded = (scaled + 50) / 100
            return Money(minorUnits: max(1, rounded), currency: price.currency)
        case .moneyOff(let amount):
            guard amount.currency == price.currency else { return nil }
            return Money(minorUnits: max(1, price.minorUnits - amount.minorUnits), currency: price.currency)
        case .freeShipping:
            return nil
        }
    }

    // MARK: Google's promotion policy, checked on import

    /// `[A-Za-z0-9_-]{1,50}` (Google's current limit; older pages say 60).
    public static func validateID(_ text: String) throws(ValueError) -> String {
        guard (1...50).contains(text.utf8.count),
            text.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else {
            throw ValueError("expected 1 to 50 letters, digits, '_' or '-' (Google's promotion_id)")
        }
        return text
    }

    /// 1–60 characters.
    public static func validateTitle(_ text: String) throws(ValueError) -> String {
        let count = text.count
        guard count <= 60 else { throw ValueError("expected at most 60 characters (Google's long_title), found \(count)") }
        return text
    }

    /// A whole percent from 5 to 99.
    public static func parsePercent(_ text: String) throws(ValueError) -> Int {
        let digits = text.hasSuffix("%") ? String(text.dropLast()).trimmingASCIIWhitespace() : text
        guard let percent = Int(digits) else {
            if Double(digits) != nil {
                throw ValueError("expected a whole percent (Google accepts no fractions such as 12.5)")
            }
            throw ValueError("expected a whole percent from 5 to 99")
        }
        if percent < 5 { throw ValueError("expected at least 5 percent (Google's minimum discount)") }
        if percent >= 100 { throw ValueError("expected less than 100 percent (Google refuses 100% off)") }
        return percent
    }

    /// At least 5 units of the shop's currency.
    public static func parseMoneyOff(_ text: String, currency: Currency) throws(ValueError) -> Money {
        let amount = try Money.parse(text, currency: currency)
        var five: Int64 = 5
        for _ in 0..<currency.exponent { five *= 10 }
        guard amount.minorUnits >= five else {
            throw ValueError("expected at least 5 \(currency.code) off (Google's minimum discount)")
        }
        return amount
    }

    /// The longest window Google accepts: 183 days.
    public static let longestWindow: Int64 = 183 * 86_400
}
