import Testing

@testable import Feeds

/// The eBay writer sets a row's fields by column: each `Column` names the header at its place.
@Suite struct EbayColumnTests {
    @Test func everyColumnNamesItsHeader() {
        let headers = EbayFileExchangeWriter.Column.allCases.map { EbayFileExchangeWriter.columns[$0.rawValue] }
        #expect(headers == Array(EbayFileExchangeWriter.columns.dropFirst()))
        #expect(EbayFileExchangeWriter.columns.first == "ItemID")
    }
}
