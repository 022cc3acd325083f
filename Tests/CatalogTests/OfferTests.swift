import Catalog
import Foundation
import Testing

/// `Markdowns.offer`: the one function that decides a SKU's sale for a channel, a location and a moment.
@Suite struct OfferTests {
    static let usd = Currency(code: "USD")!
    static func t(_ text: String) -> Timestamp { try! Timestamp.parse(text, timeZone: TimeZone(identifier: "UTC")!) }
    static func money(_ minor: Int64) -> Money { Money(minorUnits: minor, currency: usd) }
    static let now = t("2026-11-25T12:00:00Z")

    static func markdown(
        _ id: String, _ discount: Promotion.Discount, appliesTo: Promotion.AppliesTo = .sku, targets: [String] = ["TEE-S"],
        from: String = "2026-11-20T00:00:00Z", to: String = "2026-12-01T00:00:00Z", redemption: Promotion.Redemption = .both
    ) -> Promotion {
        Promotion(
            id: id, title: id, discount: discount, appliesTo: appliesTo, targets: targets, start: t(from), end: t(to), redemption: redemption,
            priceEffect: .sale)
    }

    func offer(
        _ promotions: [Promotion], price: Int64 = 2500, sale: Int64? = nil, saleFrom: String? = nil, saleTo: String? = nil, inStore: Bool = false,
        now: Timestamp = OfferTests.now
    ) -> Offer? {
        Markdowns(promotions).offer(
            price: Self.money(price), sale: sale.map(Self.money), saleStart: saleFrom.map(Self.t), saleEnd: saleTo.map(Self.t), sku: "TEE-S",
            productID: "TEE", productType: "Apparel > Tops", brand: "Northwind", inStore: inStore, now: now)
    }

    @Test(
        arguments: [
            (2500 as Int64, 20, 2000 as Int64),  // 25.00 − 20 %
            (1999, 15, 1699),  // 16.9915 → 16.99
            (1999, 25, 1499),  // 14.9925 → 14.99
            (1990, 25, 1493),  // 14.925 → 14.93 (half up)
            (2, 50, 1),  // 0.01: never below one minor unit
            (1, 99, nil),  // 0.01 cannot go lower: no markdown at all
        ] as [(Int64, Int, Int64?)])
    func percentOffRoundsHalfUp(price: Int64, percent: Int, expected: Int64?) {
        #expect(offer([Self.markdown("P", .percentOff(percent))], price: price)?.salePrice == expected.map(Self.money))
    }

    @Test func moneyOffNeverGoesBelowOneCent() {
        #expect(offer([Self.markdown("M", .moneyOff(Self.money(1000)))], price: 2500)?.salePrice == Self.money(1500))
        #expect(offer([Self.markdown("M", .moneyOff(Self.money(1000)))], price: 800)?.salePrice == Self.money(1))
    }

    @Test func theLowestOfASaleAndPromotionsWinsWithItsWindow() {
        // Own sale 22.00 until Nov 28; 20 % off (20.00) until Dec 1; 5.00 off (20.00, ends later).
        let twenty = Self.markdown("PCT20", .percentOff(20))
        let fiveOff = Self.markdown("FIVE", .moneyOff(Self.money(500)), to: "2026-12-05T00:00:00Z")
        let won = offer([twenty, fiveOff], sale: 2200, saleFrom: "2026-11-01T00:00:00Z", saleTo: "2026-11-28T00:00:00Z")
        #expect(won?.salePrice == Self.money(2000))
        #expect(won?.promotionID == "PCT20", "a tie on price: the one ending first")
        #expect(won?.start == Self.t("2026-11-20T00:00:00Z") && won?.end == Self.t("2026-12-01T00:00:00Z"))
        // The variant's own sale, when lower, stays, with its own window.
        let own = offer([twenty], sale: 1800, saleFrom: "2026-11-01T00:00:00Z", saleTo: "2026-11-28T00:00:00Z")
        #expect(own?.salePrice == Self.money(1800) && own?.promotionID == nil && own?.end == Self.t("2026-11-28T00:00:00Z"))
        // A tie between the own sale and a promotion: the own sale.
        #expect(offer([twenty], sale: 2000)?.promotionID == nil)
    }

    @Test func aFuturePromotionIsAnnouncedAndAnEndedOneIsGone() {
        let future = Self.markdown("LATER", .percentOff(30), from: "2026-12-01T00:00:00Z", to: "2026-12-10T00:00:00Z")
        let ended = Self.markdown("OVER", .percentOff(40), from: "2026-11-01T00:00:00Z", to: "2026-11-20T00:00:00Z")
        let announced = offer([future, ended])
        #expect(announced?.promotionID == "LATER" && announced?.salePrice == Self.money(1750) && announced?.start == Self.t("2026-12-01T00:00:00Z"))
        // A running one beats a deeper future one.
        #expect(offer([future, Self.markdown("NOW", .percentOff(10))])?.promotionID == "NOW")
        // At the end instant it has ended (the window's end is exclusive).
        #expect(offer([ended], now: Self.t("2026-11-20T00:00:00Z")) == nil)
        #expect(offer([ended], now: Self.t("2026-11-19T23:59:59Z"))?.promotionID == "OVER")
    }

    @Test func redemptionDecidesWhereItApplies() {
        let online = Self.markdown("WEB", .percentOff(20), redemption: .online)
        let store = Self.markdown("SHOP", .percentOff(10), redemption: .inStore)
        #expect(offer([online, store], inStore: false)?.promotionID == "WEB")
        #expect(offer([online, store], inStore: true)?.promotionID == "SHOP")
    }

    @Test(arguments: [
        (Promotion.AppliesTo.all, [String]()), (.sku, ["TEE-S"]), (.productID, ["TEE"]), (.productType, ["Apparel > Tops"]), (.brand, ["Northwind"]),
    ])
    func everyKindOfTargetReachesTheSKU(appliesTo: Promotion.AppliesTo, targets: [String]) {
        #expect(offer([Self.markdown("X", .percentOff(10), appliesTo: appliesTo, targets: targets)])?.promotionID == "X")
        if appliesTo != .all {
            #expect(offer([Self.markdown("X", .percentOff(10), appliesTo: appliesTo, targets: ["other"])]) == nil)
        }
    }

    @Test func codePromotionsAndArchivedOnesChangeNoPrice() {
        var code = Self.markdown("CODE", .percentOff(20))
        code.priceEffect = .none
        code.couponCode = "SAVE"
        var archived = Self.markdown("OLD", .percentOff(20))
        archived.status = .archived
        #expect(offer([code, archived]) == nil)
        #expect(Markdowns([code, archived]).isEmpty)
    }
}
