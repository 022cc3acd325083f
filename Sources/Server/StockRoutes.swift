import Catalog
import Config
import Feeds
import Formats
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Orders
import Prometheus
import StorePort

/// The live stock routes (DESIGN.md §9): movements from the stores' tills, a SKU's stock, what every
/// channel and store shows, and order reports by upload.
struct StockRoutes {
    let store: any CatalogStore
    let config: UnifeedConfig
    let publisher: Publisher
    let metrics: ServerMetrics

    // MARK: POST /v1/stock/movements

    func postMovements(_ request: Request, context: ServerContext) async throws -> Response {
        try context.require(.stockWrite)
        let body = try await JSONBody.read(request, limit: RequestLimits.jsonBody)
        let movements = try Self.movements(in: body)
        // SKUs and locations are looked up on a reader (neither is ever deleted), off the writer's time.
        let problems = try await store.read { try $0.keyProblems(movements) }
        guard problems.isEmpty else {
            throw APIError(.badRequest, "nothing was applied: \(problems.count) movement\(problems.count == 1 ? "" : "s") cannot be", problems: problems)
        }
        let now = Date()
        let outcome = try await store.postMovements(at: now) { session -> (Result<[MovementResult], MovementRejection>, commit: Bool) in
            let outcome = try session.apply(movements, at: Timestamp(now).iso8601UTC, keysChecked: true)
            if case .success = outcome { return (outcome, commit: true) }
            return (outcome, commit: false)
        }
        switch outcome {
        case .success(let results):
            let applied = results.filter { !$0.replayed }.count
            metrics.movementsApplied.increment(by: Int64(applied))
            var headers = HTTPFields()
            headers[HTTPField.Name("Unifeed-Replayed")!] = String(results.count - applied)
            return JSONValue.object([
                (
                    "movements",
                    .array(
                        results.map {
                            .object([
                                ("id", .string($0.id)), ("sku", .string($0.sku)), ("location", .string($0.location)), ("delta", .int($0.delta)),
                                ("on_hand", .int($0.onHand)),
                            ])
                        })
                )
            ]).response(headers: headers)
        case .failure(.invalid(let problems)):
            throw APIError(.badRequest, "nothing was applied: \(problems.count) movement\(problems.count == 1 ? "" : "s") cannot be", problems: problems)
        case .failure(.conflict(let id, let index)):
            throw APIError(
                .conflict, "nothing was applied: the id '\(id)' was used before with other content",
                problems: [("movements[\(index)].id", "reused with another SKU, location, kind, quantity or time")])
        }
    }

    /// The request's movements, every problem named by index and field; nothing when any is bad.
    static func movements(in body: JSONNode) throws -> [MovementRequest] {
        guard case .object = body.value else { throw APIError(.badRequest, "expected a JSON object {\"movements\": [...]}, found \(body.kind)") }
        guard let list = body["movements"] else { throw APIError(.badRequest, "missing member", problems: [("movements", "required")]) }
        guard let items = list.array else {
            throw APIError(.badRequest, "bad request", problems: [("movements", "expected an array, found \(list.kind)")])
        }
        guard !items.isEmpty, items.count <= 10_000 else {
            throw APIError(.badRequest, "bad request", problems: [("movements", "expected 1 to 10000 movements, found \(items.count)")])
        }
        var problems: [(field: String, message: String)] = []
        var out: [MovementRequest] = []
        for (i, item) in items.enumerated() {
            let at = "movements[\(i)]"
            guard case .object(let members) = item.value else {
                problems.append((at, "expected an object, found \(item.kind)"))
                continue
            }
            for (key, _) in members where !["id", "sku", "location", "kind", "quantity", "at"].contains(key) {
                problems.append(("\(at).\(key)", "unknown member"))
            }
            func text(_ key: String, _ check: (String) -> String?) -> String? {
                guard let node = item[key] else {
                    problems.append(("\(at).\(key)", "required"))
                    return nil
                }
                guard let s = node.string else {
                    problems.append(("\(at).\(key)", "expected a string, found \(node.kind)"))
                    return nil
                }
                if let problem = check(s) {
                    problems.append(("\(at).\(key)", problem))
                    return nil
                }
                return s
            }
            let id = text("id") { s in
                s.isEmpty || s.utf8.count > 128 || s.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
                    ? "expected 1 to 128 printable characters" : nil
            }
            let sku = text("sku") { s in (try? Identifier.validate(s, noun: "sku")) == nil ? "expected a SKU (printable, at most 128 bytes)" : nil }
            let location = text("location") { s in s.isEmpty || s.utf8.count > 64 ? "expected online or a store code" : nil }
            let kind = text("kind") { s in
                MovementRequest.Kind(rawValue: s) == nil ? "unknown kind '\(s)', expected sale, return, count or adjustment" : nil
            }.flatMap(MovementRequest.Kind.init(rawValue:))
            var quantity: Int?
            if let node = item["quantity"] {
                if let n = node.numberText.flatMap({ Int($0) }), abs(n) <= 1_000_000_000 {
                    quantity = n
                } else {
                    problems.append(("\(at).quantity", "expected a whole number of units, found \(node.numberText ?? node.kind)"))
                }
            } else {
                problems.append(("\(at).quantity", "required"))
            }
            if let kind, let q = quantity {
                switch kind {
                case .sale, .return: if q < 1 { problems.append(("\(at).quantity", "a \(kind.rawValue) takes 1 or more units, found \(q)")) }
                case .count: if q < 0 { problems.append(("\(at).quantity", "a count is 0 or more, found \(q)")) }
                case .adjustment: if q == 0 { problems.append(("\(at).quantity", "an adjustment is not 0")) }
                }
            }
            var when: String?
            if let node = item["at"], !node.isNull {
                if let s = node.string, let t = try? Timestamp.parse(s, timeZone: TimeZone(identifier: "UTC")!), s.contains("T") {
                    when = t.iso8601UTC
                } else {
                    problems.append(("\(at).at", "expected an ISO 8601 time such as 2026-12-07T10:15:00Z"))
                }
            }
            if let id, let sku, let location, let kind, let quantity {
                out.append(MovementRequest(id: id, sku: sku, location: location, kind: kind, quantity: quantity, at: when))
            }
        }
        guard problems.isEmpty else {
            throw APIError(.badRequest, "nothing was applied: \(problems.count) problem\(problems.count == 1 ? "" : "s") in the request", problems: problems)
        }
        return out
    }

