import Catalog
import Config
import Dashboard
import Feeds
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import StorePort

/// The dashboard (DESIGN.md §11) at `/`: server-rendered pages behind a sign-in with a token (`admin`,
/// or `feeds:read` for a read-only view). The session cookie is random, HttpOnly, SameSite=Strict
/// (and Secure under TLS); the store keeps only its SHA-256, so a revoked token ends its sessions on
/// the next request. Every form that changes something carries the session's CSRF token, and the
/// sign-in form a token of its own (a double-submit cookie), so no other site can sign a browser in.
struct DashboardRoutes {
    let store: any CatalogStore
    let publisher: Publisher
    let outDir: String
    let templates: DashboardTemplates
    /// Under TLS: cookies are `Secure`.
    let secure: Bool
    let logger: Logger

    static let sessionCookie = "unifeed_session"
    static let signInCookie = "unifeed_signin"
    /// A session lasts 12 hours.
    static let sessionSeconds = 12 * 3600
    /// Form bodies: a token and a CSRF token fit in far less.
    static let formLimit = 8 << 10

    /// The paths the dashboard answers itself (no API token: its own session).
    static func owns(_ path: String) -> Bool {
        if path == "/" { return true }
        let first = path.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return ["signin", "signout", "publish", "diagnostics", "products", "stock", "orders", "runs", "assets"].contains(first)
    }

    func register(on router: Router<ServerContext>) {
        router.get("/assets/{name}") { _, context in try self.asset(context) }
        router.get("/signin") { request, _ in try await self.signInPage(request, error: nil) }
        router.post("/signin") { request, _ in try await self.signIn(request) }
        router.post("/signout") { request, _ in try await self.signOut(request) }
        router.post("/publish") { request, _ in try await self.publishNow(request) }
        router.get("/") { request, _ in try await self.page(request, .health) { chrome in try await self.health(request, chrome) } }
        router.get("/diagnostics") { request, _ in try await self.page(request, .diagnostics) { try await self.diagnostics(request, $0) } }
        router.get("/products") { request, _ in try await self.page(request, .products) { try await self.products(request, $0) } }
        router.get("/products/{sku}") { request, context in
            try await self.page(request, .products) { try await self.product(try context.parameters.require("sku"), $0) }
        }
        router.get("/stock") { request, _ in try await self.page(request, .stock) { try await self.stock(request, $0) } }
        router.get("/orders") { request, _ in try await self.page(request, .orders) { try await self.orders(request, $0) } }
        router.get("/runs") { request, _ in try await self.page(request, .runs) { try await self.runs($0) } }
    }

    // MARK: Sessions

    struct Signed {
        var session: DashboardSession
        var token: APIToken
        var cookieHash: [UInt8]
        var admin: Bool { token.allows(.admin) }
    }

