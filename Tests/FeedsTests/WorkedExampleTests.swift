import Catalog
import Config
import Feeds
import Formats
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

/// specs/google-merchant.md §9: one tee, two sizes, on sale — compared attribute by attribute (the
/// digest's layout is by hand, so not byte for byte).
@Suite struct WorkedExampleTests {
    static let catalog = """
        product_id,sku,title,description,brand,gtin,condition,price,currency,sale_price,sale_start,sale_end,link,image_link,additional_image_links,color,size,size_system,gender,age_group,material,google_product_category,product_type,quantity,custom.campaign
        TEE-BLU,TEE-BLU-S,Acme Men's Organic Cotton Tee,Soft organic cotton crew-neck tee & regular fit.,Acme,012345678905,new,25.00,USD,19.99,2025-11-28T00:00,2025-12-01T23:59,https://www.example.com/p/tee-blue?size=S&utm_source=google,https://cdn.example.com/img/tee-blue-front.jpg,https://cdn.example.com/img/tee-blue-back.jpg,Blue,S,US,male,adult,Organic cotton,212,Men > Tops > T-Shirts,10,black-friday
        TEE-BLU,TEE-BLU-M,,,,012345678912,,25.00,USD,19.99,2025-11-28T00:00,2025-12-01T23:59,https://www.example.com/p/tee-blue?size=M&utm_source=google,https://cdn.example.com/img/tee-blue-front.jpg,https://cdn.example.com/img/tee-blue-back.jpg,Blue,M,US,,,,,,10,black-friday

        """

    func harness(_ store: StoreKind) throws -> FeedHarness {
        var config = UnifeedConfig()
        config.shop.name = "Acme Outfitters"
        config.shop.url = "https://www.example.com"
        config.shop.timeZone = TimeZone(identifier: "America/New_York")!
        var google = ChannelSettings()
        google.customLabels[0] = "custom.campaign"
        google.shipping = [
            ShippingRate(
                country: "US", service: "Standard", price: Money(minorUnits: 495, currency: config.shop.currency),
                minTransitDays: 2, maxTransitDays: 5)
        ]
        config.channels["google"] = google
        let h = try FeedHarness(store, samples: false, config: config)
        #expect(try h.importText(Self.catalog).imported == 2)
        return h
    }

    @Test(arguments: StoreKind.tested) func rssItemsCarryTheDigestsAttributes(_ store: StoreKind) throws {
        let h = try harness(store)
        let result = try h.publish(now: "2025-11-29T10:00", channels: ["google"])
        #expect(result.reports.first?.items == 2)
        let items = try rssItems((h.out as NSString).appendingPathComponent("google/products.xml"))
        let expected: [String: String] = [
            "id": "TEE-BLU-S", "item_group_id": "TEE-BLU", "title": "Acme Men's Organic Cotton Tee - Blue - S",
            "description": "Soft organic cotton crew-neck tee & regular fit.",
            "link": "https://www.example.com/p/tee-blue?size=S&utm_source=google",
            "image_link": "https://cdn.example.com/img/tee-blue-front.jpg",
            "additional_image_link": "https://cdn.example.com/img/tee-blue-back.jpg", "availability": "in_stock",
            "price": "25.00 USD", "sale_price": "19.99 USD",
            "sale_price_effective_date": "2025-11-28T00:00-0500/2025-12-01T23:59-0500", "brand": "Acme", "gtin": "012345678905",
            "condition": "new", "google_product_category": "212", "product_type": "Men > Tops > T-Shirts", "color": "Blue",
            "size": "S", "size_system": "US", "gender": "male", "age_group": "adult", "material": "Organic cotton",
            "shipping": "country=US;service=Standard;price=4.95 USD;min_transit_time=2;max_transit_time=5",
            "custom_label_0": "black-friday",
        ]
        let small = try #require(items.first { $0["id"] == ["TEE-BLU-S"] })
        for (attribute, value) in expected {
            #expect(small[attribute] == [value], "\(attribute)")
        }
        let medium = try #require(items.first { $0["id"] == ["TEE-BLU-M"] })
        for (attribute, value) in [
            "id": "TEE-BLU-M", "title": "Acme Men's Organic Cotton Tee - Blue - M",
            "link": "https://www.example.com/p/tee-blue?size=M&utm_source=google", "gtin": "012345678912", "size": "M",
        ] {
            #expect(medium[attribute] == [value], "\(attribute)")
        }
        for attribute in ["item_group_id", "price", "sale_price", "sale_price_effective_date", "brand", "gender", "shipping"] {
            #expect(medium[attribute] == small[attribute], "\(attribute) repeated on the second item")
        }
        // The XML escapes what it must.
        #expect(try h.read("google/products.xml").contains("size=S&amp;utm_source=google"))
    }

    @Test(arguments: StoreKind.tested) func tsvHasTheDigestsValues(_ store: StoreKind) throws {
        let h = try harness(store)
        try h.publish(now: "2025-11-29T10:00", channels: ["google"])
        let lines = try h.read("google/products.tsv").split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        let row = Dictionary(uniqueKeysWithValues: zip(header, try #require(lines.first { $0.first == "TEE-BLU-S" })))
        #expect(row["sale_price_effective_date"] == "2025-11-28T00:00-0500/2025-12-01T23:59-0500")
        #expect(row["product_type"] == "Men > Tops > T-Shirts")
        #expect(row["description"] == "Soft organic cotton crew-neck tee & regular fit.")
        #expect(row["shipping(country:region:service:price:min_transit_time:max_transit_time)"] == "US::Standard:4.95 USD:2:5")
    }
}
