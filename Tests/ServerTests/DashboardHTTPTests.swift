import Foundation
import StoreTestSupport
import Testing
import UnifeedTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A browser's side of the dashboard over a real server on the samples: cookies by hand.
final class Browser {
    let server: ServerProcess
    var cookies: [String: String] = [:]

    init(_ server: ServerProcess) { self.server = server }

    var cookieHeader: [(String, String)] {
        cookies.isEmpty ? [] : [("Cookie", cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))]
    }

    @discardableResult
    func send(_ method: String, _ path: String, form: [(String, String)]? = nil, raw: [UInt8]? = nil) throws -> HTTPReply {
        var headers = cookieHeader
        var body: [UInt8] = []
        if let form {
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Array(form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&").utf8)
        }
        if let raw { body = raw }
        let reply = try server.request(method, path, headers: headers, body: body)
        for cookie in reply.headers("Set-Cookie") {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            if cookie.contains("Max-Age=0") { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return reply
    }

    static func hidden(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    func signIn(_ token: String) throws -> HTTPReply {
        let page = try send("GET", "/signin")
        let csrf = try #require(Self.hidden("csrf", in: page.text))
        return try send("POST", "/signin", form: [("csrf", csrf), ("token", token)])
    }

    /// The session's CSRF token, from any page with a form.
    func csrf() throws -> String { try #require(Self.hidden("csrf", in: try send("GET", "/").text)) }
}

@Suite(
    .serialized, .enabled(if: Requirements.serverBuilt, "the unifeed binary was built without the Server trait (--disable-default-traits)"),
    .enabled(if: Requirements.executable("/usr/bin/sqlite3"), "reads the database through the sqlite3 shell")
)
struct DashboardHTTPTests {
    func publishes(_ s: SampleServer) throws -> Int {
        Int(try s.cli.sql("SELECT count(*) FROM publish_log")) ?? -1
    }

    @Test(arguments: StoreKind.tested) func signInSessionsCSRFAndRevocation(_ store: StoreKind) throws {
        let s = try SampleServer(on: store)
        let b = Browser(s.server)
        // No session: every page sends the browser to the sign-in page; the API's token does not open it.
        for path in ["/", "/diagnostics", "/products", "/products/TEE-CLS-BLK-S", "/stock", "/orders", "/runs"] {
            let reply = try b.send("GET", path)
            #expect(reply.status == 303 && reply.header("Location") == "/signin", "\(path)")
        }
        #expect(try s.server.request("GET", "/", token: s.admin).status == 303)
        // The sign-in form sets its own token as a cookie (SameSite=Strict, HttpOnly, only for /signin).
        let form = try b.send("GET", "/signin")
        #expect(form.status == 200 && form.header("Content-Type") == "text/html; charset=utf-8")
        let signinCookie = try #require(form.headers("Set-Cookie").first { $0.hasPrefix("unifeed_signin=") })
        #expect(signinCookie.contains("HttpOnly") && signinCookie.contains("SameSite=Strict") && signinCookie.contains("Path=/signin"))
        #expect(form.header("Content-Security-Policy")?.contains("script-src 'self'") == true && form.header("X-Frame-Options") == "DENY")
        // A post without the form's token (another site's form) is refused; so is a wrong token.
        let csrf = try #require(Browser.hidden("csrf", in: form.text))
        #expect(try b.send("POST", "/signin", form: [("csrf", "forged"), ("token", s.admin)]).status == 403)
        #expect(b.cookies["unifeed_session"] == nil)
        _ = try b.send("GET", "/signin")
        let wrong = try b.signIn("not-a-token")
        #expect(wrong.status == 401 && wrong.text.contains("Unknown or revoked token"))
        // The right token: a session cookie, HttpOnly and SameSite=Strict, then the pages.
        let signed = try b.signIn(s.admin)
        #expect(signed.status == 303 && signed.header("Location") == "/")
        let session = try #require(signed.headers("Set-Cookie").first { $0.hasPrefix("unifeed_session=") })
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/") && !session.contains("Secure"))
        // The store keeps the cookie's SHA-256, not the cookie.
        let cookie = try #require(b.cookies["unifeed_session"])
        #expect(try s.cli.sql("SELECT count(*) FROM dashboard_sessions WHERE hash = x'\(sha256Hex(Array(cookie.utf8)))'") == "1")
        let health = try b.send("GET", "/")
        #expect(health.status == 200 && health.text.contains("<h1>Feed health</h1>") && health.text.contains("Publish now"))
        // Publish now: refused without the session's CSRF token (nothing published), done with it.
        let before = try publishes(s)
        #expect(try b.send("POST", "/publish", form: [("csrf", "forged")]).status == 403)
        #expect(try b.send("POST", "/publish", form: []).status == 403)
        #expect(try publishes(s) == before)
        let published = try b.send("POST", "/publish", form: [("csrf", try b.csrf())])
        #expect(published.status == 303 && published.header("Location")?.hasPrefix("/?published=") == true)
        #expect(try publishes(s) > before)
        #expect(try b.send("GET", published.header("Location")!).text.contains("class=\"notice\""))
        // A form over 8 KiB is refused whole.
        #expect(try b.send("POST", "/publish", raw: Array(repeating: UInt8(ascii: "a"), count: 9000)).status == 413)
        // Revoking the token ends its sessions on the next request.
        #expect(try s.cli.run(["tokens", "revoke", "ops"]).status == 0)
        #expect(try b.send("GET", "/stock").status == 303)
        #expect(try b.signIn(s.admin).status == 401)
    }

    @Test(arguments: StoreKind.tested) func aReadOnlyTokenReadsAndCannotPublish(_ store: StoreKind) throws {
        let s = try SampleServer(on: store)
        let reader = try s.cli.token("reader", "feeds:read")
        let till = try s.cli.token("till", "stock:write")
        let b = Browser(s.server)
        // A till's token may not use the dashboard at all.
        #expect(try b.signIn(till).status == 403)
        #expect(try b.signIn(reader).status == 303)
        let health = try b.send("GET", "/")
        #expect(health.status == 200 && !health.text.contains("Publish now") && health.text.contains("(read-only)"))
        let before = try publishes(s)
        let refused = try b.send("POST", "/publish", form: [("csrf", try b.csrf())])
        #expect(refused.status == 403 && refused.text.contains("read-only"))
        #expect(try publishes(s) == before)
        // Signing out ends the session.
        #expect(try b.send("POST", "/signout", form: [("csrf", try b.csrf())]).header("Location") == "/signin")
        #expect(b.cookies["unifeed_session"] == nil)
        #expect(try s.cli.sql("SELECT count(*) FROM dashboard_sessions") == "0")
    }

    @Test(arguments: StoreKind.tested) func everyPageAnswersOnTheSamples(_ store: StoreKind) throws {
        let s = try SampleServer(on: store)
        let b = Browser(s.server)
        #expect(try b.signIn(s.admin).status == 303)
        let gtin = try s.cli.sql("SELECT gtin FROM variants WHERE sku = 'DRS-MAX-TER-2X'")
        let pages: [(String, String)] = [
            ("/", "google/products.xml"), ("/diagnostics", "no_stock_record"), ("/diagnostics?channel=google-local&severity=warning", "warning"),
            ("/products", "Every SKU in order"), ("/products?q=TEE-CLS", "TEE-CLS-BLK-S"), ("/products?q=\(gtin)", "DRS-MAX-TER-2X"),
            ("/products?q=maxi+dress", "DRS-MAX-TER-2X"), ("/products/DRS-MAX-TER-2X", "data-channel=\"google\""),
            ("/products/DRS-MAX-TER-2X", "data-store=\"NYC-01\""), ("/stock", "NYC-01"), ("/stock?location=online", "Latest movements at online"),
            ("/orders", "Orders"), ("/orders?unmatched=1", "Unmatched SKUs"), ("/runs", "samples/catalog.csv"), ("/runs", "google-local"),
        ]
        for (path, expected) in pages {
            let reply = try b.send("GET", path)
            #expect(reply.status == 200 && reply.text.contains(expected), "\(path) should show \(expected)")
            #expect(reply.header("Cache-Control") == "no-store")
        }
        // Key pages: the next page of products starts after the last SKU of this one.
        let first = try b.send("GET", "/products").text
        let next = try #require(first.range(of: "rel=\"next\" href=\"").map { String(first[$0.upperBound...].prefix { $0 != "\"" }) })
        #expect(next.contains("after="))
        #expect(try b.send("GET", next.replacingOccurrences(of: "&amp;", with: "&")).status == 200)
        // An unknown SKU, a bad key, hostile parameters: 4xx or an empty page, never 5xx.
        let unknown = try b.send("GET", "/products/NOPE")
        #expect(unknown.status == 404 && unknown.text.contains("Unknown SKU"))
        for path in [
            "/products?after=zz", "/products?q=%22%2A%28&after=w:abc", "/stock?before=abc", "/orders?after=%1F%1F", "/diagnostics?after=google:99999999",
            "/diagnostics?channel=..%2Fetc&rule=%3Cb%3E", "/assets/..%2Funifeed.sqlite", "/assets/nope.css",
        ] {
            let reply = try b.send("GET", path)
            #expect((200..<500).contains(reply.status), "\(path): \(reply.status)")
        }
        #expect(try b.send("GET", "/assets/dashboard.css").header("Content-Type") == "text/css; charset=utf-8")
        #expect(try b.send("GET", "/assets/dashboard.js").header("Content-Type") == "text/javascript; charset=utf-8")
        #expect(try b.send("DELETE", "/products").status == 405)
        #expect(!s.server.log.contains("status=5"))
    }

    /// A product title that is markup shows as text on every page that shows it.
    @Test func markupInTheCatalogShowsAsText() throws {
        let s = try SampleServer(publish: false)
        let csv = s.cli.path("xss.csv")
        try Data(
            """
            product_id,sku,title,description,brand,price,currency,link,image_link
            XSS,XSS-1,<script>alert(1)</script> <img src=x onerror=alert(2)>,"x",B,10.00,USD,https://shop.example/x,https://cdn.shop.example/x.jpg

            """.utf8
        ).write(to: URL(fileURLWithPath: csv))
        #expect(try s.cli.run(["import", "catalog", csv]).status == 0)
        let b = Browser(s.server)
        #expect(try b.signIn(s.admin).status == 303)
        for path in ["/products?q=XSS", "/products/XSS-1", "/products?q=alert"] {
            let html = try b.send("GET", path).text
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;"), "\(path)")
            #expect(!html.contains("<script>alert") && !html.contains("<img src=x"), "\(path)")
        }
    }
}
