import HTTPTypes
import Hummingbird

/// 405 with `Allow` for a method a route does not take (`TRACE /healthz`, `DELETE /v1/orders`), instead
/// of the router's 404: the path exists, the method does not. Runs before authentication.
struct MethodCheck: RouterMiddleware {
    typealias Context = ServerContext

    /// Path patterns (`*`: one segment) and the methods each takes, as the OpenAPI document lists them.
    static let routes: [(pattern: [String], methods: [HTTPRequest.Method])] = [
        (["healthz"], [.get]), (["openapi.json"], [.get]), (["metrics"], [.get]), (["feeds", "*", "*"], [.get, .head]),
        (["v1", "stock", "movements"], [.post]), (["v1", "stock", "*"], [.get]), (["v1", "availability", "*"], [.get]),
        (["v1", "orders"], [.post]),
        // The dashboard.
        ([], [.get]), (["signin"], [.get, .post]), (["signout"], [.post]), (["publish"], [.post]), (["diagnostics"], [.get]),
        (["products"], [.get]), (["products", "*"], [.get]), (["stock"], [.get]), (["orders"], [.get]), (["runs"], [.get]),
        (["assets", "*"], [.get]),
    ]

    static func allowed(path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for route in routes where route.pattern.count == segments.count {
            if zip(route.pattern, segments).allSatisfy({ $0 == "*" || $0 == $1 }) { return route.methods }
        }
        return nil
    }

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        if let methods = Self.allowed(path: request.uri.path), !methods.contains(request.method) {
            var headers = HTTPFields()
            headers[.allow] = methods.map(\.rawValue).joined(separator: ", ")
            throw APIError(.methodNotAllowed, "\(request.method.rawValue) is not a method of this route", headers: headers)
        }
        return try await next(request, context)
    }
}
