import Catalog
import Foundation
import Import
import StorePort
import StoreTestSupport
import Testing

@testable import Store

/// `unifeed import promotions` (DESIGN.md §10): Google's promotion policy checked row by row, each
/// broken rule an error naming the file, line, column and rule; bad files change nothing.
@Suite struct PromotionsImportTests {
    static let header = "promotion_id,title,discount_type,value,coupon_code,applies_to,targets,start,end,redemption,price_effect,minimum_purchase"

    /// A valid row, overridable column by column.
    static func row(_ extra: [String: String] = [:]) -> String {
        var cells = [
            "promotion_id": "BF26_TEE_20", "title": "20% off classic tees", "discount_type": "percent_off", "value": "20", "coupon_code": "",
            "applies_to": "product_id", "targets": "TEE-CLS", "start": "2026-11-20", "end": "2026-12-01", "redemption": "both",
            "price_effect": "sale", "minimum_purchase": "",
        ]
        for (k, v) in extra { cells[k] = v }
        return header.split(separator: ",").map { cells[String($0)] ?? "" }.joined(separator: ",")
    }

    static func withSamples(_ store: StoreKind) throws -> ImportHarness {
        let h = try ImportHarness(store)
        try h.importSample("catalog.csv")
        return h
    }

    func promotions(_ h: ImportHarness) throws -> [Promotion] { try h.store.reading { try $0.promotions() } }

    @Test(arguments: StoreKind.tested) func aGoodFileImportsAndReimportsAsUnchanged(_ store: StoreKind) throws {
        let h = try Self.withSamples(store)
        let text = [
            Self.header, Self.row(),
            Self.row([
                "promotion_id": "SAVE10_OVER50", "title": "$10 off orders of $50 or more", "discount_type": "money_off", "value": "10",
                "coupon_code": "SAVE10", "applies_to": "all", "targets": "", "end": "2026-12-31", "redemption": "online", "price_effect": "none",
                "minimum_purchase": "50.00",
            ]),
            Self.row([
                "promotion_id": "SHIP_FREE", "title": "Free shipping on Voltarc", "discount_type": "free_shipping", "value": "",
                "coupon_code": "SHIPVOLT", "applies_to": "brand", "targets": "Voltarc", "redemption": "online", "price_effect": "none",
            ]),
        ].joined(separator: "\n")
        let first = try h.importText(text, name: "promotions.csv", kind: .promotions)
        #expect(first.new == 3 && first.rejected == 0, "\(h.messages)")
        let stored = try promotions(h)
        #expect(stored.map(\.id) == ["BF26_TEE_20", "SAVE10_OVER50", "SHIP_FREE"])
        let tee = stored[0]
        #expect(tee.discount == .percentOff(20) && tee.appliesTo == .productID && tee.targets == ["TEE-CLS"])
        #expect(tee.redemption == .both && tee.priceEffect == .sale && tee.status == .active)
        // Dates without a time are the shop's days (America/New_York): from the start of the 20th to
        // the end of December 1st.
        #expect(tee.start.iso8601UTC == "2026-11-20T05:00:00Z" && tee.end.iso8601UTC == "2026-12-02T05:00:00Z")
        let save = stored[1]
        #expect(save.discount == .moneyOff(Money(minorUnits: 1000, currency: Currency(code: "USD")!)))
        #expect(save.minimumPurchase?.minorUnits == 5000 && save.couponCode == "SAVE10" && save.targets.isEmpty)

        let again = try h.importText(text, name: "promotions.csv", kind: .promotions)
        #expect(again.unchanged == 3 && again.new == 0 && again.updated == 0)
        // Archived: it ends, and stays listed.
        let archived = try h.importText(
            [Self.header + ",status", Self.row() + ",archived"].joined(separator: "\n"), name: "promotions.csv", kind: .promotions)
        #expect(archived.updated == 1)
        #expect(try promotions(h).first { $0.id == "BF26_TEE_20" }?.status == .archived)
    }

