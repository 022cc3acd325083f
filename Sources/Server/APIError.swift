import Catalog
import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An answer that is not a success: a status and a JSON body `{"error": message, "problems": [...]}`,
/// where each problem names the field (`movements[2].quantity`) and what was expected.
public struct APIError: Error, HTTPResponseError {
    public var status: HTTPResponse.Status
    public var message: String
    public var problems: [(field: String, message: String)]
    public var headers: HTTPFields

    init(_ status: HTTPResponse.Status, _ message: String, problems: [(field: String, message: String)] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.problems = problems
        self.headers = headers
    }

    /// 401 with the challenges a client may answer: a Bearer token, or HTTP Basic with the token as
    /// the password (Google's and Meta's fetchers speak only Basic).
    static var unauthorized: APIError {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .wwwAuthenticate, value: "Bearer realm=\"unifeed\""))
        headers.append(HTTPField(name: .wwwAuthenticate, value: "Basic realm=\"unifeed\", charset=\"UTF-8\""))
        return APIError(.unauthorized, "a token is required: Authorization: Bearer TOKEN, or HTTP Basic with the token as the password", headers: headers)
    }

    var json: JSONValue {
        var members: [(String, JSONValue)] = [("error", .string(message))]
        if !problems.isEmpty {
            members.append(("problems", .array(problems.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) })))
        }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: json.serialized() + "\n"))
        return Response(status: status, headers: headers, body: body)
    }
}

extension JSONValue {
    /// A 200 (or `status`) JSON response.
    func response(_ status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: serialized() + "\n")))
    }
}
