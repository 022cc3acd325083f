public import Catalog
public import Config
public import Foundation
public import StorePort

/// What every channel and every store shows for one SKU at one moment (DESIGN.md §9,
/// `GET /v1/availability/SKU`): built from the same `FeedItem` and the same allocation as the feeds, so
/// a storefront's "pick up today" and the published files cannot disagree.
public struct AvailabilityAnswer: Sendable {
    public struct ChannelFigure: Sendable, Hashable {
        public var availability: String
        public var quantity: Int
        /// The offer the channel's item carries (the dashboard's product page; not in the JSON answer,
        /// whose prices are the shared ones above).
        public var price: Money
        public var salePrice: Money?
        public var effectivePrice: Money
        public var promotionIDs: [String]

        public init(availability: String, quantity: Int, price: Money, salePrice: Money?, effectivePrice: Money, promotionIDs: [String]) {
            self.availability = availability
            self.quantity = quantity
            self.price = price
            self.salePrice = salePrice
            self.effectivePrice = effectivePrice
            self.promotionIDs = promotionIDs
        }
    }

    public struct StoreFigure: Sendable, Hashable {
        public var storeCode: String
        public var onHand: Int
        public var availability: String
        public var quantity: Int
        /// The store's price, and its sale in effect now (a markdown redeemed in store, or the own sale).
        public var price: Money
        public var salePrice: Money?
        public var effectivePrice: Money
        public var pickupMethod: String
        public var pickupSLA: String

        public init(
            storeCode: String, onHand: Int, availability: String, quantity: Int, price: Money, salePrice: Money?, effectivePrice: Money,
            pickupMethod: String, pickupSLA: String
        ) {
            self.storeCode = storeCode
            self.onHand = onHand
            self.availability = availability
            self.quantity = quantity
            self.price = price
            self.salePrice = salePrice
            self.effectivePrice = effectivePrice
            self.pickupMethod = pickupMethod
            self.pickupSLA = pickupSLA
        }
    }

    public var sku: String
    public var price: Money
    /// The sale price when a sale is active at the moment asked.
    public var salePrice: Money?
    public var effectivePrice: Money
    /// The automatic markdown behind the online sale price, when one beats the variant's own sale.
    public var markdown: String?
    /// The code and basket promotions that name this SKU and have not ended (Google's `promotion_id`).
    public var promotionIDs: [String]
    /// Every enabled channel that lists SKUs one by one, by name.
    public var channels: [(name: String, figure: ChannelFigure)]
    /// Each store, as local inventory shows it (empty when local inventory is off).
    public var stores: [StoreFigure]
    /// Online availability and quantity with no channel's settings (the catalog's own answer).
    public var availability = ""
    public var quantity = 0

    public init(
        sku: String, price: Money, salePrice: Money?, effectivePrice: Money, markdown: String?, promotionIDs: [String],
        channels: [(name: String, figure: ChannelFigure)], stores: [StoreFigure], availability: String, quantity: Int
    ) {
        self.sku = sku
        self.price = price
        self.salePrice = salePrice
        self.effectivePrice = effectivePrice
        self.markdown = markdown
        self.promotionIDs = promotionIDs
        self.channels = channels
        self.stores = stores
        self.availability = availability
        self.quantity = quantity
    }

    /// `{"sku", "currency", "price", "sale_price", "effective_price", "channels": {NAME: {"availability",
    /// "quantity"}}, "stores": [{"store_code", "on_hand", "availability", "quantity", "pickup_method",
    /// "pickup_sla"}]}`.
    public var json: JSONValue {
        .object([
            ("sku", .string(sku)), ("currency", .string(price.currency.code)), ("price", .string(price.amountString)),
            ("sale_price", .optional(salePrice?.amountString)), ("effective_price", .string(effectivePrice.amountString)),
            ("markdown", .optional(markdown)), ("promotion_ids", .array(promotionIDs.map(JSONValue.string))),
            (
                "channels",
                .object(channels.map { ($0.name, .object([("availability", .string($0.figure.availability)), ("quantity", .int($0.figure.quantity))])) })
            ),
            (
                "stores",
                .array(
                    stores.map {
                        .object([
                            ("store_code", .string($0.storeCode)), ("on_hand", .int($0.onHand)), ("availability", .string($0.availability)),
                            ("quantity", .int($0.quantity)), ("price", .string($0.price.amountString)),
                            ("sale_price", .optional($0.salePrice?.amountString)), ("effective_price", .string($0.effectivePrice.amountString)),
                            ("pickup_method", .string($0.pickupMethod)), ("pickup_sla", .string($0.pickupSLA)),
                        ])
                    })
            ),
        ])
    }
}

extension Publisher {
    /// The availability answer for `sku` at `now`, from one read of the store; `nil` for an unknown SKU.
    /// Channels: every enabled channel with one item per SKU (not local inventory, whose rows are the
    /// stores), by name.
    public func availability(sku: String, now: Timestamp) throws -> AvailabilityAnswer? {
        let channels = try selected([])
        return try store.reading { snapshot -> AvailabilityAnswer? in
            guard let v = try snapshot.variant(sku: sku) else { return nil }
            let markdowns = Markdowns(try snapshot.promotions(sku: sku))
            let base = FeedItem(v, channel: "", settings: ChannelSettings(), shop: config.shop, now: now, markdowns: markdowns)
            var answer = AvailabilityAnswer(
                sku: sku, price: base.price, salePrice: base.saleActive ? base.salePrice : nil, effectivePrice: base.effectivePrice,
                markdown: base.saleActive ? base.markdownID : nil, promotionIDs: base.promotionIDs, channels: [], stores: [],
                availability: base.availability, quantity: base.quantity)
            for channel in channels {
                let settings = config.settings(for: channel.name)
                if channel.scope == .stores {
                    guard answer.stores.isEmpty else { continue }
                    let item = FeedItem(v, channel: channel.name, settings: settings, shop: config.shop, now: now, markdowns: markdowns, inStore: true)
                    for store in try snapshot.stores() {
                        let (availability, quantity) = withUnsafePointer(to: store) { pointer in
                            let row = LocalRow(item: item, store: pointer, settings: settings)
                            return (row.availability, row.quantity)
                        }
                        answer.stores.append(
                            .init(
                                storeCode: store.code, onHand: v.stock.first { $0.location == store.code }?.quantity ?? 0,
                                availability: availability, quantity: quantity, price: item.price,
                                salePrice: item.saleActive ? item.salePrice : nil, effectivePrice: item.effectivePrice, pickupMethod: store.pickupMethod.rawValue,
                                pickupSLA: store.pickupSLA.rawValue))
                    }
                } else if channel.scope == .items {
                    let item = FeedItem(v, channel: channel.name, settings: settings, shop: config.shop, now: now, markdowns: markdowns)
                    answer.channels.append(
                        (
                            channel.name,
                            .init(
                                availability: item.availability, quantity: item.quantity, price: item.price,
                                salePrice: item.saleActive ? item.salePrice : nil, effectivePrice: item.effectivePrice, promotionIDs: item.promotionIDs)
                        ))
                }
            }
            return answer
        }
    }
}
