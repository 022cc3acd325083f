import Catalog
public import Feeds
public import StorePort

/// One SKU (`/products/SKU`): the canonical record beside what each channel and each store shows for it
/// now (price, sale, promotion, availability, quantity), a cell that differs from the catalog's own
/// answer highlighted; its images; on hand by location as a chart; its ledger.
public struct ProductPage {
    public var variant: VariantView
    /// What every channel and store shows (the same code as `GET /v1/availability` and the feeds).
    public var answer: AvailabilityAnswer
    public var stock: StockReport
    public var now: String

    public init(variant: VariantView, answer: AvailabilityAnswer, stock: StockReport, now: String) {
        self.variant = variant
        self.answer = answer
        self.stock = stock
        self.now = now
    }

    public var values: [String: Any] {
        let v = variant
        var fields: [(String, String?)] = [
            ("Brand", v.brand), ("GTIN", v.gtin.map { v.gtinValid ? $0 : "\($0) (not a valid GTIN)" }), ("MPN", v.mpn), ("Condition", v.condition),
            ("Link", v.link), ("Color", v.color), ("Size", v.size), ("Material", v.material), ("Pattern", v.pattern), ("Gender", v.gender),
            ("Age group", v.ageGroup), ("Google category", v.googleProductCategory), ("Product type", v.productType), ("Weight", v.weight),
            ("Price", v.price.description), ("Sale price", v.salePrice?.description),
            ("Sale window", v.salePrice == nil ? nil : "\(v.saleStart?.iso8601UTC ?? "open") to \(v.saleEnd?.iso8601UTC ?? "open")"),
            ("Stock policy", v.stockPolicy.rawValue), ("Availability date", v.availabilityDate?.iso8601UTC),
        ]
        fields += v.custom.map { ("custom: \($0.0)", $0.1) }
        fields += v.overrides.map { ("\($0.0).\($0.1)", $0.2) }
        let a = answer
        var disagreements = 0
        let channels = a.channels.map { c -> [String: Any] in
            let f = c.figure
            let row: [String: Any] = [
                "name": c.name, "price": f.price.description, "sale": f.salePrice?.description ?? "", "effective": f.effectivePrice.description,
                "promotions": f.promotionIDs.joined(separator: ", "), "availability": f.availability, "quantity": String(f.quantity),
                "priceDiffers": f.price != a.price, "effectiveDiffers": f.effectivePrice != a.effectivePrice,
                "availabilityDiffers": f.availability != a.availability, "quantityDiffers": f.quantity != a.quantity,
            ]
            if f.price != a.price || f.effectivePrice != a.effectivePrice || f.availability != a.availability || f.quantity != a.quantity {
                disagreements += 1
            }
            return row
        }
        let stores = a.stores.map { s -> [String: Any] in
            if s.effectivePrice != a.effectivePrice || s.onHand < 0 { disagreements += 1 }
            return [
                "code": s.storeCode, "onHand": String(s.onHand), "negative": s.onHand < 0, "price": s.price.description,
                "sale": s.salePrice?.description ?? "", "effective": s.effectivePrice.description, "effectiveDiffers": s.effectivePrice != a.effectivePrice,
                "availability": s.availability, "quantity": String(s.quantity), "pickup": "\(s.pickupMethod), \(s.pickupSLA)",
            ]
        }
        var values: [String: Any] = [
            "sku": v.sku.description, "title": v.title ?? v.sku.description, "productID": v.productID, "status": v.status.rawValue, "now": now,
            "fields": fields.compactMap { name, value in value.map { ["name": name, "value": $0] } },
            "price": a.price.description, "sale": a.salePrice?.description ?? "", "effective": a.effectivePrice.description,
            "promotions": a.promotionIDs.joined(separator: ", "), "stockPolicy": a.availability,
            "onlineOnHand": v.quantity.map(String.init) ?? "not counted",
            "channels": channels, "stores": stores, "hasStores": !stores.isEmpty,
            "images": v.images.map { ["url": $0] }, "hasImages": !v.images.isEmpty,
            "movements": stock.movements.reversed().prefix(200).map {
                ["id": String($0.id), "at": $0.at, "location": $0.location, "delta": ($0.delta > 0 ? "+" : "") + String($0.delta), "kind": $0.kind, "ref": $0.ref]
            },
        ]
        if disagreements > 0 { values["disagreements"] = "\(disagreements) row\(disagreements == 1 ? "" : "s") differ from the catalog" }
        if let chart = SVGChart.bars(stock.onHand.map { ($0.location, $0.quantity) }, title: "On hand by location for \(v.sku.description)") {
            values["chart"] = chart
        }
        return values
    }
}
