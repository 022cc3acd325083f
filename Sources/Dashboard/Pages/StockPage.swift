import Catalog
public import StorePort

/// Stock (`/stock`): on hand per location, the oversold SKUs, and the latest ledger movements that
/// explain them (older ones a page at a time, by movement id).
public struct StockPage {
    public var locations: [LocationStock]
    public var oversold: [(sku: String, location: String, onHand: Int)]
    public var movements: [LedgerEntry]
    public var location: String?
    public var next: String?

    public init(
        locations: [LocationStock], oversold: [(sku: String, location: String, onHand: Int)], movements: [LedgerEntry], location: String?, next: String?
    ) {
        self.locations = locations
        self.oversold = oversold
        self.movements = movements
        self.location = location
        self.next = next
    }

    public var values: [String: Any] {
        var values: [String: Any] = [
            "locations": locations.map {
                [
                    "code": $0.code, "name": $0.name, "skus": Figures.count($0.skus), "units": Figures.count($0.units), "oversold": Figures.count($0.oversold),
                    "hasOversold": $0.oversold > 0,
                ]
            },
            "oversold": oversold.map { ["sku": $0.sku, "skuPath": Figures.pathSegment($0.sku), "location": $0.location, "onHand": String($0.onHand)] },
            "movements": movements.map {
                [
                    "id": String($0.movement.id), "at": $0.movement.at, "sku": $0.sku, "skuPath": Figures.pathSegment($0.sku), "location": $0.movement.location,
                    "delta": ($0.movement.delta > 0 ? "+" : "") + String($0.movement.delta), "kind": $0.movement.kind, "ref": $0.movement.ref,
                ]
            },
        ]
        if let location { values["location"] = location }
        if let next { values["next"] = next }
        if let chart = SVGChart.bars(locations.map { ($0.code, $0.units) }, title: "Units on hand by location") { values["chart"] = chart }
        return values
    }
}
