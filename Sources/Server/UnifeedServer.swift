import Catalog
public import Config
import Dashboard
public import Feeds
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
public import StorePort

/// How `unifeed serve` listens.
public struct ServerOptions: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// The publish output folder whose files `/feeds/` serves.
    public var outDir = "feeds"
    public var tlsCertificate: String?
    public var tlsKey: String?

    public init() {}

    /// `HOST:PORT`, `:PORT` or `[IPv6]:PORT`.
    public static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }
}

/// `unifeed serve` (DESIGN.md §9): Hummingbird 2 over the store port. Graceful shutdown on SIGTERM and
/// SIGINT (swift-service-lifecycle): the listener closes, requests in flight finish, and a store write
/// in progress commits or rolls back whole.
public struct UnifeedServer {
    let store: any CatalogStore
    let config: UnifeedConfig
    let channels: [ChannelDefinition]
    let options: ServerOptions

    public init(store: any CatalogStore, config: UnifeedConfig, channels: [ChannelDefinition], options: ServerOptions) {
        self.store = store
        self.config = config
        self.channels = channels
        self.options = options
    }

    /// Runs until SIGTERM or SIGINT. `onListening` receives the bound address (`127.0.0.1:8080`; the
    /// port is the real one when 0 was asked).
    public func run(onListening: @escaping @Sendable (String) -> Void) async throws {
        var logger = Logger(label: "unifeed.serve") { label in StreamLogHandler.standardError(label: label) }
        logger.logLevel = .info
        let router = makeRouter(logger: logger)
        let configuration = ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "unifeed")
        let server: HTTPServerBuilder
        if let certificate = options.tlsCertificate, let key = options.tlsKey {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        let app = Application(
            router: router, server: server, configuration: configuration,
            onServerRunning: { channel in
                if let address = channel.localAddress, let ip = address.ipAddress, let port = address.port {
                    onListening(ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)")
                }
            }, logger: logger)
        try await app.runService()
    }

    func makeRouter(logger: Logger) -> Router<ServerContext> {
        let metrics = ServerMetrics()
        let router = Router(context: ServerContext.self)
        router.add(middleware: RequestLog(logger: logger, metrics: metrics))
        router.add(middleware: MethodCheck())
        router.add(middleware: TokenAuthentication(store: store))

        let (store, outDir) = (self.store, options.outDir)
        router.get("/healthz") { _, _ -> Response in
            do {
                // Through the store's threads, like the routes' reads: a wedged pool fails the check too.
                try await StoreThreads.run { try store.ping() }
                return JSONValue.object([("status", .string("ok"))]).response()
            } catch {
                throw APIError(.serviceUnavailable, "the store cannot be read")
            }
        }
        router.get("/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        router.get("/metrics") { _, context -> Response in
            try context.require(.admin)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition(outDir: outDir))))
        }

        let feeds = FeedDelivery(outDir: options.outDir)
        router.get("/feeds/{channel}/{file}") { try await feeds.respond($0, context: $1) }
        router.head("/feeds/{channel}/{file}") { try await feeds.respond($0, context: $1) }

        let stock = StockRoutes(store: store, config: config, publisher: Publisher(store: store, config: config, channels: channels), metrics: metrics)
        router.post("/v1/stock/movements") { try await stock.postMovements($0, context: $1) }
        router.get("/v1/stock/{sku}") { try await stock.stock($0, context: $1) }
        router.get("/v1/availability/{sku}") { try await stock.availability($0, context: $1) }
        router.post("/v1/orders") { try await stock.postOrders($0, context: $1) }

        if let templates = try? DashboardTemplates() {
            DashboardRoutes(
                store: store, publisher: Publisher(store: store, config: config, channels: channels), outDir: options.outDir, templates: templates,
                secure: options.tlsCertificate != nil, logger: logger
            ).register(on: router)
        } else {
            logger.error("the dashboard's templates do not parse; the dashboard is off")
        }
        return router
    }
}

/// The OpenAPI document, embedded at build time from `openapi/unifeed.openapi.json`.
enum OpenAPIDocument {
    static let text: String = EmbeddedFiles.files.first { $0.name == "unifeed.openapi.json" }?.text ?? "{}"
}
