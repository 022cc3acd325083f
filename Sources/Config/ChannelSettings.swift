public import Catalog

/// A shipping rate sent with Google items (`[[channels.google.shipping]]`).
public struct ShippingRate: Hashable, Sendable {
    public var country: String
    public var region: String?
    public var service: String?
    public var price: Money
    public var minTransitDays: Int?
    public var maxTransitDays: Int?

    public init(country: String, region: String? = nil, service: String? = nil, price: Money, minTransitDays: Int? = nil, maxTransitDays: Int? = nil) {
        self.country = country
        self.region = region
        self.service = service
        self.price = price
        self.minTransitDays = minTransitDays
        self.maxTransitDays = maxTransitDays
    }
}

/// A US sales-tax rule sent with Google items (`[[channels.google.tax]]`).
public struct TaxRule: Hashable, Sendable {
    public var country: String
    public var region: String?
    /// Percent as written (`8.75`).
    public var rate: String
    public var taxShip: Bool

    public init(country: String, region: String?, rate: String, taxShip: Bool) {
        self.country = country
        self.region = region
        self.rate = rate
        self.taxShip = taxShip
    }
}

/// Per-channel rules from `[channels.NAME]`: allocation, item selection, labels, shipping and tax.
public struct ChannelSettings: Hashable, Sendable {
    /// `nil`: the channel's own default (built-in feed channels are on).
    public var enabled: Bool?
    /// Units held back from this channel.
    public var safetyStock = 0
    /// The most this channel is ever told.
    public var maxQuantity: Int?
    /// Percent of the stock (after safety stock) offered here, rounded down.
    public var share = 100
    /// Where this channel's stock comes from.
    public var stockLocation = StoreLocation.online
    /// Units offered for a SKU whose stock the shop does not count but says is in stock (WooCommerce's
    /// `In stock?` with no `Stock`, Shopify with no inventory tracker); at most `max_quantity`.
    public var untrackedQuantity = 1
    /// Local inventory only: a store row may show another price than the online offer (Google then
    /// needs a separate product id for the in-store offer); off, such a row is an error,
    /// `in_store_price_differs` (DESIGN.md §10).
    public var allowStorePrice = false
    /// Product-type prefixes (`Apparel > Tops`) to include (empty: all) and to exclude.
    public var includeProductTypes: [String] = []
    public var excludeProductTypes: [String] = []
    public var includeBrands: [String] = []
    public var excludeBrands: [String] = []
    /// `NAME=VALUE` pairs of custom attributes that exclude an item (`season=summer`).
    public var excludeCustom: [String] = []
    /// `custom_label_N` ← a field name (`custom.season`, `brand`, `product_type`).
    public var customLabels: [Int: String] = [:]
    public var shipping: [ShippingRate] = []
    public var tax: [TaxRule] = []
    /// Local inventory headers: `store_code` (underscores, the default) or `store code` (spaces).
    public var headerSpaces = false
    /// Account settings and mappings of the marketplace channels.
    public var marketplace = MarketplaceSettings()

    public init() {}

    /// `min(max_quantity, floor(max(0, on_hand − safety_stock) × share / 100))` (DESIGN.md §6).
    public func available(onHand: Int) -> Int {
        ChannelSettings.available(onHand: onHand, safetyStock: safetyStock, share: share, maxQuantity: maxQuantity)
    }

    /// The same from the allocation's numbers alone (for callers that keep those, not the settings).
    public static func available(onHand: Int, safetyStock: Int, share: Int, maxQuantity: Int?) -> Int {
        let offered = max(0, onHand - safetyStock) * share / 100
        return maxQuantity.map { min($0, offered) } ?? offered
    }
}

/// What a marketplace needs that the catalog has no field for (DESIGN.md §6): account ids, the category
/// or product type by `product_type` (overridable per row with `CHANNEL.product_type` / `CHANNEL.category`),
/// lead time and listing policies.
public struct MarketplaceSettings: Hashable, Sendable {
    /// Amazon `sellerId` (the channel stays off until it is set).
    public var sellerID: String?
    /// Amazon marketplace (`ATVPDKIKX0DER`, amazon.com).
    public var marketplaceID = "ATVPDKIKX0DER"
    public var languageTag = "en_US"
    /// Days to ship: Amazon `lead_time_to_ship_max_days`, eBay `DispatchTimeMax`, Walmart `fulfillmentLagTime`.
    public var leadTimeDays = 2
    /// Catalog `product_type` prefix → Amazon product type, eBay category id, Walmart product type.
    /// The longest matching prefix wins.
    public var categories: [String: String] = [:]
    /// Walmart: the attribute a variant's size goes to, by Walmart product type (`[channels.walmart.size_attributes]`,
    /// `"Candles" = ""` leaves it out); types not listed use Unifeed's built-in choice.
    public var sizeAttributes: [String: String] = [:]
    /// eBay site (`US`), item location and postal code, business policy names.
    public var siteID = "US"
    public var location: String?
    public var postalCode: String?
    public var shippingProfile: String?
    public var returnProfile: String?
    public var paymentProfile: String?
    /// Walmart `businessUnit`.
    public var businessUnit = "WALMART_US"

    public init() {}

    /// The marketplace category for `productType`: the entry of the longest prefix that matches.
    public func category(forProductType productType: String?) -> String? {
        guard let productType else { return nil }
        var best: (Int, String)?
        for (prefix, value) in categories where productType == prefix || productType.hasPrefix(prefix + " >") {
            if best == nil || prefix.count > best!.0 { best = (prefix.count, value) }
        }
        return best?.1
    }
}

/// The `[feeds]` section.
public struct FeedsConfig: Hashable, Sendable {
    /// A channel whose item count falls by more than this share against its last publish is held back.
    public var maxDropPercent = 20
    public init() {}
}
