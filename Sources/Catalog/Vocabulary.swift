import Foundation

/// A closed vocabulary read from a CSV cell: matched case-insensitively, stored in its canonical spelling.
public protocol Vocabulary: RawRepresentable<String>, CaseIterable, Hashable, Sendable {
    /// What the cell is called in error messages ("condition").
    static var noun: String { get }
}

extension Vocabulary {
    /// Parses a cell (case-insensitive, `_` and space alike); the error lists every accepted value.
    public static func parse(_ text: String) throws(ValueError) -> Self {
        if let value = Self(rawValue: text) { return value }  // as written, the common case
        for value in allCases where Self.matches(text, value.rawValue) { return value }
        throw ValueError("unknown \(noun), expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
    }

    /// ASCII case-insensitive comparison that ignores surrounding blanks and treats ` ` as `_`.
    static func matches(_ text: String, _ canonical: String) -> Bool {
        var a = text.utf8[...]
        while let f = a.first, f == 0x20 || f == 0x09 { a = a.dropFirst() }
        while let l = a.last, l == 0x20 || l == 0x09 || l == 0x0D || l == 0x0A { a = a.dropLast() }
        guard a.count == canonical.utf8.count else { return false }
        for (x, y) in zip(a, canonical.utf8) {
            let lx = (x >= 65 && x <= 90) ? x + 32 : (x == 0x20 ? 0x5F : x)
            let ly = (y >= 65 && y <= 90) ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}

/// `status`: an archived SKU leaves every channel cleanly instead of staying live.
public enum VariantStatus: String, Vocabulary {
    case active, archived
    public static let noun = "status"
}

public enum Condition: String, Vocabulary {
    case new, refurbished, used
    public static let noun = "condition"
}

public enum Gender: String, Vocabulary {
    case male, female, unisex
    public static let noun = "gender"
}

public enum AgeGroup: String, Vocabulary {
    case newborn, infant, toddler, kids, adult
    public static let noun = "age_group"
}

public enum SizeType: String, Vocabulary {
    case regular, petite, maternity, big, tall, plus
    public static let noun = "size_type"
}

/// Google's size systems, stored upper case as Google spells them.
public enum SizeSystem: String, Vocabulary {
    case us = "US", uk = "UK", eu = "EU", de = "DE", fr = "FR", jp = "JP", cn = "CN", it = "IT", br = "BR"
    case mex = "MEX", au = "AU"
    public static let noun = "size_system"
}

/// How a store hands over an order placed online (Google local inventory `pickup_method`).
public enum PickupMethod: String, Vocabulary {
    case buy, reserve
    case shipToStore = "ship_to_store"
    case notSupported = "not_supported"
    public static let noun = "pickup_method"
}

/// How soon a pickup order is ready (Google local inventory `pickup_sla`).
public enum PickupSLA: String, Vocabulary {
    case sameDay = "same_day"
    case nextDay = "next_day"
    case twoDay = "2-day"
    case threeDay = "3-day"
    case fourDay = "4-day"
    case fiveDay = "5-day"
    case sixDay = "6-day"
    case sevenDay = "7-day"
    case multiWeek = "multi-week"
    public static let noun = "pickup_sla"

    public static func parse(_ text: String) throws(ValueError) -> PickupSLA {
        for value in allCases
        where matches(text, value.rawValue) || matches(text, value.rawValue.replacingOccurrences(of: "-", with: "_")) {
            return value
        }
        throw ValueError("unknown \(noun), expected one of: \(allCases.map(\.rawValue).joined(separator: ", "))")
    }
}

/// Yes/no cells (`amazon.exclude`): true/false, yes/no, 1/0.
public enum YesNo {
    public static func parse(_ text: String) throws(ValueError) -> Bool {
        switch text.trimmingASCIIWhitespace().lowercased() {
        case "true", "yes", "1", "y": return true
        case "false", "no", "0", "n", "": return false
        default: throw ValueError("expected true or false")
        }
    }
}

/// How a SKU's online availability follows its stock.
///
/// Shops that count stock say what happens at zero (`tracked`: out of stock; `backorder`: sold on
/// backorder, as Shopify's "continue selling when out of stock" and WooCommerce's "Backorders allowed?");
/// shops that do not count it give a status instead (WooCommerce's `In stock?` with an empty `Stock`,
/// Shopify with no inventory tracker), and the channels use that status rather than a count.
public enum StockPolicy: String, Vocabulary {
    case tracked, backorder
    /// Not counted; the shop says it is in stock, out of stock, or sold on backorder.
    case inStock = "in_stock", outOfStock = "out_of_stock", untrackedBackorder = "untracked_backorder"
    public static let noun = "stock_policy"

    /// The stock is not counted: channels use the status, not the ledger.
    public var isUntracked: Bool { self == .inStock || self == .outOfStock || self == .untrackedBackorder }
    /// At zero available, the SKU is sold on backorder.
    public var sellsOnBackorder: Bool { self == .backorder || self == .untrackedBackorder }
}
