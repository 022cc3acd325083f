public import Catalog
import Crypto
public import Formats
public import Foundation

/// Reads `unifeed.toml` into `UnifeedConfig`. Unknown keys and bad values are errors that name the file
/// and line (DESIGN.md §3).
public enum ConfigLoader {
    /// Loads the config at `path`.
    public static func load(path: String) throws -> UnifeedConfig {
        guard FileAccess.problem(reading: path) == nil, let data = FileManager.default.contents(atPath: path) else {
            throw FileAccess.unreadable(path, what: "the config file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("the config file is not valid UTF-8", at: InputLocation(file: path, line: 1))
        }
        var config = try parse(text, file: path)
        config.digest = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return config
    }

    /// Parses config text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws -> UnifeedConfig {
        let table = try parseTOML(text, file: file)
        var config = UnifeedConfig()
        func fail(_ section: String?, _ key: String, _ message: String, found: String? = nil) -> InputError {
            InputError(
                message, at: InputLocation(file: file, line: line(of: key, in: section, text: text)),
                column: section.map { "\($0).\(key)" } ?? key, found: found)
        }
        func string(_ value: TOMLValue, _ section: String?, _ key: String) throws -> String {
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
                        if let unknown = WebURL.unknownPlaceholders(in: v).first {
                            throw fail(
                                "shop", k,
                                "unknown placeholder \(unknown) in the link template; the known ones are \(WebURL.placeholders.joined(separator: ", "))",
                                found: v)
                        }
                        _ = try checked("shop", k, WebURL.fill(template: v, productID: "p", sku: "s"), WebURL.validate)
                        config.shop.linkTemplate = v
                    case "image_base_url": config.shop.imageBaseURL = try checked("shop", k, v, WebURL.validate)
                    default: throw fail("shop", k, "unknown key in [shop]")
                    }
                }
            case "import":
                guard let section = value.table else { throw fail(nil, key, "expected an [import] table") }
                for k in section.keys.sorted() {
                    if k == "woocommerce", let woo = section[k]!.table {
                        for w in woo.keys.sorted() {
                            guard w == "headers", let headers = woo[w]!.table else {
                                throw fail("import.woocommerce", w, "unknown key in [import.woocommerce]; expected a [import.woocommerce.headers] table")
                            }
                            for localized in headers.keys.sorted() {
                                let english = try string(headers[localized]!, "import.woocommerce.headers", localized)
                                guard WooCommerceColumns.isKnown(english) else {
                                    throw fail(
                                        "import.woocommerce.headers", localized,
                                        "expected one of WooCommerce's English column names, such as Regular price, Attribute 1 name or Weight (kg)",
                                        found: english)
                                }
                                config.importing.wooCommerceHeaders[localized] = english
                            }
                        }
                        continue
                    }
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
            case "feeds":
                guard let feeds = value.table else { throw fail(nil, key, "expected a [feeds] table") }
                for k in feeds.keys.sorted() {
                    guard k == "max_drop_percent" else { throw fail("feeds", k, "unknown key in [feeds]") }
                    guard let n = feeds[k]!.int, (0...100).contains(n) else { throw fail("feeds", k, "expected a percentage from 0 to 100", found: "\(feeds[k]!)") }
                    config.feeds.maxDropPercent = n
                }
            case "orders":
                guard let orders = value.table else { throw fail(nil, key, "expected an [orders] table") }
                for k in orders.keys.sorted() {
                    guard k == "restock_refunds" else { throw fail("orders", k, "unknown key in [orders]") }
                    guard let b = orders[k]!.bool else { throw fail("orders", k, "expected true or false", found: "\(orders[k]!)") }
                    config.orders.restockRefunds = b
                }
            case "channels":
                guard let channels = value.table else { throw fail(nil, key, "expected [channels.NAME] tables") }
                for name in channels.keys.sorted() {
                    guard ChannelName.isValid(name), let section = channels[name]!.table else {
                        throw fail("channels", name, "channel names are [a-z0-9-]+ and each is a [channels.NAME] table")
                    }
                    config.channels[name] = try channelSettings(section, name: "channels.\(name)", currency: config.shop.currency, fail: fail)
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

    static func channelSettings(
        _ table: TOMLTable, name: String, currency: Currency, fail: (String?, String, String, String?) -> InputError
    ) throws -> ChannelSettings {
        var s = ChannelSettings()
        func int(_ k: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let n = table[k]?.int, range.contains(n) else {
                throw fail(name, k, "expected a whole number from \(range.lowerBound) to \(range.upperBound)", "\(table[k].map { "\($0)" } ?? "")")
            }
            return n
        }
        func strings(_ k: String) throws -> [String] {
            guard let array = table[k]?.array else { throw fail(name, k, "expected a list of strings", nil) }
            return try array.map { v in
                guard let s = v.string else { throw fail(name, k, "expected a list of strings", "\(v)") }
                return s
            }
        }
        for k in table.keys.sorted() {
            switch k {
            case "enabled":
                guard let b = table[k]?.bool else { throw fail(name, k, "expected true or false", nil) }
                s.enabled = b
            case "safety_stock": s.safetyStock = try int(k, 0...1_000_000_000)
            case "max_quantity": s.maxQuantity = try int(k, 0...1_000_000_000)
            case "untracked_quantity": s.untrackedQuantity = try int(k, 0...1_000_000_000)
            case "allow_store_price":
                guard let b = table[k]?.bool else { throw fail(name, k, "expected true or false", nil) }
                s.allowStorePrice = b
            case "share": s.share = try int(k, 0...100)
            case "stock_location":
                guard let v = table[k]?.string else { throw fail(name, k, "expected online or a store_code", nil) }
                s.stockLocation = v
            case "include_product_types": s.includeProductTypes = try strings(k)
            case "exclude_product_types": s.excludeProductTypes = try strings(k)
            case "include_brands": s.includeBrands = try strings(k)
            case "exclude_brands": s.excludeBrands = try strings(k)
            case "exclude_custom":
                s.excludeCustom = try strings(k)
                for pair in s.excludeCustom where !pair.contains("=") { throw fail(name, k, "expected NAME=VALUE pairs", pair) }
            case "header_style":
                guard let v = table[k]?.string, ["underscores", "spaces"].contains(v) else {
                    throw fail(name, k, "expected underscores or spaces", nil)
                }
                s.headerSpaces = v == "spaces"
            case "custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4":
                guard let v = table[k]?.string, v.hasPrefix("custom.") || ["brand", "product_type", "condition"].contains(v) else {
                    throw fail(name, k, "expected custom.NAME, brand, product_type or condition", nil)
                }
                s.customLabels[Int(String(k.last!))!] = v
            case "shipping":
                guard let array = table[k]?.array else { throw fail(name, k, "expected [[\(name).shipping]] tables", nil) }
                for entry in array {
                    guard let t = entry.table, let country = t["country"]?.string, let priceText = t["price"]?.string else {
                        throw fail(name, k, "a shipping rate needs country and price (\"4.95\" in the shop currency)", nil)
                    }
                    let price: Money
                    do { price = try Money.parse(priceText, currency: currency) } catch { throw fail(name, k, error.message, priceText) }
                    s.shipping.append(
                        ShippingRate(
                            country: country, region: t["region"]?.string, service: t["service"]?.string, price: price,
                            minTransitDays: t["min_transit_days"]?.int, maxTransitDays: t["max_transit_days"]?.int))
                }
            case "tax":
                guard let array = table[k]?.array else { throw fail(name, k, "expected [[\(name).tax]] tables", nil) }
                for entry in array {
                    guard let t = entry.table, let country = t["country"]?.string, let rate = t["rate"]?.string else {
                        throw fail(name, k, "a tax rule needs country and rate (\"8.75\")", nil)
                    }
                    s.tax.append(TaxRule(country: country, region: t["region"]?.string, rate: rate, taxShip: t["tax_ship"]?.bool ?? false))
                }
            case "seller_id", "marketplace_id", "language_tag", "site_id", "location", "postal_code", "shipping_profile", "return_profile",
                "payment_profile", "business_unit":
                guard let v = table[k]?.string, !v.isEmpty else { throw fail(name, k, "expected a non-empty string", "\(table[k]!)") }
                switch k {
                case "seller_id": s.marketplace.sellerID = v
                case "marketplace_id": s.marketplace.marketplaceID = v
                case "language_tag": s.marketplace.languageTag = v
                case "site_id": s.marketplace.siteID = v
                case "location": s.marketplace.location = v
                case "postal_code": s.marketplace.postalCode = v
                case "shipping_profile": s.marketplace.shippingProfile = v
                case "return_profile": s.marketplace.returnProfile = v
                case "payment_profile": s.marketplace.paymentProfile = v
                default: s.marketplace.businessUnit = v
                }
            case "lead_time_days": s.marketplace.leadTimeDays = try int(k, 0...365)
            case "product_types", "categories":
                guard let map = table[k]?.table else {
                    throw fail(name, k, "expected a table of \"product type prefix\" = \"marketplace value\"", nil)
                }
                for prefix in map.keys {
                    guard let value = map[prefix]?.string ?? map[prefix]?.int.map(String.init), !value.isEmpty else {
                        throw fail("\(name).\(k)", prefix, "expected a string (the marketplace's product type or category id)", "\(map[prefix]!)")
                    }
                    s.marketplace.categories[prefix] = value
                }
            case "size_attributes":
                guard let map = table[k]?.table else {
                    throw fail(name, k, "expected a table of \"Walmart product type\" = \"attribute\" (clothingSize, shoeSize, size or \"\")", nil)
                }
                for type in map.keys {
                    guard let value = map[type]?.string, ["clothingSize", "shoeSize", "size", ""].contains(value) else {
                        throw fail("\(name).\(k)", type, "expected clothingSize, shoeSize, size or \"\" (leave the size out)", "\(map[type]!)")
                    }
                    s.marketplace.sizeAttributes[type] = value
                }
            default:
                throw fail(name, k, "unknown key in [\(name)]", nil)
            }
        }
        return s
    }

    /// Parses TOML text; a syntax error names the file and line.
    public static func parseTOML(_ text: String, file: String) throws -> TOMLTable {
        do {
            return try TOMLReader.parse(text)
        } catch {
            throw InputError("invalid TOML: \(error.message)", at: InputLocation(file: file, line: error.line))
        }
    }

    /// Where `[section]` (or the key `key` in it) is written in the config file at `path` (line 1 when
    /// the file cannot be read or it is not found).
    public static func location(ofKey key: String, in section: String?, file path: String) -> InputLocation {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return InputLocation(file: path, line: line(of: key, in: section, text: text))
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
                // The table itself, or one under it (`[chanels.google]` for an unknown key `chanels`).
                let full = section.map({ "\($0).\(key)" }) ?? key
                if let current, current == full || current.hasPrefix(full + ".") { candidates.append(i + 1) }
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
