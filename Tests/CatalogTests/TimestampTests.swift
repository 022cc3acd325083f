import Catalog
import Config
import Formats
import Foundation
import StorePort
import Testing

@Suite struct TimestampTests {
    let newYork = TimeZone(identifier: "America/New_York")!
    let utc = TimeZone(identifier: "UTC")!

    @Test(arguments: [
        ("2026-11-20", "2026-11-20T05:00:00Z"),  // a date is midnight in the shop's zone
        ("2026-11-20T09:30", "2026-11-20T14:30:00Z"),
        ("2026-11-20T09:30:15", "2026-11-20T14:30:15Z"),
        ("2026-11-20 09:30:15", "2026-11-20T14:30:15Z"),  // WooCommerce's form
        ("2026-07-01T00:00", "2026-07-01T04:00:00Z"),  // summer time
        ("2026-11-20T00:00:00-05:00", "2026-11-20T05:00:00Z"),
        ("2026-11-20T00:00:00+0100", "2026-11-19T23:00:00Z"),
        ("2026-11-20T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("2026-11-20T00:00:00.250Z", "2026-11-20T00:00:00Z"),
        ("2024-02-29", "2024-02-29T05:00:00Z"),
    ])
    func parsesISO8601InTheShopZone(text: String, utcText: String) throws {
        #expect(try Timestamp.parse(text, timeZone: newYork).iso8601UTC == utcText)
    }

    @Test func aDateOnlyEndRunsThroughTheWholeDay() throws {
        let end = try Timestamp.parse("2026-11-30", timeZone: newYork, endOfDay: true)
        #expect(end.iso8601(in: newYork) == "2026-12-01T00:00:00-05:00")
        #expect(try Timestamp.parse("2026-11-30T12:00", timeZone: newYork, endOfDay: true).iso8601UTC == "2026-11-30T17:00:00Z")
    }

    @Test(arguments: [
        "31/12/2026", "2026-13-01", "2026-02-30", "2025-02-29", "Nov 20 2026", "2026-11-20T25:00",
        "2026-11-20T10:00+15:00", "20261120", "2026-11-20Z", "",
    ])
    func refusesUnclearDates(text: String) {
        #expect(throws: ValueError.self) { try Timestamp.parse(text, timeZone: newYork) }
    }

    @Test func formatsWithTheZoneOffset() throws {
        let t = try Timestamp.parse("2026-11-20T00:00:00-05:00", timeZone: utc)
        #expect(t.iso8601(in: newYork) == "2026-11-20T00:00:00-05:00")
        #expect(t.iso8601(in: newYork, seconds: false) == "2026-11-20T00:00-05:00")
        #expect(t.iso8601(in: utc) == "2026-11-20T05:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: -86_400).iso8601UTC == "1969-12-31T00:00:00Z")
    }
}
