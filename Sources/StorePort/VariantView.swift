public import Catalog

/// One SKU as `products list` and `products show` present it: the native CSV columns, resolved.
public struct VariantView: Sendable, Hashable {
    public var productID: String
    public var sku: SKU
    public var status: VariantStatus
    public var title: String?
    public var description: String?
    public var brand: String?
    /// The GTIN as the catalog holds it (as written when it is not valid: see `gtinValid`).
    public var gtin: String? {
        didSet { gtinValid = gtin.map(GTIN.isValid) ?? true }
    }
    /// The GTIN is valid (8, 12, 13 or 14 digits, right check digit); channels never send one that is not.
    /// Derived when `gtin` is set: once per row, not once per channel.
    public private(set) var gtinValid = true
    public var mpn: String?
    public var condition: String?
    /// The price in minor units of its currency, as stored (rendered as text only on the way out).
    public var price: Money
    public var salePrice: Money?
    public var saleStart: Timestamp?
    public var saleEnd: Timestamp?
    public var link: String?
    /// The variant's own images, else the product's; the first is `image_link`.
    public var images: [String]
    public var color: String?
    public var size: String?
    public var sizeSystem: String?
    public var sizeType: String?
    public var gender: String?
    public var ageGroup: String?
    public var material: String?
    public var pattern: String?
    public var googleProductCategory: String?
    public var productType: String?
    public var weight: String?
    /// Online on hand (`nil` when the SKU has no online stock record).
    public var quantity: Int?
    public var availabilityDate: Timestamp?
    /// Counted stock, or the status the shop gives instead of a count.
    public var stockPolicy: StockPolicy = .tracked
    public var custom: [(String, String)] = []
    public var overrides: [(String, String, String)] = []
    /// On hand per location that has a stock record.
    public var stock: [(location: String, quantity: Int)] = []

    /// The override `channel.field`, if the catalog gives one.
    public func override(_ channel: String, _ field: String) -> String? {
        overrides.first { $0.0 == channel && $0.1 == field }?.2
    }

    /// A view with only identity and price set (tests and tools build the rest field by field).
    public init(productID: String, sku: SKU, price: Money, status: VariantStatus = .active) {
        self.productID = productID
        self.sku = sku
        self.price = price
        self.status = status
        self.images = []
    }

    public static func == (a: VariantView, b: VariantView) -> Bool { a.sku == b.sku }
    public func hash(into hasher: inout Hasher) { hasher.combine(sku) }
}