    static func cookies(_ request: Request) -> [String: String] {
        var out: [String: String] = [:]
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2, out[pair[0]] == nil { out[pair[0]] = pair[1] }
            }
        }
        return out
    }

    func signed(_ request: Request) async throws -> Signed? {
        guard let cookie = Self.cookies(request)[Self.sessionCookie], !cookie.isEmpty, cookie.utf8.count <= 128 else { return nil }
        let hash = TokenSecret.hash(cookie)
        let now = Int(Date().timeIntervalSince1970)
        let store = self.store
        guard let found = try await StoreThreads.run({ try store.session(hash: hash, now: now) }) else { return nil }
        // Only a token that may read the feeds may use the dashboard (a till's stock:write may not).
        guard found.token.allows(.feedsRead) else { return nil }
        return Signed(session: found.session, token: found.token, cookieHash: hash)
    }

    func cookie(_ name: String, _ value: String, maxAge: Int, path: String = "/") -> String {
        "\(name)=\(value); Path=\(path); Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "")
    }

    static func random() -> String { TokenSecret.generate().token }

    // MARK: Responses

    func html(_ status: HTTPResponse.Status = .ok, _ body: String, cookies: [String] = []) -> Response {
        var headers = Self.securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    static var securityHeaders: HTTPFields {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[HTTPField.Name("Content-Security-Policy")!] =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        return headers
    }

    func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = Self.securityHeaders
        headers[.location] = location
        for c in cookies { headers.append(HTTPField(name: .setCookie, value: c)) }
        return Response(status: .seeOther, headers: headers)
    }

    func chrome(_ signed: Signed?, _ section: PageChrome.Section?, notice: String? = nil) -> PageChrome {
        PageChrome(
            user: signed?.token.name, admin: signed?.admin ?? false, csrf: signed?.session.csrf ?? "", section: section, notice: notice,
            version: BuildInfo.commit, store: store.location, now: Timestamp.now.iso8601UTC)
    }

    func errorPage(_ status: HTTPResponse.Status, _ heading: String, _ message: String, _ signed: Signed?) -> Response {
        html(status, templates.render("error", chrome: chrome(signed, nil), ["heading": heading, "message": message]))
    }

    /// A signed-in page: the sign-in page's redirect without a session; a clear page for a store error.
    func page(_ request: Request, _ section: PageChrome.Section, _ body: (PageChrome) async throws -> Response) async throws -> Response {
        guard let signed = try await signed(request) else { return redirect("/signin") }
        let notice = request.uri.queryParameters.get("published").flatMap { Self.publishNotices[$0] }
        do {
            return try await body(chrome(signed, section, notice: notice))
        } catch let error as DashboardRejection {
            return errorPage(error.status, error.heading, error.message, signed)
        }
    }

    struct DashboardRejection: Error {
        var status: HTTPResponse.Status
        var heading: String
        var message: String
    }

    // MARK: Forms

    static func readForm(_ request: Request) async throws -> [String: String] {
        let buffer = try await WholeBody.collect(request, limit: formLimit, tooLarge: "the form is over 8 KiB")
        return parseForm(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    /// `application/x-www-form-urlencoded`: the first value of each name.
    static func parseForm(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            if let name = parts.first, out[name] == nil { out[name] = parts.count > 1 ? parts[1] : "" }
        }
        return out
    }

    // MARK: Sign-in and out

    func signInPage(_ request: Request, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        if error == nil, try await signed(request) != nil { return redirect("/") }
        let form = Self.random()
        var values: [String: Any] = ["signinCSRF": form]
        if let error { values["error"] = error }
        return html(status, templates.render("signin", chrome: chrome(nil, nil), values), cookies: [cookie(Self.signInCookie, form, maxAge: 3600, path: "/signin")])
    }

    func signIn(_ request: Request) async throws -> Response {
        let form = try await Self.readForm(request)
        guard let sent = form["csrf"], let expected = Self.cookies(request)[Self.signInCookie], !sent.isEmpty,
            TokenSecret.equal(Array(sent.utf8), Array(expected.utf8))
        else {
            return try await signInPage(request, error: "The sign-in form expired; please sign in again.", status: .forbidden)
        }
        guard let presented = form["token"]?.trimmingCharacters(in: .whitespaces), !presented.isEmpty, presented.utf8.count <= 512 else {
            return try await signInPage(request, error: "Enter a token.", status: .badRequest)
        }
        guard let token = TokenSecret.match(presented, in: try store.liveTokens()) else {
            logger.info("dashboard sign-in refused: unknown or revoked token")
            return try await signInPage(request, error: "Unknown or revoked token.", status: .unauthorized)
        }
        guard token.allows(.feedsRead) else {
            return try await signInPage(request, error: "The token '\(token.name)' has neither admin nor feeds:read.", status: .forbidden)
        }
        let secret = Self.random()
        let session = DashboardSession(tokenName: token.name, csrf: Self.random(), expiresAt: Int(Date().timeIntervalSince1970) + Self.sessionSeconds)
        let store = self.store
        let cookieHash = TokenSecret.hash(secret)
        try await StoreThreads.run {
            try store.managingSessions { table in
                try table.purge(now: Int(Date().timeIntervalSince1970))
                try table.create(hash: cookieHash, session)
            }
        }
        logger.info("dashboard sign-in", metadata: ["token": "\(token.name)"])
        return redirect(
            "/", cookies: [cookie(Self.sessionCookie, secret, maxAge: Self.sessionSeconds), cookie(Self.signInCookie, "", maxAge: 0, path: "/signin")])
    }

    /// A form that changes something: a live session and its CSRF token, else 403.
    func checkedForm(_ request: Request) async throws -> (Signed, [String: String])? {
        guard let signed = try await signed(request) else { return nil }
        let form = try await Self.readForm(request)
        guard let sent = form["csrf"], TokenSecret.equal(Array(sent.utf8), Array(signed.session.csrf.utf8)) else {
            throw DashboardRejection(status: .forbidden, heading: "Form expired", message: "The form's token does not match your session; reload the page and try again.")
        }
        return (signed, form)
    }

    func signOut(_ request: Request) async throws -> Response {
        do {
            guard let (signed, _) = try await checkedForm(request) else { return redirect("/signin") }
            let store = self.store
            try await StoreThreads.run { try store.managingSessions { try $0.delete(hash: signed.cookieHash) } }
            return redirect("/signin", cookies: [cookie(Self.sessionCookie, "", maxAge: 0)])
        } catch let error as DashboardRejection {
            return errorPage(error.status, error.heading, error.message, nil)
        }
    }

    static let publishNotices: [String: String] = [
        "ok": "Published: every channel passed the gate.",
        "held": "Published, but at least one channel was held back by the gate: its previous feed stays (see its reason below).",
        "failed": "The publish failed; the previous feeds stay. The server's log says why.",
    ]

    /// "Publish now" (admin): the same publish as `unifeed publish`, gate included, at the server's clock.
    func publishNow(_ request: Request) async throws -> Response {
        do {
            guard let (signed, _) = try await checkedForm(request) else { return redirect("/signin") }
            guard signed.admin else {
                return errorPage(.forbidden, "Not allowed", "The token '\(signed.token.name)' is read-only (feeds:read); publishing needs admin.", signed)
            }
            let (publisher, outDir, logger) = (self.publisher, self.outDir, self.logger)
            let outcome: String = try await StoreThreads.run {
                do {
                    let reports = try publisher.run(PublishOptions(outDir: outDir, now: Timestamp.now)) { _ in }
                    logger.info("dashboard publish", metadata: ["token": "\(signed.token.name)", "channels": "\(reports.count)"])
                    return reports.contains(where: \.heldBack) ? "held" : "ok"
                } catch {
                    logger.error("dashboard publish failed: \(error)")
                    return "failed"
                }
            }
            return redirect("/?published=\(outcome)")
        } catch let error as DashboardRejection {
            return errorPage(error.status, error.heading, error.message, nil)
        }
    }

    // MARK: Pages

    func asset(_ context: ServerContext) throws -> Response {
        guard let name = context.parameters.get("name"), let asset = DashboardTemplates.asset(name) else {
            throw APIError(.notFound, "no such asset")
        }
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "public, max-age=300"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.text)))
    }

    func health(_ request: Request, _ chrome: PageChrome) async throws -> Response {
        let runs = try await store.read { try $0.publishRuns(channel: nil, limit: 400) }
        let page = FeedHealthPage(outDir: outDir, state: PublishedState.read(outDir: outDir), runs: runs, now: Timestamp.now)
        return html(.ok, templates.render("health", chrome: chrome, page.values))
    }

    static func text(_ request: Request, _ name: String, max: Int = 200) -> String? {
        guard let value = request.uri.queryParameters.get(name), !value.isEmpty else { return nil }
        return String(value.prefix(max))
    }

    func diagnostics(_ request: Request, _ chrome: PageChrome) async throws -> Response {
        let state = PublishedState.read(outDir: outDir)
        let channels = state?.channels.map(\.name) ?? []
        let channel = Self.text(request, "channel").flatMap { channels.contains($0) ? $0 : nil }
        let severity = Self.text(request, "severity").flatMap { ["error", "warning"].contains($0) ? $0 : nil }
        let listed = (state?.channels ?? []).filter { channel == nil || $0.name == channel }
        let rules = Set(listed.flatMap { $0.excluded.map(\.rule) + $0.warnings.map(\.rule) }).sorted()
        let rule = Self.text(request, "rule").flatMap { rules.contains($0) ? $0 : nil }
        // The key: CHANNEL:OFFSET of the next row to read.
        var startChannel = channel ?? channels.first
        var offset: UInt64 = 0
        if let after = Self.text(request, "after", max: 300), let colon = after.lastIndex(of: ":"),
            channels.contains(String(after[..<colon])), let n = UInt64(after[after.index(after: colon)...])
        {
            startChannel = String(after[..<colon])
            offset = n
        }
        let limit = 100
        var rows: [DiagnosticsLog.Row] = []
        var next: String?
        let (outDir, scan, start) = (self.outDir, channel.map { [$0] } ?? channels.drop { $0 != startChannel }.map { $0 }, offset)
        (rows, next) = try await StoreThreads.run {
            var rows: [DiagnosticsLog.Row] = []
            for (i, name) in scan.enumerated() {
                let page = DiagnosticsLog.page(outDir: outDir, channel: name, from: i == 0 ? start : 0, limit: limit - rows.count) { row in
                    (rule == nil || row.rule == rule) && (severity == nil || row.severity == severity)
                }
                rows += page.rows
                if rows.count == limit {
                    if let position = page.next { return (rows, "\(name):\(position)") }
                    return (rows, i + 1 < scan.count ? "\(scan[i + 1]):0" : nil)
                }
            }
            return (rows, nil)
        }
        var link: String?
        if let next {
            var query = ["after=\(Figures.queryValue(next))"]
            if let channel { query.append("channel=\(Figures.queryValue(channel))") }
            if let rule { query.append("rule=\(Figures.queryValue(rule))") }
            if let severity { query.append("severity=\(severity)") }
            link = "/diagnostics?" + query.joined(separator: "&")
        }
        let page = DiagnosticsPage(channels: channels, rules: rules, channel: channel, rule: rule, severity: severity, rows: rows, next: link)
        return html(.ok, templates.render("diagnostics", chrome: chrome, page.values))
    }

    func products(_ request: Request, _ chrome: PageChrome) async throws -> Response {
        let query = Self.text(request, "q") ?? ""
        let after = Self.text(request, "after", max: 300)
        let found = try await store.read { try $0.search(ProductQuery(query), after: after, limit: 50) }
        let page = ProductsPage(query: query, hits: found.hits, next: found.next)
        return html(.ok, templates.render("products", chrome: chrome, page.values))
    }

    func product(_ sku: String, _ chrome: PageChrome) async throws -> Response {
        let publisher = self.publisher
        let now = Timestamp.now
        let answer = try await StoreThreads.run { try publisher.availability(sku: sku, now: now) }
        guard let answer,
            let (variant, stock) = try await store.read({ snapshot -> (VariantView, StockReport)? in
                guard let v = try snapshot.variant(sku: sku), let s = try snapshot.stock(sku: sku) else { return nil }
                return (v, s)
            })
        else {
            throw DashboardRejection(status: .notFound, heading: "Unknown SKU", message: "The catalog has no SKU '\(sku)'.")
        }
        let page = ProductPage(variant: variant, answer: answer, stock: stock, now: now.iso8601UTC)
        return html(.ok, templates.render("product", chrome: chrome, page.values))
    }

    func stock(_ request: Request, _ chrome: PageChrome) async throws -> Response {
        let location = Self.text(request, "location", max: 64)
        let before = Self.text(request, "before").flatMap { Int64($0) }
        let (locations, oversold, movements) = try await store.read { snapshot in
            (
                try snapshot.locationStock(), try snapshot.oversold(after: nil, limit: 100),
                try snapshot.latestMovements(location: location, before: before, limit: 50)
            )
        }
        var next: String?
        if movements.count == 50, let last = movements.last {
            next = "/stock?before=\(last.movement.id)" + (location.map { "&location=\(Figures.queryValue($0))" } ?? "")
        }
        let page = StockPage(locations: locations, oversold: oversold, movements: movements, location: location, next: next)
        return html(.ok, templates.render("stock", chrome: chrome, page.values))
    }

    func orders(_ request: Request, _ chrome: PageChrome) async throws -> Response {
        let unmatchedOnly = request.uri.queryParameters.get("unmatched") == "1"
        var after: OrderLineKey?
        if let key = Self.text(request, "after", max: 600) {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            if parts.count == 3 { after = OrderLineKey(channel: parts[0], orderID: parts[1], lineID: parts[2]) }
        }
        let limit = 100
        let key = after
        let (lines, counts) = try await store.read { snapshot in
            (try snapshot.orderLines(after: key, unmatchedOnly: unmatchedOnly, limit: limit), try snapshot.orderLineCounts())
        }
        var next: String?
        if lines.count == limit, let last = lines.last?.line {
            next =
                "/orders?after=\(Figures.queryValue([last.channel, last.orderID, last.lineID].joined(separator: "\u{1F}")))"
                + (unmatchedOnly ? "&unmatched=1" : "")
        }
        let page = OrdersPage(lines: lines, counts: counts, unmatchedOnly: unmatchedOnly, next: next)
        return html(.ok, templates.render("orders", chrome: chrome, page.values))
    }

    func runs(_ chrome: PageChrome) async throws -> Response {
        let (imports, publishes) = try await store.read { (try $0.importRuns(limit: 100), try $0.publishRuns(channel: nil, limit: 200)) }
        return html(.ok, templates.render("runs", chrome: chrome, RunsPage(imports: imports, publishes: publishes).values))
    }
}
