public import Catalog
public import Foundation

extension VariantView {
    /// The `products list --json` object: keys named as the native CSV columns, money as strings.
    public func json(detail: Bool = false, timeZone: TimeZone) -> JSONValue {
        let date = { (t: Timestamp?) -> JSONValue in .optional(t?.iso8601(in: timeZone)) }
        var members: [(String, JSONValue)] = [
            ("product_id", .string(productID)), ("sku", .string(sku.rawValue)), ("status", .string(status.rawValue)),
            ("title", .optional(title)), ("description", .optional(description)), ("brand", .optional(brand)),
            ("gtin", .optional(gtin)), ("mpn", .optional(mpn)), ("condition", .optional(condition)),
            ("price", .string(price.amountString)), ("currency", .string(price.currency.code)),
            ("sale_price", .optional(salePrice?.amountString)),
            ("sale_start", date(saleStart)), ("sale_end", date(saleEnd)), ("link", .optional(link)),
            ("image_link", .optional(images.first)),
            ("additional_image_links", .array(images.dropFirst().map(JSONValue.string))),
            ("color", .optional(color)), ("size", .optional(size)), ("size_system", .optional(sizeSystem)),
            ("size_type", .optional(sizeType)), ("gender", .optional(gender)), ("age_group", .optional(ageGroup)),
            ("material", .optional(material)), ("pattern", .optional(pattern)),
            ("google_product_category", .optional(googleProductCategory)), ("product_type", .optional(productType)),
            ("weight", .optional(weight)), ("quantity", quantity.map(JSONValue.int) ?? .null),
            ("availability_date", date(availabilityDate)), ("stock_policy", .string(stockPolicy.rawValue)),
        ]
        if detail {
            members.append(("gtin_valid", .bool(gtinValid)))
            members.append(("images", .array(images.map(JSONValue.string))))
            members.append(("custom", .object(custom.map { ($0.0, .string($0.1)) })))
            var channels: [(String, JSONValue)] = []
            for (channel, field, value) in overrides {
                if channels.last?.0 == channel, case .object(var fields) = channels.last!.1 {
                    fields.append((field, .string(value)))
                    channels[channels.count - 1].1 = .object(fields)
                } else {
                    channels.append((channel, .object([(field, .string(value))])))
                }
            }
            members.append(("overrides", .object(channels)))
        }
        return .object(members)
    }
}

extension StockReport {
    /// `{"sku", "on_hand": {"online": n, "<store_code>": n}, "total", "movements": [...]}`.
    public var json: JSONValue {
        .object([
            ("sku", .string(sku)),
            ("on_hand", .object(onHand.map { ($0.location, .int($0.quantity)) })),
            ("total", .int(total)),
            (
                "movements",
                .array(
                    movements.map {
                        .object([
                            ("id", .int(Int($0.id))), ("at", .string($0.at)), ("location", .string($0.location)),
                            ("delta", .int($0.delta)), ("kind", .string($0.kind)), ("ref", .string($0.ref)),
                        ])
                    })
            ),
        ])
    }
}
