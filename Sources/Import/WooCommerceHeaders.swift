public import Config
public import Formats
import Foundation

/// WooCommerce exports its column headers in the shop's language (`Typ,Artikelnummer,Name,…,Regulärer
/// Preis`); WooCommerce's own importer maps them back through its translations, and so does this.
///
/// The built-in tables (`WooCommerceTranslations.swift`) hold WooCommerce's official translations of
/// the exporter's column names for de_DE, fr_FR, es_ES, it_IT, nl_NL, pt_BR, pl_PL, ru_RU and sv_SE;
/// `[import.woocommerce.headers]` adds or overrides names for any other language. The language whose
/// table names the most columns is the file's; its names become aliases of the English ones, so the
/// mapper reads the English names and messages still name the columns as the file writes them.
public enum WooCommerceHeaders {
    /// One language's translations: English msgid → localized msgstr.
    struct Language {
        let locale: String
        let source: String
        let strings: [String: String]
    }

    /// A language's names ready to match: exact names and numbered or unit names (`Attribut %d Name`).
    struct Table {
        var locale: String
        /// Normalized localized name → English name.
        var exact: [String: String] = [:]
        /// Localized pattern (normalized) → English pattern.
        var patterns: [(localized: String, english: String)] = []

        func english(for name: String) -> String? {
            let key = WooCommerceHeaders.normalized(name)
            if let english = exact[key] { return english }
            for (localized, english) in patterns {
                if let value = WooCommerceColumns.fill(localized, key) {
                    return english.replacingOccurrences(of: english.contains("%d") ? "%d" : "%s", with: value)
                }
            }
            return nil
        }
    }

    /// The built-in languages, one table per locale (a locale's older wordings merged in).
    static let tables: [Table] = {
        var byLocale: [String: Table] = [:]
        var order: [String] = []
        for language in builtIn {
            if byLocale[language.locale] == nil { order.append(language.locale) }
            var table = byLocale[language.locale] ?? Table(locale: language.locale)
            for (english, localized) in language.strings.sorted(by: { $0.key < $1.key })
            where WooCommerceColumns.names.contains(english) || WooCommerceColumns.patterns.contains(english) {
                if english.contains("%") {
                    table.patterns.append((normalized(localized), english))
                } else {
                    table.exact[normalized(localized)] = english
                }
            }
            byLocale[language.locale] = table
        }
        return order.map { byLocale[$0]! }
    }()

    /// `In stock?` values in every built-in language (`Vorrätig`, `Nicht vorrätig`, `Lieferrückstand`),
    /// normalized, with the status each means.
    static let stockStatusWords: [String: WooStockStatus] = {
        var words: [String: WooStockStatus] = [:]
        for language in builtIn {
            if let s = language.strings["In stock"] { words[normalized(s)] = .inStock }
            if let s = language.strings["Out of stock"] { words[normalized(s)] = .outOfStock }
            if let s = language.strings["On backorder"] { words[normalized(s)] = .backorder }
        }
        return words
    }()

    /// Lower case, typographic apostrophes as `'`, no-break and other blanks as one space, trimmed:
    /// the official French strings put a no-break space before `?`, two strings end with a space, and a
    /// spreadsheet round trip may change either.
    static func normalized(_ name: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in name.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{FEFF}" {
                pendingSpace = !out.isEmpty
                continue
            }
            if pendingSpace {
                out.append(" ")
                pendingSpace = false
            }
            switch scalar {
            case "\u{2019}", "\u{2018}", "\u{02BC}": out.append("'")
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out.lowercased()
    }

    /// The header with its localized names answering to WooCommerce's English ones, and the language
    /// recognized (`nil` when no built-in table names at least two columns; the config's names still
    /// apply). Columns the file already names in English keep their own.
    public static func localize(_ header: Header, extra: [String: String]) -> (header: Header, locale: String?) {
        var best: (table: Table, count: Int)?
        for table in tables {
            let count = header.names.count { name in
                guard let english = table.english(for: name) else { return false }
                return normalized(english) != normalized(name)
            }
            if count >= 2, count > (best?.count ?? 0) { best = (table, count) }
        }
        let configured = Dictionary(extra.map { (normalized($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
        var aliases: [String: Int] = [:]
        for (i, name) in header.names.enumerated() {
            guard let english = configured[normalized(name)] ?? best?.table.english(for: name) else { continue }
            guard header.column(english) == nil, aliases[english] == nil else { continue }
            aliases[english] = i
        }
        guard !aliases.isEmpty else { return (header, nil) }
        return (Header(header.names, file: header.file, aliases: aliases), best?.table.locale)
    }

    /// Attribute names that mean color and size, in English and the built-in languages (attribute names
    /// are the shop's own words, not WooCommerce's strings: these are the common ones), and WooCommerce's
    /// global attribute slugs `pa_color` / `pa_size`.
    static let colorNames: Set<String> = ["color", "colour", "pa_color", "pa_colour", "farbe", "couleur", "colore", "kleur", "cor", "kolor", "цвет", "färg"]
    static let sizeNames: Set<String> = [
        "size", "pa_size", "größe", "groesse", "grösse", "taille", "talla", "tamaño", "taglia", "maat", "tamanho", "rozmiar", "размер", "storlek",
    ]

    /// The status an `In stock?` cell gives: `1`/`0` and `backorder` as WooCommerce's exporter writes
    /// them, WooCommerce's own status names (`instock`, `outofstock`, `onbackorder`, "In stock", …) in
    /// English and in the built-in languages, and yes/no/true/false.
    public static func stockStatus(_ cell: String) -> WooStockStatus? {
        let key = normalized(cell)
        switch key {
        case "1", "yes", "true", "instock", "in stock", "in_stock": return .inStock
        case "0", "no", "false", "outofstock", "out of stock", "out_of_stock": return .outOfStock
        case "backorder", "onbackorder", "on backorder", "backorders", "on_backorder": return .backorder
        default: return stockStatusWords[key]
        }
    }
}

/// WooCommerce's stock status (`In stock?`).
public enum WooStockStatus: Sendable {
    case inStock, outOfStock, backorder
}
