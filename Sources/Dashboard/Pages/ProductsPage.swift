import Catalog
public import StorePort

/// Products (`/products`): search by SKU (or its start), GTIN, or words of the title, a page at a time
/// by key.
public struct ProductsPage {
    public var query: String
    public var hits: [SearchHit]
    public var next: String?
    public var total: Int?

    public init(query: String, hits: [SearchHit], next: String?, total: Int? = nil) {
        self.query = query
        self.hits = hits
        self.next = next
        self.total = total
    }

    public var values: [String: Any] {
        var values: [String: Any] = [
            "query": query,
            "summary": query.isEmpty
                ? "Every SKU in order" + (total.map { " (\(Figures.count($0)) in all)" } ?? "") + "."
                : "\(hits.count)\(next == nil ? "" : "+") result\(hits.count == 1 ? "" : "s") for “\(query)”.",
            "hits": hits.map {
                [
                    "sku": $0.sku, "skuPath": Figures.pathSegment($0.sku), "title": $0.title ?? "", "gtin": $0.gtin ?? "",
                    "price": $0.price.description, "status": $0.status.rawValue,
                ]
            },
        ]
        if let next { values["next"] = "/products?q=\(Figures.queryValue(query))&after=\(Figures.queryValue(next))" }
        return values
    }
}
