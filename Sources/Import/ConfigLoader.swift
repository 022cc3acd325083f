import Catalog
import Foundation
import TOMLKit

/// Reads `unifeed.toml` into `UnifeedConfig`. Unknown keys and bad values are errors that name the file
/// and line (DESIGN.md §3).
public enum ConfigLoader {
    /// Loads the config at `path`.
    public static func load(path: String) throws -> UnifeedConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError("cannot read the config file", at: InputLocation(file: path, line: 0))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("the config file is not valid UTF-8", at: InputLocation(file: path, line: 1))
        }
        return try parse(text, file: path)
    }

    /// Parses config text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> UnifeedConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw InputError("invalid TOML: \(error.description)", at: InputLocation(file: file, line: error.source.begin.line))
        }
        var config = UnifeedConfig()
        func fail(_ section: String?, _ key: String, _ message: String, found: String? = nil) -> InputError {
            InputError(message, at: InputLocation(file: file, line: line(of: key, in: section, text: text)),
                       column: section.map { "\($0).\(key)" } ?? key, found: found)
        }
        func string(_ value: any TOMLValueConvertible, _ section: String?, _ key: String) throws -> String {
            guard let s = value.string else { throw fail(section, key, "expected a string", found: "\(value)") }
            return s
        }
        for key in table.keys.sorted() {
            let value = table[key]!
            switch key {
            case "version":
                guard value.int == 1 else { throw fail(nil, key, "unsupported config version, expected 1", found: "\(value)") }
            case "templates_dir":
                config.templatesDir = try string(value, nil, key)
            case "shop":
                guard let shop = value.table else { throw fail(nil, key, "expected a [shop] table") }
                for k in shop.keys.sorted() {
                    let v = try string(shop[k]!, "shop", k)
                    switch k {
                    case "name": config.shop.name = v
                    case "url": config.shop.url = try checked("shop", k, v, WebURL.validate)
                    case "country": config.shop.country = try checked("shop", k, v, StoreLocation.validateCountry)
                    case "currency": config.shop.currency = try checked("shop", k, v, Currency.parse)
                    case "timezone":
                        guard let zone = TimeZone(identifier: v) else {
                            throw fail("shop", k, "unknown time zone, expected an IANA name such as America/New_York", found: v)
                        }
                        config.shop.timeZone = zone
                    case "link_template":
                        _ = try checked("shop", k, WebURL.fill(template: v, productID: "p", sku: "s"), WebURL.validate)
                        config.shop.linkTemplate = v
                    case "image_base_url": config.shop.imageBaseURL = try checked("shop", k, v, WebURL.validate)
                    default: throw fail("shop", k, "unknown key in [shop]")
                    }
                }
            case "import":
                guard let section = value.table else { throw fail(nil, key, "expected an [import] table") }
                for k in section.keys.sorted() {
                    guard k == "akeneo", let akeneo = section[k]!.table else { throw fail("import", k, "unknown key in [import]") }
                    for a in akeneo.keys.sorted() {
                        let v = try string(akeneo[a]!, "import.akeneo", a)
                        switch a {
                        case "locale": config.importing.akeneoLocale = v
                        case "channel": config.importing.akeneoChannel = v
                        case "currency": config.importing.akeneoCurrency = try checked("import.akeneo", a, v, Currency.parse)
                        default: throw fail("import.akeneo", a, "unknown key in [import.akeneo]")
                        }
                    }
                }
            default:
                throw fail(nil, key, "unknown key")
            }
        }
        return config

        func checked<T>(_ section: String, _ key: String, _ value: String, _ parse: (String) throws(ValueError) -> T) throws -> T {
            do { return try parse(value) } catch { throw fail(section, key, error.message, found: value) }
        }
    }

    /// The line where `key` is set in `section` (`nil` for the top level), found in the text because the
    /// TOML parser keeps no positions for keys; 1 when not found.
    static func line(of key: String, in section: String?, text: String) -> Int {
        var current: String? = nil
        var candidates: [Int] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: " ")
            if line.hasPrefix("[") {
                current = String(line.drop { $0 == "[" }.prefix { $0 != "]" }).replacingOccurrences(of: " ", with: "")
                if current == section.map({ "\($0).\(key)" }) ?? key { candidates.append(i + 1) }
                continue
            }
            let name = line.prefix { $0 != "=" }.trimmingCharacters(in: " ").replacingOccurrences(of: "\"", with: "")
            if current == section && name == key { return i + 1 }
        }
        return candidates.first ?? 1
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in character: Character) -> String {
        String(self.drop { $0 == character || $0 == "\t" }.reversed().drop { $0 == character || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
