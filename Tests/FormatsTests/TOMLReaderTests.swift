import Formats
import Testing

/// The TOML reader: the TOML 1.0 the config and templates use, and a line for every problem.
@Suite struct TOMLReaderTests {
    @Test func readsTablesArraysOfTablesDottedKeysAndInlineTables() throws {
        let table = try TOMLReader.parse(
            """
            # comment
            version = 1
            site."sub key".x = 'literal \\n'
            [shop]
            name = "Example \\"Outfitters\\" \\u00e9\\U0001F600"   # trailing comment
            [[channels.google.shipping]]
            country = "US"
            price = "4.95"
            [[channels.google.shipping]]
            country = "CA"
            [channels.google.product_types]
            "Apparel > Tops" = "SHIRT"
            [outputs]
            columns = ["id", { header = "stock", field = "availability", values = { in_stock = "yes" } },
              "price",   # a comment inside the array
            ]
            numbers = [1_000, -2, 0x1F, 0o17, 0b101, 1.5, 6e2, inf, true, 1979-05-27T07:32:00Z, 1979-05-27 07:32:00]
            text = \"\"\"
            first \\
              same line
            second\"\"\"
            """)
        #expect(table["version"]?.int == 1)
        #expect(table["site"]?.table?["sub key"]?.table?["x"]?.string == "literal \\n")
        #expect(table["shop"]?.table?["name"]?.string == "Example \"Outfitters\" é😀")
        let shipping = try #require(table["channels"]?.table?["google"]?.table?["shipping"]?.array)
        #expect(shipping.compactMap { $0.table?["country"]?.string } == ["US", "CA"])
        #expect(table["channels"]?.table?["google"]?.table?["product_types"]?.table?["Apparel > Tops"]?.string == "SHIRT")
        let columns = try #require(table["outputs"]?.table?["columns"]?.array)
        #expect(columns.count == 3 && columns[1].table?["values"]?.table?["in_stock"]?.string == "yes")
        let numbers = try #require(table["outputs"]?.table?["numbers"]?.array)
        #expect(numbers.prefix(5).compactMap(\.int) == [1000, -2, 31, 15, 5])
        #expect(numbers[8].bool == true && "\(numbers[9])" == "1979-05-27T07:32:00Z" && "\(numbers[10])" == "1979-05-27 07:32:00")
        #expect(table["outputs"]?.table?["text"]?.string == "first same line\nsecond")
    }

    @Test(arguments: [
        ("a = 1\na = 2\n", 2, "the key a is set twice"),
        ("[t]\n[t]\n", 2, "the table [t] is defined twice"),
        ("a = 1\n[a]\n", 2, "a is already a value, not a table"),
        ("a = {b = 1}\n[a.c]\n", 2, "a is an inline table and cannot be extended"),
        ("a = \"open\n", 1, "a string is not closed on its line"),
        ("a = \"\"\"\nnever closed\n", 3, "a multi-line string is not closed"),
        ("a = \"\\q\"\n", 1, "an unknown escape in a string"),
        ("a = 007\n", 1, "leading zeros in a number"),
        ("a = 1__0\n", 1, "misplaced '_' in a number"),
        ("a = word\n", 1, "expected a value: strings need quotes"),
        ("a = [1, 2\n", 2, "expected ',' or ']' in an array"),
        ("a = {b = 1\n", 1, "expected ',' or '}' in an inline table (on one line)"),
        ("[a\n", 1, "expected ']' to close the table header"),
        ("a = 1 b = 2\n", 1, "expected the end of the line"),
        ("a = \"\u{1}\"\n", 1, "a control character in a string"),
    ])
    func malformedTOMLNamesItsLine(text: String, line: Int, message: String) {
        do {
            _ = try TOMLReader.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line && error.message == message, "\(error.line): \(error.message)")
        }
    }

    @Test func nestingIsBounded() {
        let deep = "a = " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"
        #expect(throws: TOMLReader.Problem.self) { try TOMLReader.parse(deep) }
    }
}
