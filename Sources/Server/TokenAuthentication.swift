import Crypto
import Foundation
import Hummingbird
import StorePort

/// API tokens: 32 random bytes from the system's CSPRNG, written base64url; the store keeps only their
/// SHA-256.
public enum TokenSecret {
    /// A new token and the hash the store keeps.
    public static func generate() -> (token: String, hash: [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let token = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return (token, hash(token))
    }

    public static func hash(_ token: String) -> [UInt8] { Array(SHA256.hash(data: Array(token.utf8))) }

    /// Compares two hashes in time that depends only on their length.
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in a.indices { difference |= a[i] ^ b[i] }
        return difference == 0
    }

    /// The live token whose hash is `presented`'s, if any: every live token is compared, each in
    /// constant time, whichever matches.
    static func match(_ presented: String, in live: [(token: APIToken, hash: [UInt8])]) -> APIToken? {
        let hash = self.hash(presented)
        var match: APIToken?
        for (token, stored) in live where equal(stored, hash) { match = token }
        return match
    }

    /// The token a request carries: `Authorization: Bearer T`, or HTTP Basic with `T` as the password
    /// (any user name). `nil` when there is none or the header is not one of these.
    static func presented(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased(), value = parts[1].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer":
            return value.isEmpty || value.utf8.count > 512 ? nil : value
        case "basic":
            guard value.utf8.count <= 1024, let data = Data(base64Encoded: value), let text = String(data: data, encoding: .utf8),
                let colon = text.firstIndex(of: ":")
            else { return nil }
            let password = String(text[text.index(after: colon)...])
            return password.isEmpty ? nil : password
        default:
            return nil
        }
    }
}

/// Looks up the token of every request but the open ones (`/healthz`, `/openapi.json`) in the store, on
/// every request, so a revocation takes effect on the next one: no token, or one the store does not
/// know (or has revoked), is 401 with `WWW-Authenticate`. Routes then check their scope (403).
struct TokenAuthentication: RouterMiddleware {
    typealias Context = ServerContext
    let store: any CatalogStore
    static let openPaths: Set<String> = ["/healthz", "/openapi.json"]

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        // The open routes, and the dashboard's pages, which sign in with a session of their own.
        if Self.openPaths.contains(request.uri.path) || DashboardRoutes.owns(request.uri.path) { return try await next(request, context) }
        guard let presented = TokenSecret.presented(request.headers[.authorization]) else { throw APIError.unauthorized }
        let live = try store.liveTokens()  // inline: see the port's note
        guard let token = TokenSecret.match(presented, in: live) else {
            throw APIError(.unauthorized, "unknown or revoked token", headers: APIError.unauthorized.headers)
        }
        var context = context
        context.token = token
        return try await next(request, context)
    }
}
