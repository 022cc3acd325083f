/// A SKU's sale as one channel shows it: the variant's own sale or the automatic markdown that beats it.
public struct Offer: Hashable, Sendable {
    public var salePrice: Money
    public var start: Timestamp?
    public var end: Timestamp?
    /// The promotion that makes it, or `nil` for the variant's own sale.
    public var promotionID: String?

    public init(salePrice: Money, start: Timestamp?, end: Timestamp?, promotionID: String?) {
        self.salePrice = salePrice
        self.start = start
        self.end = end
        self.promotionID = promotionID
    }

    /// Whether it runs at `now` (no start: from always); an offer never outlives its end.
    public func hasStarted(by now: Timestamp) -> Bool { start.map { $0 <= now } ?? true }
}

/// The automatic markdowns (`price_effect = sale`, active) by what they target: the one place that
/// decides a SKU's sale for a channel, a location and a moment (DESIGN.md §10). Every feed writer,
/// `audit` and `/v1/availability` go through `offer(...)`, through `FeedItem`. It also knows which
/// code promotions name a SKU (`linkedIDs`, Google's `promotion_id`).
public struct Markdowns: Sendable {
    private var all: [Promotion] = []
    private var bySKU: [String: [Promotion]] = [:]
    private var byProduct: [String: [Promotion]] = [:]
    private var byType: [String: [Promotion]] = [:]
    private var byBrand: [String: [Promotion]] = [:]
    /// Code and basket promotions (`price_effect = none`) for specific products, by target kind and
    /// value: the items they name carry their ids.
    private var linked: [Promotion.AppliesTo: [String: [String]]] = [:]
    private var linkEnds: [String: Timestamp] = [:]
    /// Some markdown reaches only online or only the stores (else both sides always agree).
    public private(set) var reachesOneSideOnly = false

    /// No markdowns.
    public init() {}

    /// The markdowns among `promotions`, and the code and basket promotions for specific products
    /// (they change no price, but the items they name carry their ids).
    public init(_ promotions: [Promotion]) {
        for p in promotions where p.priceEffect == .none && p.status == .active && p.appliesTo != .all {
            linkEnds[p.id] = p.end
            for t in p.targets { linked[p.appliesTo, default: [:]][t, default: []].append(p.id) }
        }
        for p in promotions where p.priceEffect == .sale && p.status == .active {
            if p.redemption != .both { reachesOneSideOnly = true }
            switch p.appliesTo {
            case .all: all.append(p)
            case .sku: for t in p.targets { bySKU[t, default: []].append(p) }
            case .productID: for t in p.targets { byProduct[t, default: []].append(p) }
            case .productType: for t in p.targets { byType[t, default: []].append(p) }
            case .brand: for t in p.targets { byBrand[t, default: []].append(p) }
            }
        }
    }

    /// No markdown (code promotions may still be linked).
    public var isEmpty: Bool { all.isEmpty && bySKU.isEmpty && byProduct.isEmpty && byType.isEmpty && byBrand.isEmpty }

    public var hasLinkedPromotions: Bool { !linked.isEmpty }

    /// The code and basket promotions for specific products that name this SKU (by SKU, product,
    /// product type or brand) and have not ended at `now`, sorted by id: Google's `promotion_id`.
    public func linkedIDs(sku: String, productID: String, productType: String?, brand: String?, now: Timestamp) -> [String] {
        var ids: [String] = []
        if let index = linked[.sku], let found = index[sku] { ids += found }
        if let index = linked[.productID], let found = index[productID] { ids += found }
        if let index = linked[.productType], let productType, let found = index[productType] { ids += found }
        if let index = linked[.brand], let brand, let found = index[brand] { ids += found }
        guard !ids.isEmpty else { return [] }
        let running = ids.filter { (linkEnds[$0].map { now < $0 }) ?? false }
        return running.count < 2 ? running : Array(Set(running)).sorted()
    }

    /// The sale a SKU shows at `now`, online or in store, or `nil` when it has none.
    ///
    /// Candidates: the variant's own sale and each markdown that targets the SKU and reaches where it is
    /// shown, unless ended. Among those running at `now` the lowest price wins (a tie: the variant's
    /// own sale, then the one ending first, then the lower id), with its window; when none runs yet,
    /// the one starting first (so a feed can announce it with its dates).
    public func offer(
        price: Money, sale: Money?, saleStart: Timestamp?, saleEnd: Timestamp?, sku: String, productID: String, productType: String?,
        brand: String?, inStore: Bool, now: Timestamp
    ) -> Offer? {
        var best: Offer?
        var bestRunning = false
        func consider(_ candidate: Offer) {
            if let end = candidate.end, end <= now { return }
            let running = candidate.hasStarted(by: now)
            guard let current = best else {
                (best, bestRunning) = (candidate, running)
                return
            }
            let better: Bool
            if running != bestRunning {
                better = running
            } else if running {
                better = Self.rank(candidate) < Self.rank(current)
            } else {
                let (a, b) = (candidate.start?.secondsSinceEpoch ?? 0, current.start?.secondsSinceEpoch ?? 0)
                better = a != b ? a < b : Self.rank(candidate) < Self.rank(current)
            }
            if better { (best, bestRunning) = (candidate, running) }
        }
        if let sale { consider(Offer(salePrice: sale, start: saleStart, end: saleEnd, promotionID: nil)) }
        if !isEmpty {
            func each(_ list: [Promotion]?) {
                for p in list ?? [] where (inStore ? p.redemption.inStore : p.redemption.online) {
                    guard let promoted = p.promotedPrice(of: price), promoted.minorUnits < price.minorUnits else { continue }
                    consider(Offer(salePrice: promoted, start: p.start, end: p.end, promotionID: p.id))
                }
            }
            // An empty index is not asked (hashing the key is the cost of a lookup, for every item of
            // every channel).
            if !all.isEmpty { each(all) }
            if !bySKU.isEmpty { each(bySKU[sku]) }
            if !byProduct.isEmpty { each(byProduct[productID]) }
            if !byType.isEmpty, let productType { each(byType[productType]) }
            if !byBrand.isEmpty, let brand { each(byBrand[brand]) }
        }
        return best
    }

    /// Lower is better: price, then the variant's own sale, then the earlier end, then the id.
    private static func rank(_ o: Offer) -> (Int64, Int, Int64, String) {
        (o.salePrice.minorUnits, o.promotionID == nil ? 0 : 1, o.end?.secondsSinceEpoch ?? .max, o.promotionID ?? "")
    }
}
