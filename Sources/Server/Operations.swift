import Catalog
import Formats
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus
import StorePort
import Synchronization

/// What `/metrics` shows (Prometheus text): requests and latency by route and status, movements
/// applied, and each channel's feed age.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let movementsApplied: Counter

    init() {
        movementsApplied = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "unifeed", metricName: "stock_movements_applied", unitName: "total",
                helpText: "Stock movements posted to the ledger through the API (replays not counted)."))
    }

    func request(route: String, method: String, status: Int, seconds: Double) {
        let (requests, duration) = handles(route: route, method: method, status: status)
        requests.increment()
        duration.recordNanoseconds(Int64(seconds * 1e9))
    }

    /// The counter and histogram of one route, method and status, made once: the registry's lookup
    /// builds names and takes its lock, a cost every request would otherwise pay twice.
    private func handles(route: String, method: String, status: Int) -> (Counter, DurationHistogram) {
        let key = HandleKey(route: route, method: method, status: status)
        if let found = cache.withLock({ $0[key] }) { return found }
        let labels = [("route", route), ("method", method), ("status", String(status))]
        let made = (
            registry.makeCounter(
                descriptor: MetricNameDescriptor(namespace: "unifeed", subsystem: "http", metricName: "requests", unitName: "total", helpText: "HTTP requests."),
                labels: labels),
            registry.makeDurationHistogram(
                descriptor: MetricNameDescriptor(
                    namespace: "unifeed", subsystem: "http", metricName: "request_duration", unitName: "seconds", helpText: "HTTP request latency."),
                labels: [("route", route), ("method", method)],
                buckets: [
                    .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100),
                    .milliseconds(500), .seconds(1), .seconds(5),
                ])
        )
        cache.withLock { $0[key] = made }
        return made
    }

    /// The method as a metric label: HTTP's own methods by name, any other token a client sends as
    /// `other` (a label per made-up method would let a client grow the registry without end).
    static func methodLabel(_ method: HTTPRequest.Method) -> String {
        switch method {
        case .get, .head, .post, .put, .delete, .patch, .options, .trace, .connect: method.rawValue
        default: "other"
        }
    }

    private struct HandleKey: Hashable {
        let route: String, method: String, status: Int
    }

    private let cache = Mutex<[HandleKey: (Counter, DurationHistogram)]>([:])

    /// The exposition text, with each channel's feed age (seconds since its file was written) read from
    /// the output folder's report now.
    func exposition(outDir: String) -> [UInt8] {
        let path = (outDir as NSString).appendingPathComponent("publish-report.json")
        if let data = FileManager.default.contents(atPath: path), let report = try? JSONReader.parse([UInt8](data), file: path) {
            for entry in report["channels"]?.array ?? [] {
                guard let channel = entry["channel"]?.string, let first = entry["files"]?.array?.first?["path"]?.string else { continue }
                guard let attributes = try? FileManager.default.attributesOfItem(atPath: (outDir as NSString).appendingPathComponent(first)),
                    let modified = attributes[.modificationDate] as? Date
                else { continue }
                let age = Date().timeIntervalSince(modified)
                registry.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "unifeed", subsystem: "feed", metricName: "age", unitName: "seconds",
                        helpText: "Seconds since the channel's published feed was written."),
                    labels: [("channel", channel)]
                ).set(age)
            }
        }
        return registry.emitToBuffer()
    }
}

/// One structured log line per request on stderr (method, path, route, status, bytes, milliseconds,
/// token name), and the request in the metrics. Errors thrown by routes become their answers here, so
/// both see the status that was sent.
struct RequestLog: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger
    let metrics: ServerMetrics

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            // Anything else is the server's fault: logged with what it was, answered 500 with no detail.
            logger.error("request failed", metadata: ["path": .string(String(request.uri.path.prefix(256))), "error": .string("\(error)")])
            response = try APIError(.internalServerError, "the server failed to answer; its log says why").response(from: request, context: context)
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = context.endpointPath ?? "unmatched"
        metrics.request(route: route, method: ServerMetrics.methodLabel(request.method), status: response.status.code, seconds: seconds)
        logger.info(
            "request",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(String(request.uri.path.prefix(256))), "route": .string(route),
                "status": .stringConvertible(response.status.code), "bytes": .string(response.headers[.contentLength] ?? "-"),
                "ms": .string(Self.milliseconds(seconds)),
            ])
        return response
    }

    /// `12.34`: milliseconds with two decimals (`String(format:)` costs more than the rest of the line).
    static func milliseconds(_ seconds: Double) -> String {
        let hundredths = Int((seconds * 100_000).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
