public import Foundation
import Mustache

/// The dashboard's templates, stylesheet and script, embedded at build time from `dashboard/` (like the
/// channel templates): every page is a mustache template that extends `layout`, and mustache escapes
/// every `{{value}}` for HTML, so a title such as `<script>` shows as text. Only the server-drawn SVG
/// charts (`SVGChart`, which escapes its own text) go in unescaped.
public struct DashboardTemplates: Sendable {
    let library: MustacheLibrary

    public init() throws {
        var library = MustacheLibrary()
        for file in EmbeddedFiles.files where file.name.hasSuffix(".mustache") {
            try library.register(file.text, named: String(file.name.dropLast(".mustache".count)))
        }
        self.library = library
    }

    /// The HTML of `page` (a template name: `health`, `products`…) with `chrome` and the page's values.
    public func render(_ page: String, chrome: PageChrome, _ values: [String: Any]) -> String {
        var context = chrome.context
        for (key, value) in values { context[key] = value }
        return library.render(context, withTemplate: page) ?? ""
    }

    /// A static asset by name (`dashboard.css`, `dashboard.js`) with its content type.
    public static func asset(_ name: String) -> (text: String, contentType: String)? {
        guard name == "dashboard.css" || name == "dashboard.js", let file = EmbeddedFiles.files.first(where: { $0.name == name }) else {
            return nil
        }
        return (file.text, name.hasSuffix(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8")
    }
}

/// What every page shows around its content: the navigation, who is signed in, the form token.
public struct PageChrome: Sendable {
    public enum Section: String, CaseIterable, Sendable {
        case health = "/"
        case diagnostics = "/diagnostics"
        case products = "/products"
        case stock = "/stock"
        case orders = "/orders"
        case runs = "/runs"

        var label: String {
            switch self {
            case .health: "Feed health"
            case .diagnostics: "Diagnostics"
            case .products: "Products"
            case .stock: "Stock"
            case .orders: "Orders"
            case .runs: "Runs"
            }
        }
    }

    /// The signed-in token's name (`nil`: the sign-in page).
    public var user: String?
    public var admin: Bool
    /// The session's CSRF token, put in every form that changes something.
    public var csrf: String
    public var section: Section?
    public var notice: String?
    public var version: String
    /// The store's location, as `--db` gave it.
    public var store: String
    /// The moment the page was made (ISO 8601).
    public var now: String

    public init(user: String?, admin: Bool, csrf: String, section: Section?, notice: String? = nil, version: String, store: String, now: String) {
        self.user = user
        self.admin = admin
        self.csrf = csrf
        self.section = section
        self.notice = notice
        self.version = version
        self.store = store
        self.now = now
    }

    var context: [String: Any] {
        var c: [String: Any] = [
            "admin": admin, "csrf": csrf, "version": version, "store": store, "now": now,
            "nav": user == nil ? [] : Section.allCases.map { ["href": $0.rawValue, "label": $0.label, "current": $0 == section] as [String: Any] },
        ]
        if let user { c["user"] = user }
        if let notice { c["notice"] = notice }
        return c
    }
}
