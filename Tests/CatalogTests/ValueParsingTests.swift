import Catalog
import Config
import Formats
import StorePort
import Testing

@Suite struct ValueParsingTests {
    @Test func vocabulariesAreCaseInsensitiveAndListWhatTheyAccept() throws {
        #expect(try Condition.parse("NEW") == .new)
        #expect(try Gender.parse(" Female ") == .female)
        #expect(try AgeGroup.parse("Kids") == .kids)
        #expect(try SizeSystem.parse("us") == .us)
        #expect(try PickupMethod.parse("ship to store") == .shipToStore)
        #expect(try PickupSLA.parse("next_day") == .nextDay)
        #expect(try PickupSLA.parse("2_day") == .twoDay)
        #expect(throws: ValueError("unknown condition, expected one of: new, refurbished, used")) { try Condition.parse("brand-new") }
        #expect(throws: ValueError("unknown gender, expected one of: male, female, unisex")) { try Gender.parse("men") }
    }

    @Test(arguments: [("0.3 kg", "0.3 kg"), ("250 g", "250 g"), ("1.2 lbs", "1.2 lb"), ("8oz", "8 oz"), (" 2 KG ", "2 kg")])
    func weights(text: String, canonical: String) throws {
        #expect(try Weight.parse(text).description == canonical)
    }

    @Test(arguments: ["12", "kg", "1.2.3 kg", "1,2 kg", "3 stone"])
    func weightsNeedANumberAndAUnit(text: String) {
        #expect(throws: ValueError("expected a number and a unit (g, kg, lb, oz), e.g. 0.3 kg")) { try Weight.parse(text) }
    }

    @Test func urls() throws {
        #expect(try WebURL.validate("https://shop.example/p/1?x=1") == "https://shop.example/p/1?x=1")
        #expect(try WebURL.validate("HTTP://localhost:8080/x") == "HTTP://localhost:8080/x")
        #expect(throws: ValueError("URL scheme must be http or https")) { try WebURL.validate("ftp://shop.example/x") }
        #expect(throws: ValueError("expected an absolute http(s) URL such as https://shop.example/p/1")) { try WebURL.validate("/p/1") }
        #expect(throws: ValueError("URL has no host name")) { try WebURL.validate("https:///p") }
        #expect(throws: ValueError("URL must not contain spaces or control characters (encode them as %20)")) {
            try WebURL.validate("https://shop.example/a b.jpg")
        }
    }

    @Test func relativeImagesResolveAgainstTheBase() throws {
        #expect(try WebURL.resolveImage("img/a.jpg", base: "https://cdn.example/") == "https://cdn.example/img/a.jpg")
        #expect(try WebURL.resolveImage("/img/a.jpg", base: "https://cdn.example") == "https://cdn.example/img/a.jpg")
        #expect(try WebURL.resolveImage("//cdn.other.example/a.jpg", base: nil) == "https://cdn.other.example/a.jpg")
        #expect(throws: ValueError("relative image path needs image_base_url in the config [shop] section")) {
            try WebURL.resolveImage("img/a.jpg", base: nil)
        }
    }

    @Test func linkTemplatesEncodeTheirValues() {
        #expect(
            WebURL.fill(template: "https://s.example/products/{handle}?variant={sku}", productID: "tee 1", sku: "A/B")
                == "https://s.example/products/tee%201?variant=A%2FB")
        #expect(WebURL.fill(template: "https://s.example/{product_id}/{x}", productID: "p", sku: "s") == "https://s.example/p/{x}")
        // Non-ASCII values are encoded byte by byte; a brace at the end, or an unclosed one, stays as written.
        #expect(WebURL.fill(template: "https://s.example/ü/{sku}{", productID: "p", sku: "é~_.-") == "https://s.example/ü/%C3%A9~_.-{")
        #expect(WebURL.fill(template: "https://s.example/{sku", productID: "p", sku: "s") == "https://s.example/{sku")
        #expect(WebURL.fill(template: "{sku}{handle}{product_id}", productID: "P 1", sku: "S") == "SP%201P%201")
    }

    @Test func errorLinesHaveTheFixedShape() {
        let error = InputError("amount must not be negative", at: InputLocation(file: "catalog.csv", line: 7), column: "price", found: "-5.00")
        #expect(error.description == "catalog.csv:7: error: price: amount must not be negative (found: -5.00)")
        let warning = InputError("unknown column, ignored", at: InputLocation(file: "c.csv", line: 1), column: "colour", severity: .warning)
        #expect(warning.description == "c.csv:1: warning: colour: unknown column, ignored")
        let rowLevel = InputError("expected 3 fields as in the header, found 2", at: InputLocation(file: "c.csv", line: 4))
        #expect(rowLevel.description == "c.csv:4: error: expected 3 fields as in the header, found 2")
    }

    @Test func foundValuesAreCutAndEscaped() {
        #expect(InputError.displayValue("a\nb\tc\0d\u{7}") == "a\\nb\\tc\\0d\\u{7}")
        let long = String(repeating: "x", count: 100)
        #expect(InputError.displayValue(long) == String(repeating: "x", count: 80) + "…")
        #expect(InputError.displayValue("café ☕️") == "café ☕️")
    }

    @Test func jsonEscapesAndKeepsKeyOrder() {
        let value: JSONValue = .object([("b", "x\"y\\z\n\u{1}"), ("a", .array([1, .null, .bool(true)]))])
        #expect(value.serialized() == #"{"b":"x\"y\\z\n\u0001","a":[1,null,true]}"#)
    }
}
