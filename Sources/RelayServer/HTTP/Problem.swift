import Foundation
import Hummingbird
import RelayCore

/// An RFC 9457 problem (`application/problem+json`). Titles and details are written by the
/// relay, never copied from a request, so no report content or personal data can reach them.
public struct Problem: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// The last segment of the stable type URI `https://reportrelay.invalid/problems/<slug>`.
    public var slug: String
    public var title: String
    public var detail: String
    public var errors: [FieldViolation]
    /// Seconds for a `Retry-After` header (429, 503).
    public var retryAfter: Int?
    /// Extra members (e.g. the key ids the relay holds).
    public var extra: [String: JSONValue]
    /// The request's body was left unread: the response says `Connection: close` and the
    /// connection ends after it, rather than reading and discarding the rest.
    public var closesConnection = false

    public init(status: HTTPResponse.Status, slug: String, title: String, detail: String,
                errors: [FieldViolation] = [], retryAfter: Int? = nil, extra: [String: JSONValue] = [:]) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
        self.extra = extra
    }

    public static let typeBase = "https://reportrelay.invalid/problems/"

    public var jsonValue: JSONValue {
        var members = extra
        members["type"] = .string(Self.typeBase + slug)
        members["title"] = .string(title)
        members["status"] = .integer(Int(status.code))
        members["detail"] = .string(detail)
        if !errors.isEmpty {
            members["errors"] = .array(errors.map { ["pointer": .string($0.pointer), "detail": .string($0.detail)] })
        }
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    /// The HTTP response for this problem.
    public var response: Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if closesConnection { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: jsonValue.canonicalBytes)))
    }
}

extension Problem {
    public static func validation(_ violations: [FieldViolation], detail: String = "The request is not valid; see errors.") -> Problem {
        Problem(status: .badRequest, slug: "validation", title: "Invalid request", detail: detail, errors: violations)
    }

    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, slug: "forbidden", title: "Forbidden", detail: detail)
    }

    public static let notFound = Problem(status: .notFound, slug: "not-found", title: "Not found",
                                         detail: "No such resource is visible to this principal.")

    public static func conflict(_ slug: String, _ detail: String) -> Problem {
        Problem(status: .conflict, slug: slug, title: "Conflict", detail: detail)
    }

    public static func unavailable(_ detail: String, retryAfter: Int = 5) -> Problem {
        Problem(status: .serviceUnavailable, slug: "unavailable", title: "Service unavailable", detail: detail, retryAfter: retryAfter)
    }
}
