import Catalog
import Formats
import Foundation
import Testing

/// Readers asked for a few values of large records (audit reads back a handful of columns of each
/// published row): the rest is parsed and checked, not made.
@Suite struct PartialReadTests {
    @Test func csvKeepsOnlyTheColumnsAskedFor() throws {
        let text = "id,title,price\n1,\"a long, quoted title\",9.99\n2,\"two\nlines\",1.00\n"
        let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), file: "t.csv")
        #expect(try reader.next())
        #expect(reader.fields == ["id", "title", "price"], "the header is read whole")
        reader.keptColumns = [0, 2]
        #expect(try reader.next())
        #expect(reader.fields == ["1", "", "9.99"] && reader.line == 2)
        #expect(try reader.next())
        #expect(reader.fields == ["2", "", "1.00"] && reader.line == 3, "a quoted line break in a left-out field still counts")
        #expect(try !reader.next())
    }

    @Test func aLeftOutFieldStillCountsAgainstTheLimits() throws {
        var limits = CSVLimits()
        limits.maxRecordBytes = 64
        let text = "id,title\n1," + String(repeating: "x", count: 100) + "\n"
        let reader = try CSVReader(source: MemoryByteSource(Array(text.utf8)), file: "t.csv", limits: limits)
        #expect(try reader.next())
        reader.keptColumns = [0]
        #expect(throws: InputError.self) { try reader.next() }
    }

    @Test func jsonMakesOnlyTheMembersAskedFor() throws {
        let text = #"{"sku":"A-1","attributes":{"item_name":[{"value":"Big \"quoted\" title\u00e9"}],"price":[{"value":12.5,"n":[1,{"x":null}]}]},"tags":["x","y"]}"#
        let node = try JSONReader.parse(Array(text.utf8), file: "t.json", onlyMembers: ["sku", "attributes", "price", "value"])
        #expect(node["sku"]?.string == "A-1")
        #expect(node["attributes"]?["item_name"] == nil, "left out")
        #expect(node["attributes"]?["price"]?.array?.first?["value"]?.numberText == "12.5")
        #expect(node["attributes"]?["price"]?.array?.first?["n"] == nil && node["tags"] == nil)
        // The whole document reads as before without the option.
        let whole = try JSONReader.parse(Array(text.utf8), file: "t.json")
        #expect(whole["attributes"]?["item_name"]?.array?.first?["value"]?.string == "Big \"quoted\" titleé")
    }

    @Test(arguments: [
        #"{"sku":"A","t":"unclosed}"#, #"{"sku":"A","t":"bad \q escape"}"#, "{\"sku\":\"A\",\"t\":\"raw \u{1} control\"}", #"{"sku":"A","t":"\u12"}"#,
        #"{"sku":"A","t":[1,2}"#, #"{"sku":"A","t":{"a" 1}}"#, #"{"sku":"A","t":01}"#, #"{"sku":"A","t":tru}"#,
        #"{"sku":"A","t":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
    ])
    func aLeftOutMemberIsStillChecked(_ text: String) {
        #expect(throws: InputError.self) { try JSONReader.parse(Array(text.utf8), file: "t.json", onlyMembers: ["sku"]) }
    }
}
