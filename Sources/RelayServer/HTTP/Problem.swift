import Foundation
import Hummingbird
import RelayApplication
import RelayAPI
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

    /// The body, written as the v1 problem type the client reads.
    public var body: V1.Problem {
        V1.Problem(type: Self.typeBase + slug, title: title, status: Int(status.code), detail: detail,
                   errors: errors.map { V1.Problem.Violation(pointer: $0.pointer, detail: $0.detail) }, extensions: extra)
    }

    public var jsonValue: JSONValue { body.jsonValue }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    /// The HTTP response for this problem.
    public var response: Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if closesConnection { headers[.connection] = "close" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.object.bytes)))
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

extension Problem {
    /// The one mapping from the application's errors to HTTP.
    init(_ error: RelayError) {
        switch error {
        case .invalidRequest(let violations):
            self = .validation(violations)
        case .invalidReport(let violations):
            self = .validation(violations, detail: "The report inside the envelope is not valid; see errors (pointers are into the report).")
        case .unknownEnvelopeKey(let known):
            self = Problem(status: .unprocessableContent, slug: "unknown-key", title: "Unknown envelope key",
                           detail: "The envelope names a key id the relay does not hold; seal to one of key_ids (the first is current).",
                           extra: ["key_ids": .array(known.map { .string($0) })])
        case .unsupportedEnvelopeSuite:
            self = Problem(status: .unprocessableContent, slug: "unsupported-suite", title: "Unsupported envelope suite",
                           detail: "Seal with suite \(Envelope.suiteName).")
        case .envelopeDoesNotOpen:
            self = Problem(status: .unprocessableContent, slug: "envelope", title: "Envelope cannot be opened",
                           detail: "The envelope did not open: it was sealed to another key, for another report id or purpose, or altered.")
        case .reportIDInUse:
            // Worded the same whoever holds the id, so that a clash says nothing about other centres.
            self = .conflict("idempotency", "This report_id is already in use: a retry must send the byte-identical envelope, and a new report needs a new report_id.")
        case .notFound:
            self = .notFound
        case .noIntake(let detail):
            self = .unavailable(detail, retryAfter: 300)
        case .originalUnavailable:
            self = .conflict("original-unavailable", "The original report can no longer be opened, so a new police view cannot be derived.")
        case .changedMeanwhile:
            self = .conflict("changed", "The report changed while the request was being handled; send it again.")
        case .updateIDInUse:
            self = .conflict("idempotency", "This update_id is already in use: a retry must send the identical body, and a new update needs a new update_id.")
        case .onlyClosedAfterWithdrawal:
            self = .conflict("consent-withdrawn", "The victim withdrew consent after delivery: only a final `closed` update is accepted for this report.")
        case .noUpdateKey:
            self = Problem(status: .unprocessableContent, slug: "no-update-key", title: "Centre has no update key",
                           detail: "The centre that sent this report has no HPKE key configured, so a message cannot be sealed to it; post the update without a message.")
        }
    }
}
