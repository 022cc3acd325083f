public import Catalog

/// A promotion as both stores keep it: one row in the column order of `StoreCopy.promotions` (discount
/// split into its kind, percent and amount; targets separated by U+001F; moments in seconds since 1970).
/// One mapping for writing and reading, so the stores cannot read a promotion back differently.
extension Promotion {
    public var storedRow: [StoreCopy.Value] {
        var percent: Int64?
        var amount: Int64?
        switch discount {
        case .percentOff(let p): percent = Int64(p)
        case .moneyOff(let m): amount = m.minorUnits
        case .freeShipping: break
        }
        func text(_ s: String?) -> StoreCopy.Value { s.map(StoreCopy.Value.text) ?? .null }
        func int(_ n: Int64?) -> StoreCopy.Value { n.map(StoreCopy.Value.int) ?? .null }
        return [
            .text(id), .text(title), .text(discount.type.rawValue), int(percent), int(amount), text(currency?.code), text(couponCode),
            .text(appliesTo.rawValue), .text(targets.joined(separator: "\u{1F}")), .int(start.secondsSinceEpoch), .int(end.secondsSinceEpoch),
            .text(redemption.rawValue), .text(priceEffect.rawValue), int(minimumPurchase?.minorUnits), .text(status.rawValue),
            text(promotionURL), text(finePrint), int(displayStart?.secondsSinceEpoch), int(displayEnd?.secondsSinceEpoch),
        ]
    }

    /// The promotion of a row read in `StoreCopy.promotions` column order.
    public init(storedRow row: [StoreCopy.Value]) {
        let currency = row[5].text.map { Currency(code: $0) ?? Currency(unknownCode: $0) }
        let discount: Promotion.Discount
        switch row[2].text {
        case "percent_off": discount = .percentOff(Int(row[3].int ?? 0))
        case "money_off": discount = .moneyOff(Money(minorUnits: row[4].int ?? 0, currency: currency ?? Currency(unknownCode: "XXX")))
        default: discount = .freeShipping
        }
        self.init(
            id: row[0].text ?? "", title: row[1].text ?? "", discount: discount, couponCode: row[6].text,
            appliesTo: Promotion.AppliesTo(rawValue: row[7].text ?? "") ?? .all,
            targets: (row[8].text ?? "").split(separator: "\u{1F}", omittingEmptySubsequences: true).map(String.init),
            start: Timestamp(secondsSinceEpoch: row[9].int ?? 0), end: Timestamp(secondsSinceEpoch: row[10].int ?? 0),
            redemption: Promotion.Redemption(rawValue: row[11].text ?? "") ?? .online,
            priceEffect: Promotion.PriceEffect(rawValue: row[12].text ?? "") ?? .none,
            minimumPurchase: row[13].int.map { Money(minorUnits: $0, currency: currency ?? Currency(unknownCode: "XXX")) },
            status: Promotion.Status(rawValue: row[14].text ?? "") ?? .archived, promotionURL: row[15].text, finePrint: row[16].text,
            displayStart: row[17].int.map(Timestamp.init(secondsSinceEpoch:)), displayEnd: row[18].int.map(Timestamp.init(secondsSinceEpoch:)))
    }
}

extension StoreCopy {
    /// The promotions table (the column order of `Promotion.storedRow`).
    public static let promotions = tables.first { $0.name == "promotions" }!
}

extension StoreCopy.Value {
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
    public var int: Int64? {
        if case .int(let n) = self { return n }
        return nil
    }
}
