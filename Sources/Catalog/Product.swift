import Foundation

/// A product (an item group): what its variants share. Optional fields that are `nil` leave the stored
/// value alone on import, so a product's later rows may leave them empty (DESIGN.md §4).
public struct Product: Hashable, Sendable {
    public var productID: String
    public var title: String?
    public var description: String?
    public var brand: String?
    public var googleProductCategory: String?
    public var productType: String?
    public var link: String?
    public var condition: Condition?
    public var gender: Gender?
    public var ageGroup: AgeGroup?
    public var material: String?
    public var pattern: String?
    /// Product images in order (Shopify image rows, WooCommerce parent images); `nil` leaves them alone.
    public var images: [String]?

    public init(productID: String) { self.productID = productID }

    /// True when the row carries no product-level value at all.
    public var isBare: Bool {
        title == nil && description == nil && brand == nil && googleProductCategory == nil && productType == nil
            && link == nil && condition == nil && gender == nil && ageGroup == nil && material == nil
            && pattern == nil && images == nil
    }
}

/// A sale: a price below the regular one, with an optional window.
public struct Sale: Hashable, Sendable {
    public var price: Money
    public var start: Timestamp?
    public var end: Timestamp?

    public init(price: Money, start: Timestamp? = nil, end: Timestamp? = nil) {
        self.price = price
        self.start = start
        self.end = end
    }
}

/// A variant (SKU): the unit every channel lists.
public struct Variant: Hashable, Sendable {
    public var sku: String
    public var productID: String
    public var status: VariantStatus = .active
    public var gtin: GTIN?
    public var mpn: String?
    public var price: Money
    public var sale: Sale?
    public var link: String?
    /// Variant images in order; the first is the main image. Empty means "use the product's".
    public var images: [String] = []
    public var color: String?
    public var size: String?
    public var sizeSystem: SizeSystem?
    public var sizeType: SizeType?
    public var weight: Weight?
    public var availabilityDate: Timestamp?
    /// Counted stock (`tracked`, `backorder`) or a status given instead of a count.
    public var stockPolicy: StockPolicy = .tracked
    /// `CHANNEL.FIELD` columns: channel → field → value.
    public var overrides: [String: [String: String]] = [:]
    /// `custom.NAME` columns.
    public var custom: [String: String] = [:]
    /// Absolute online stock to set; `nil` leaves stock alone.
    public var quantity: Int?

    public init(sku: String, productID: String, price: Money) {
        self.sku = sku
        self.productID = productID
        self.price = price
    }
}

/// A physical store (a stock location other than `online`).
public struct StoreLocation: Hashable, Sendable {
    public var code: String
    public var name: String
    public var address: String
    public var city: String
    public var postalCode: String
    public var country: String
    public var pickupMethod: PickupMethod
    public var pickupSLA: PickupSLA

    public init(
        code: String, name: String, address: String, city: String, postalCode: String, country: String,
        pickupMethod: PickupMethod, pickupSLA: PickupSLA
    ) {
        self.code = code
        self.name = name
        self.address = address
        self.city = city
        self.postalCode = postalCode
        self.country = country
        self.pickupMethod = pickupMethod
        self.pickupSLA = pickupSLA
    }

    /// The reserved code of the e-commerce warehouse.
    public static let online = "online"

    /// Store codes: letters, digits, `-` and `_`, up to 64; `online` is reserved.
    public static func validateCode(_ text: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        guard !s.isEmpty, s.utf8.count <= 64,
            s.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 95 })
        else { throw ValueError("expected a store code of letters, digits, '-' or '_' (at most 64)") }
        guard s.lowercased() != online else { throw ValueError("'online' is reserved for the e-commerce warehouse") }
        return s
    }

    /// ISO 3166-1 alpha-2 country code shape: two letters, stored upper case.
    public static func validateCountry(_ text: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace().uppercased()
        guard s.utf8.count == 2, s.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw ValueError("expected an ISO 3166-1 alpha-2 country code such as US")
        }
        return s
    }
}

/// Identifiers (SKU, product id): printable, no leading/trailing space, at most 128 bytes.
public enum Identifier {
    public static func validate(_ text: String, noun: String) throws(ValueError) -> String {
        let s = text.trimmingASCIIWhitespace()
        guard !s.isEmpty else { throw ValueError("\(noun) is required") }
        guard s.utf8.count <= 128 else { throw ValueError("\(noun) is longer than 128 bytes") }
        guard !s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ValueError("\(noun) must not contain control characters")
        }
        return s
    }
}
