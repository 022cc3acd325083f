import Catalog
import Config
import Formats
import StorePort
import Testing

@Suite struct MoneyTests {
    let usd = Currency(code: "USD")!

    @Test(arguments: [
        ("25", 2500), ("25.5", 2550), ("25.00", 2500), ("0", 0), ("0.01", 1), (" 19.99 ", 1999), (".5", 50),
        ("12.500", 1250),  // trailing zeros beyond the currency's decimals are exact
    ])
    func parsesPlainDecimals(text: String, minor: Int64) throws {
        #expect(try Money.parse(text, currency: usd).minorUnits == minor)
    }

    @Test(arguments: [
        ("12,50", "',' is not a decimal separator here, expected a decimal amount with a '.' separator, e.g. 12.50"),
        ("1,234.50", "',' is not a decimal separator here, expected a decimal amount with a '.' separator, e.g. 12.50"),
        ("-5.00", "amount must not be negative"),
        ("abc", "not a number, expected a decimal amount with a '.' separator, e.g. 12.50"),
        ("$12", "not a number, expected a decimal amount with a '.' separator, e.g. 12.50"),
        ("1e3", "not a number, expected a decimal amount with a '.' separator, e.g. 12.50"),
        ("12.345", "USD has 2 decimal places; the amount has more"),
        ("1.2.3", "more than one '.', expected a decimal amount with a '.' separator, e.g. 12.50"),
        (".", "not a number, expected a decimal amount with a '.' separator, e.g. 12.50"),
    ])
    func refusesWhatItWouldHaveToGuess(text: String, message: String) {
        #expect(throws: ValueError(message)) { try Money.parse(text, currency: usd) }
    }

    @Test func minorUnitsFollowTheCurrency() throws {
        #expect(try Money.parse("1500", currency: Currency(code: "JPY")!).amountString == "1500")
        #expect(try Money.parse("1.5", currency: Currency(code: "KWD")!).amountString == "1.500")
        #expect(throws: ValueError("JPY has 0 decimal places; the amount has more")) {
            try Money.parse("1500.5", currency: Currency(code: "JPY")!)
        }
        #expect(Money(minorUnits: 2500, currency: usd).description == "25.00 USD")
        #expect(Money(minorUnits: 5, currency: usd).amountString == "0.05")
    }

    @Test func unknownCurrencyCodesAreRejected() throws {
        #expect(try Currency.parse("eur").code == "EUR")
        #expect(throws: ValueError("unknown currency, expected an ISO 4217 code such as USD or EUR")) {
            try Currency.parse("XYZ")
        }
        #expect(Currency(code: "US") == nil)
    }
}
