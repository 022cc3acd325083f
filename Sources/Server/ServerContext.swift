public import Hummingbird
import Logging
import NIOCore
import StorePort

/// The request context of `unifeed serve`: Hummingbird's core storage, and the token the request was
/// authenticated with (set by `TokenAuthentication`, `nil` on the open routes).
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The live token this request carries.
    var token: APIToken?
    /// The route's name in logs and metrics (`/feeds/{channel}/{file}`), set by the route.
    var route: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies are collected explicitly, each route with its own limit (`RequestLimits`).
    public var maxUploadSize: Int { RequestLimits.orderBody }

    /// 403 unless the token allows `scope` (the authentication middleware has already answered 401
    /// when there is no token).
    func require(_ scope: Scope) throws {
        guard let token else { throw APIError.unauthorized }
        guard token.allows(scope) else {
            throw APIError(.forbidden, "the token '\(token.name)' does not have the scope \(scope.rawValue)")
        }
    }
}

/// The size limits of DESIGN.md §9.
enum RequestLimits {
    /// JSON bodies (stock movements).
    static let jsonBody = 1 << 20
    /// Order report uploads.
    static let orderBody = 256 << 20
    /// JSON nesting.
    static let jsonDepth = 64
}
