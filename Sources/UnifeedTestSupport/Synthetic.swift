import Foundation

/// Synthetic inputs big enough that a command is still running when it is killed.
public enum Synthetic {
    /// A native catalog of `count` variants (4 per product), every price `price`.
    public static func catalog(_ count: Int, price: String) -> String {
        var out = "product_id,sku,title,description,brand,price,currency,link,image_link,quantity,product_type,gtin,color,size\n"
        out.reserveCapacity(count * 200)
        for i in 0..<count {
            let product = i / 4
            out += "P\(product),SKU-\(i),Product \(product),\"A plain description, with a comma\",Brand\(product % 50),\(price),USD,"
            out += "https://shop.example/p/\(product),https://cdn.shop.example/\(i).jpg,\(i % 40),Home > Kitchen > Mugs,\(gtin(i)),"
            out += "Color\(i % 4),\(["S", "M", "L", "XL"][i % 4])\n"
        }
        return out
    }

    /// A valid GTIN-13 for variant `i` (prefix 400638, the check digit computed).
    public static func gtin(_ i: Int) -> String {
        let body = "400638" + String(format: "%06d", i)
        let digits = body.compactMap(\.wholeNumberValue)
        let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
        return body + String((10 - sum % 10) % 10)
    }

    /// An Amazon all-orders report of `count` lines over SKU-0…SKU-(skus−1).
    public static func amazonOrders(_ count: Int, skus: Int) -> String {
        var out = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\titem-status\tquantity\n"
        for i in 0..<count {
            out += "900-\(i / 2)-\(i)\t2026-11-22T10:00:00+00:00\tShipped\tMerchant\tSKU-\((i * 7) % skus)\tShipped\t1\n"
        }
        return out
    }
}
