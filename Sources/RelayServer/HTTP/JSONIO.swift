import Foundation
import Hummingbird
import NIOCore
import RelayAPI
import RelayCore

extension Response {
    /// A JSON response (canonical encoding).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.canonicalBytes)))
    }
}

extension JSONObjectWriter {
    /// The object as a JSON response.
    func response(status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

extension Response {
    /// A v1 body as a JSON response.
    static func api(_ body: some WireWritable, status: HTTPResponse.Status = .ok) -> Response {
        body.object.response(status: status)
    }
}

extension Request {
    /// The body as strict JSON: `415` unless the content type is `application/json` (charset
    /// absent or UTF-8), `413` past `limit` bytes — at once when the declared `Content-Length` is
    /// over it, before anything is read — `503` when the bodies in flight have spent `budget`,
    /// `400` with pointer `""` when it is not UTF-8 JSON. Returns the raw bytes too.
    mutating func jsonBody(limit: Int, budget: BodyBudget) async throws -> (value: JSONValue, bytes: [UInt8]) {
        let parts = (headers[.contentType] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let charsets = parts.dropFirst().map { $0.replacingOccurrences(of: " ", with: "") }
        guard parts.first == "application/json", charsets.allSatisfy({ $0 == "charset=utf-8" || $0 == "charset=\"utf-8\"" }) else {
            throw Problem(status: .unsupportedMediaType, slug: "unsupported-media-type", title: "Unsupported media type",
                          detail: "Send the body as application/json in UTF-8 (no charset parameter, or charset=utf-8).")
        }
        var tooLarge = Problem(status: .contentTooLarge, slug: "too-large", title: "Body too large",
                               detail: "The request body is over the configured limit of \(limit) bytes.")
        tooLarge.closesConnection = true
        var reservation = limit
        if let declared = headers[.contentLength] {
            guard let length = Int(declared) else { throw tooLarge }
            guard length <= limit else { throw tooLarge }
            reservation = length
        }
        guard budget.reserve(reservation) else {
            var busy = Problem.unavailable("The relay is reading many request bodies at once; try again shortly.", retryAfter: 5)
            busy.closesConnection = true
            throw busy
        }
        defer { budget.release(reservation) }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: limit)
        } catch {
            throw tooLarge
        }
        let bytes = Array(buffer.readableBytesView)
        do {
            return (try JSONParser.parse(bytes), bytes)
        } catch {
            throw Problem.validation([FieldViolation(pointer: "", detail: "not valid UTF-8 JSON (\(error.reason) at byte \(error.offset))")])
        }
    }
}

/// The one reader of request fields, for JSON bodies and query parameters alike: every
/// violation is collected with its pointer (`/field`, or `/parameter` for a query), so that one
/// 400 names them all. In a query every value is text; numbers are read from it.
struct FieldReader {
    let members: [String: JSONValue]
    /// Values are query parameters (text), not JSON.
    let isQuery: Bool
    var violations: [FieldViolation] = []

    /// A JSON body: it must be an object with no fields outside `allowed`.
    init(_ value: JSONValue, allowed: Set<String>) {
        members = value.objectValue ?? [:]
        isQuery = false
        if value.objectValue == nil {
            violations.append(FieldViolation(pointer: "", detail: "must be a JSON object"))
        }
        for key in members.keys.sorted() where !allowed.contains(key) {
            violations.append(FieldViolation(pointer: "/" + jsonPointerToken(key), detail: "unknown field"))
        }
    }

    /// A request's query parameters.
    init(query request: Request) {
        var members: [String: JSONValue] = [:]
        for (key, value) in request.uri.queryParameters { members[String(key)] = .string(String(value)) }
        self.members = members
        isQuery = true
    }

    /// The value of `key` if present and usable: `null`, or an empty query parameter, is a
    /// violation rather than the default (leave the field out instead).
    private mutating func present(_ key: String) -> JSONValue? {
        guard let value = members[key] else { return nil }
        if value == .null {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must not be null (leave the field out instead)"))
            return nil
        }
        if isQuery, value.stringValue?.isEmpty == true {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must not be empty (leave the parameter out instead)"))
            return nil
        }
        return value
    }

