public import Catalog
public import Config
public import Formats
public import Pipeline
public import StorePort

/// `stores.csv`: store_code,name,address,city,postal_code,country,pickup_method,pickup_sla.
public struct StoresMapper: RowMapper {
    public static let columns = ["store_code", "name", "address", "city", "postal_code", "country", "pickup_method", "pickup_sla"]
    let header: Header
    let c: [Int?]

    public init(header: Header) throws {
        try header.require(Self.columns, format: "stores")
        self.header = header
        c = Self.columns.map { header.column($0) }
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: row)
        func required(_ k: Int) -> String {
            if let v = r.text(c[k]) { return v }
            r.fail(c[k], "\(Self.columns[k]) is required")
            return ""
        }
        let code = r.text(c[0]) == nil ? nil : r.parse(c[0], StoreLocation.validateCode)
        if r.text(c[0]) == nil { r.fail(c[0], "store_code is required") }
        let name = required(1), address = required(2), city = required(3), postal = required(4)
        let country = r.text(c[5]) == nil ? nil : r.parse(c[5], StoreLocation.validateCountry)
        if r.text(c[5]) == nil { r.fail(c[5], "country is required") }
        let method = r.parse(c[6], PickupMethod.parse)
        if r.text(c[6]) == nil { r.fail(c[6], "pickup_method is required") }
        let sla = r.parse(c[7], PickupSLA.parse)
        if r.text(c[7]) == nil { r.fail(c[7], "pickup_sla is required") }
        let store = StoreLocation(
            code: code ?? "", name: name, address: address, city: city, postalCode: postal,
            country: country ?? "", pickupMethod: method ?? .notSupported, pickupSLA: sla ?? .sameDay)
        return [r.record(.store(store))]
    }

    public mutating func finish() -> [MappedRecord] { [] }
}

/// `inventory.csv`: sku,location,quantity — an absolute count per SKU and location (a store code or
/// `online`); the ledger records the difference.
public struct InventoryMapper: RowMapper {
    let header: Header
    let sku, location, quantity: Int?

    public init(header: Header) throws {
        try header.require(["sku", "location", "quantity"], format: "inventory")
        self.header = header
        sku = header.column("sku")
        location = header.column("location")
        quantity = header.column("quantity")
    }

    public mutating func consume(_ row: SourceRow) -> [MappedRecord] {
        var r = RowReader(header: header, row: row)
        if r.text(sku) == nil { r.fail(sku, "sku is required") }
        if r.text(location) == nil { r.fail(location, "location is required (a store_code or online)") }
        if r.text(quantity) == nil { r.fail(quantity, "quantity is required") }
        let q = r.parse(quantity, Quantity.parse)
        return [
            r.record(
                .stock(
                    sku: r.text(sku) ?? "", location: r.text(location) ?? "", quantity: q ?? 0,
                    skuColumn: header.names[sku!], locationColumn: header.names[location!]))
        ]
    }

    public mutating func finish() -> [MappedRecord] { [] }
}