    // MARK: GET /v1/stock/SKU and /v1/availability/SKU

    func stock(_ request: Request, context: ServerContext) async throws -> Response {
        try context.require(.stockRead)
        let sku = try context.parameters.require("sku")
        guard let report = try await store.read({ try $0.stock(sku: sku) }) else { throw APIError(.notFound, "unknown SKU '\(sku)'") }
        return report.json.response()
    }

    func availability(_ request: Request, context: ServerContext) async throws -> Response {
        try context.require(.stockRead)
        let sku = try context.parameters.require("sku")
        let publisher = self.publisher
        let answer = try await StoreThreads.run { try publisher.availability(sku: sku, now: Timestamp.now) }
        guard let answer else { throw APIError(.notFound, "unknown SKU '\(sku)'") }
        return answer.json.response()
    }

    // MARK: POST /v1/orders

    func postOrders(_ request: Request, context: ServerContext) async throws -> Response {
        try context.require(.ordersWrite)
        let name = request.uri.queryParameters.get("channel") ?? "auto"
        guard name == "auto" || OrderChannel(rawValue: name) != nil else {
            throw APIError(.badRequest, "bad request", problems: [("channel", "expected auto, amazon, ebay or walmart, found '\(name)'")])
        }
        // The report goes to a temporary file (up to 256 MiB, never held in memory), then through the
        // same reader and the same order book as `orders import`.
        let upload = try await Upload.save(request.body, limit: RequestLimits.orderBody)
        defer { upload.remove() }
        let (store, config) = (self.store, self.config)
        do {
            let summary = try await StoreThreads.run {
                try OrderImporter.run(
                    path: upload.path, displayName: "upload", channel: OrderChannel(rawValue: name), encoding: .utf8, store: store, config: config)
            }
            return summary.json.response()
        } catch let rejected as OrderReportRejected {
            throw APIError(
                .badRequest, "the report was refused; nothing was imported",
                problems: rejected.problems.map { ("line \($0.location.line)" + ($0.column.map { ", \($0)" } ?? ""), $0.message) })
        } catch let error as InputError {
            throw APIError(.badRequest, "the report was refused; nothing was imported", problems: [("line \(error.location.line)", error.message)])
        }
    }
}

/// A JSON request body: at most `limit` bytes (413 beyond), nesting at most 64, every syntax error
/// with its line and column (400).
enum WholeBody {
    /// The whole body, refused with 413 and `tooLarge` as soon as it passes `limit` bytes.
    static func collect(_ request: Request, limit: Int, tooLarge: String) async throws -> ByteBuffer {
        var buffer = ByteBuffer()
        for try await chunk in request.body {
            guard buffer.readableBytes + chunk.readableBytes <= limit else { throw APIError(.contentTooLarge, tooLarge) }
            var chunk = chunk
            buffer.writeBuffer(&chunk)
        }
        return buffer
    }
}

enum JSONBody {
    static func read(_ request: Request, limit: Int) async throws -> JSONNode {
        let buffer = try await WholeBody.collect(request, limit: limit, tooLarge: "the body is over \(limit >> 20) MiB")
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "expected a JSON body") }
        do {
            return try JSONReader.parse(Array(buffer.readableBytesView), file: "body")
        } catch let error as InputError {
            throw APIError(.badRequest, "malformed JSON: \(error.message)", problems: [("body:\(error.location.line)", error.message)])
        }
    }
}

/// A request body saved to a temporary file.
struct Upload: Sendable {
    let path: String

    static func save(_ body: RequestBody, limit: Int) async throws -> Upload {
        let path = NSTemporaryDirectory() + "unifeed-upload-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError(.serviceUnavailable, "cannot store the upload")
        }
        var written = 0
        do {
            defer { try? handle.close() }
            for try await chunk in body {
                written += chunk.readableBytes
                guard written <= limit else { throw APIError(.contentTooLarge, "the body is over \(limit >> 20) MiB") }
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            }
        } catch {
            unlink(path)
            throw error
        }
        guard written > 0 else {
            unlink(path)
            throw APIError(.badRequest, "expected an order report in the body")
        }
        return Upload(path: path)
    }

    func remove() { unlink(path) }
}