    mutating func uuid(_ key: String, pointer: String? = nil) -> UUID? {
        let path = pointer ?? "/\(key)"
        guard let text = members[key]?.stringValue, let id = UUID(canonical: text) else {
            violations.append(FieldViolation(pointer: path, detail: members[key] == nil ? "is required" : "must be a UUID in lower-case text"))
            return nil
        }
        return id
    }

    mutating func string(_ key: String, required: Bool, maxLength: Int = 500) -> String? {
        guard members[key] != nil else {
            if required { violations.append(FieldViolation(pointer: "/\(key)", detail: "is required")) }
            return nil
        }
        guard let value = present(key) else { return nil }
        guard let text = value.stringValue, !text.isEmpty, text.count <= maxLength else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must be a string of 1 to \(maxLength) characters"))
            return nil
        }
        return text
    }

    /// A whole number in `range`; absent gives `fallback` (required when that is `nil`).
    mutating func int(_ key: String, range: ClosedRange<Int>, default fallback: Int?) -> Int? {
        guard members[key] != nil else {
            if fallback == nil { violations.append(FieldViolation(pointer: "/\(key)", detail: "is required")) }
            return fallback
        }
        guard let value = present(key) else { return nil }
        let bounds = range.upperBound == Int.max ? "from \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
        // A query's text is read as an integer; a JSON number is compared as a double first, since
        // Int(1e19) would trap.
        let whole: Int? = if isQuery {
            value.stringValue.flatMap { Int($0) }
        } else {
            value.numberValue.flatMap { $0.rounded() == $0 && $0 >= Double(Int.min) && $0 < Double(Int.max) ? Int($0) : nil }
        }
        guard let whole, range.contains(whole) else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must be a whole number \(bounds)"))
            return nil
        }
        return whole
    }

    /// One of a closed vocabulary.
    mutating func oneOf<Value: RawRepresentable & CaseIterable>(_ key: String, _: Value.Type) -> Value? where Value.RawValue == String {
        guard members[key] != nil, let present = present(key) else { return nil }
        guard let text = present.stringValue, let value = Value(rawValue: text) else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must be one of \(Value.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return value
    }

    /// An RFC 3339 time, required, no further ahead than the allowed clock skew.
    mutating func timestamp(_ key: String, now: Date) -> Date? {
        guard members[key] != nil else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "is required"))
            return nil
        }
        guard let text = present(key)?.stringValue, let date = RFC3339.parse(text) else {
            if members[key] != .null { violations.append(FieldViolation(pointer: "/\(key)", detail: "must be an RFC 3339 date-time such as 2026-11-20T18:30:00Z")) }
            return nil
        }
        guard date.timeIntervalSince(now) <= ReportValidator.clockSkew else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "is in the future"))
            return nil
        }
        return date
    }

    /// A value present and not null (for members read by their own parser).
    mutating func value(_ key: String) -> JSONValue? {
        guard members[key] != nil else { return nil }
        return present(key)
    }

    /// A list of 1 to `maxCount` UUIDs.
    mutating func uuids(_ key: String, maxCount: Int) -> [UUID] {
        guard let elements = members[key]?.arrayValue, (1...maxCount).contains(elements.count) else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must be an array of 1 to \(maxCount) UUIDs"))
            return []
        }
        var ids: [UUID] = []
        for (index, element) in elements.enumerated() {
            guard let id = element.stringValue.flatMap(UUID.init(canonical:)) else {
                violations.append(FieldViolation(pointer: "/\(key)/\(index)", detail: "must be a UUID in lower-case text"))
                continue
            }
            ids.append(id)
        }
        return ids
    }

    /// A listing cursor returned as `next` by an earlier call.
    mutating func cursor(_ key: String) -> Int64? {
        guard members[key] != nil, let present = present(key) else { return nil }
        guard let text = present.stringValue, let value = Int64(text), value >= 0 else {
            violations.append(FieldViolation(pointer: "/\(key)", detail: "must be a cursor returned as next"))
            return nil
        }
        return value
    }

    func finish() throws {
        if !violations.isEmpty { throw Problem.validation(violations) }
    }
}
