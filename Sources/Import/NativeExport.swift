public import Catalog
public import Formats
public import Foundation
public import StorePort

/// The canonical catalog as Unifeed's own CSV (DESIGN.md §4), one row per SKU sorted by SKU: what
/// `import catalog` reads back to the same catalog. Every row carries its product's fields; links and
/// images are written as the variant shows them (its own, else its product's); `quantity` is the online
/// count; dates are in the shop's time zone; channel overrides and custom attributes are `CHANNEL.FIELD`
/// and `custom.NAME` columns. Cells a spreadsheet would run as formulas get a leading `'`, which import
/// strips.
public enum NativeExport {
    /// Writes the catalog of `snapshot` to `writer`; returns the number of SKUs. Two passes over the one
    /// snapshot: the override and custom column names first, then the rows (memory holds the names only).
    public static func write(_ snapshot: any CatalogSnapshot, to writer: CSVWriter, timeZone: TimeZone) throws -> Int {
        var overrideNames: Set<String> = []
        var customNames: Set<String> = []
        try snapshot.forEachVariant { v in
            for (channel, field, _) in v.overrides { overrideNames.insert("\(channel).\(field)") }
            for (name, _) in v.custom { customNames.insert(name) }
        }
        let overrides = overrideNames.sorted()
        let customs = customNames.sorted()
        try writer.write(NativeMapper.columns + overrides + customs.map { "custom." + $0 })
        var count = 0
        try snapshot.forEachVariant { v in
            func date(_ t: Timestamp?) -> String { t?.iso8601(in: timeZone) ?? "" }
            var row: [String] = [
                v.productID, v.sku.rawValue, v.status.rawValue, v.title ?? "", v.description ?? "", v.brand ?? "", v.gtin ?? "", v.mpn ?? "",
                v.condition ?? "", v.price.amountString, v.price.currency.code, v.salePrice?.amountString ?? "", date(v.saleStart),
                date(v.saleEnd), v.link ?? "", v.images.first ?? "", v.images.dropFirst().joined(separator: "|"), v.color ?? "", v.size ?? "",
                v.sizeSystem ?? "", v.sizeType ?? "", v.gender ?? "", v.ageGroup ?? "", v.material ?? "", v.pattern ?? "",
                v.googleProductCategory ?? "", v.productType ?? "", v.weight ?? "", v.quantity.map(String.init) ?? "", date(v.availabilityDate),
                v.stockPolicy.rawValue,
            ]
            for name in overrides {
                row.append(v.overrides.first { "\($0.0).\($0.1)" == name }?.2 ?? "")
            }
            for name in customs {
                row.append(v.custom.first { $0.0 == name }?.1 ?? "")
            }
            try writer.write(row)
            count += 1
        }
        return count
    }
}