    /// Each policy rule: the row is rejected with the column and the rule.
    @Test(
        arguments: StoreKind.tested,
        [
            ("under 5%", ["value": "4"], "value", "at least 5 percent"),
            ("a fractional percent", ["value": "12.5"], "value", "whole percent"),
            ("100%", ["value": "100"], "value", "less than 100 percent"),
            ("under 5 currency units", ["discount_type": "money_off", "value": "4.99"], "value", "at least 5 USD"),
            ("over 183 days", ["start": "2026-01-01", "end": "2026-07-03"], "end", "at most 183 days"),
            ("end before start", ["start": "2026-12-01", "end": "2026-11-20"], "end", "must come after the start"),
            (
                "free shipping without a code", ["discount_type": "free_shipping", "value": "", "price_effect": "none", "redemption": "online"],
                "coupon_code", "needs a coupon_code"
            ),
            ("a code on an automatic markdown", ["coupon_code": "TEE20"], "coupon_code", "takes no coupon_code"),
            ("a minimum purchase on an automatic markdown", ["minimum_purchase": "50"], "minimum_purchase", "cannot require a basket"),
            ("an id with a space", ["promotion_id": "BF 26"], "promotion_id", "letters, digits"),
            ("an id over 50", ["promotion_id": String(repeating: "A", count: 51)], "promotion_id", "1 to 50"),
            ("a title over 60", ["title": String(repeating: "t", count: 61)], "title", "at most 60 characters"),
            ("an unknown target SKU", ["applies_to": "sku", "targets": "TEE-CLS-BLK-S|NO-SUCH-SKU"], "targets", "unknown target"),
            ("an unknown product", ["targets": "NO-SUCH-PRODUCT"], "targets", "unknown target"),
            ("an unknown brand", ["applies_to": "brand", "targets": "Nobody"], "targets", "unknown target"),
            ("an unknown product type", ["applies_to": "product_type", "targets": "Apparel > Hats"], "targets", "unknown target"),
            ("an unknown discount_type", ["discount_type": "bogo"], "discount_type", "expected one of percent_off"),
            ("an unknown applies_to", ["applies_to": "category"], "applies_to", "expected one of all"),
            ("targets missing", ["targets": ""], "targets", "needs targets"),
            ("no value", ["value": ""], "value", "needs its percent"),
            ("a bad date", ["start": "20/11/2026"], "start", "ISO 8601"),
            (
                "free shipping in store", ["discount_type": "free_shipping", "value": "", "coupon_code": "SHIP", "price_effect": "none"],
                "redemption", "cannot be redeemed in store"
            ),
        ]) func eachPolicyRuleIsALocatedError(_ store: StoreKind, _ policy: (rule: String, cells: [String: String], column: String, message: String)) throws
    {
        let (rule, cells, column, message) = policy
        let h = try Self.withSamples(store)
        let before = try h.snapshot()
        let summary = try h.importText([Self.header, Self.row(cells)].joined(separator: "\n"), name: "promotions.csv", kind: .promotions)
        #expect(summary.rejected == 1 && summary.imported == 0, "\(rule)")
        let error = h.messages.first { $0.contains("error") } ?? ""
        #expect(error.contains("promotions.csv:2") && error.contains(column) && error.contains(message), "\(rule): \(h.messages)")
        #expect(try h.snapshot() == before, "\(rule): nothing written")
    }

    /// The same rules, just not broken: the limits themselves are accepted.
    @Test(
        arguments: StoreKind.tested,
        [
            ["value": "5"], ["value": "99"], ["value": "5%"], ["discount_type": "money_off", "value": "5.00"],
            ["start": "2026-01-01", "end": "2026-07-02"], ["applies_to": "brand", "targets": "Northwind Basics|Voltarc"],
            ["applies_to": "product_type", "targets": "Apparel > Tops > T-Shirts"], ["applies_to": "sku", "targets": "TEE-CLS-BLK-S"],
            ["promotion_id": String(repeating: "A", count: 50)], ["title": String(repeating: "t", count: 60)],
            ["start": "2026-11-20T00:00:00-05:00", "end": "2026-12-01T23:59:59-05:00"],
        ]) func theLimitsThemselvesAreAccepted(_ store: StoreKind, cells: [String: String]) throws
    {
        let h = try Self.withSamples(store)
        let summary = try h.importText([Self.header, Self.row(cells)].joined(separator: "\n"), name: "promotions.csv", kind: .promotions)
        #expect(summary.new == 1 && summary.rejected == 0, "\(cells): \(h.messages)")
    }

    @Test(arguments: StoreKind.tested) func aDuplicateIdIsRejectedWithTheFirstLine(_ store: StoreKind) throws {
        let h = try Self.withSamples(store)
        let summary = try h.importText([Self.header, Self.row(), Self.row()].joined(separator: "\n"), name: "promotions.csv", kind: .promotions)
        #expect(summary.new == 1 && summary.rejected == 1)
        #expect(h.messages.contains { $0.contains("promotions.csv:3") && $0.contains("first given on line 2") })
    }

    /// Bad files change nothing: a quote left open (the whole file is refused), and under `--strict`
    /// an unknown discount_type or a percent of 12.5 beside good rows.
    @Test(arguments: StoreKind.tested) func badFilesLeaveTheStoreUnchanged(_ store: StoreKind) throws {
        let h = try Self.withSamples(store)
        try h.importText([Self.header, Self.row()].joined(separator: "\n"), name: "promotions.csv", kind: .promotions)
        let before = try h.snapshot()
        let open = [Self.header, Self.row(["promotion_id": "NEW_ONE"]), Self.row(["promotion_id": "OTHER", "title": "\"20% off"])]
        #expect(throws: (any Error).self) { try h.importText(open.joined(separator: "\n"), name: "promotions.csv", kind: .promotions) }
        #expect(try h.snapshot() == before)
        var strict = ImportOptions()
        strict.strict = true
        for bad in [["discount_type": "bogo"], ["value": "12.5"]] {
            let text = [Self.header, Self.row(["promotion_id": "GOOD_ONE"]), Self.row(bad.merging(["promotion_id": "BAD_ONE"]) { a, _ in a })]
            let summary = try h.importText(text.joined(separator: "\n"), name: "promotions.csv", kind: .promotions, options: strict)
            #expect(summary.strictFailure && !summary.committed, "\(bad)")
            #expect(try h.snapshot() == before, "\(bad)")
        }
    }
}
