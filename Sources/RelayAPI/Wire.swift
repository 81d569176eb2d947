import Foundation
import RelayCore

/// The v1 wire types: every request and response body of the centre and intake APIs, written by
/// the server and read by the client from this one definition (the auditor's and operations'
/// bodies are still written in their controllers).
///
/// The types convert through ``JSONValue`` rather than `Codable`: the wire's JSON is the relay's
/// own strict dialect (duplicate keys refused, integers exact, canonical output so that signed
/// receipts keep their bytes), and a stored sealed body is written into a response as the text it
/// is, which a `JSONEncoder` cannot do.
public enum V1 {}

/// A JSON object written member by member, in key order (as JCS would put them). A member can be
/// JSON text kept as stored — a sealed envelope — written without a parse.
public struct JSONObjectWriter: Sendable {
    private var members: [(key: String, json: [UInt8])] = []

    public init() {}

    public mutating func add(_ key: String, _ value: JSONValue) { members.append((key, value.canonicalBytes)) }

    /// `json` must be one JSON value (the store keeps sealed bodies as canonical JSON text).
    public mutating func add(_ key: String, json: String) { members.append((key, Array(json.utf8))) }

    /// Adds the member only when there is a value.
    public mutating func add(_ key: String, ifPresent value: JSONValue?) {
        if let value { add(key, value) }
    }

    /// An array of objects written the same way.
    public mutating func add(_ key: String, objects: [JSONObjectWriter]) {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (index, object) in objects.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += object.bytes
        }
        json.append(UInt8(ascii: "]"))
        members.append((key, json))
    }

    /// The object, members in key order.
    public var bytes: [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += JSONValue.string(member.key).canonicalBytes
            out.append(UInt8(ascii: ":"))
            out += member.json
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

/// A body the relay writes.
public protocol WireWritable: Sendable {
    var object: JSONObjectWriter { get }
}

/// A body the client reads; a member missing or of the wrong type is a ``WireError`` naming it.
public protocol WireReadable: Sendable {
    init(json: JSONValue) throws(WireError)
}

extension WireWritable {
    /// The body as a parsed value (for tests and for a client that keeps it).
    public var jsonValue: JSONValue { (try? JSONParser.parse(object.bytes)) ?? .null }
}

/// A response body that does not have the shape the contract gives it.
public struct WireError: Error, Sendable, Equatable, CustomStringConvertible {
    public var pointer: String
    public var detail: String

    public init(pointer: String, detail: String) {
        self.pointer = pointer
        self.detail = detail
    }

    public var description: String { "the relay's answer is not as the API describes: \(pointer.isEmpty ? "(body)" : pointer) \(detail)" }
}

/// Reads the members of one object of a response, each failure naming its pointer.
public struct WireReader {
    public let json: JSONValue
    public let pointer: String

    public init(_ json: JSONValue, pointer: String = "") throws(WireError) {
        guard json.objectValue != nil else { throw WireError(pointer: pointer, detail: "must be an object") }
        self.json = json
        self.pointer = pointer
    }

    func fail(_ key: String, _ detail: String) -> WireError { WireError(pointer: "\(pointer)/\(key)", detail: detail) }

    public func string(_ key: String) throws(WireError) -> String {
        guard let value = json[key]?.stringValue else { throw fail(key, json[key] == nil ? "is missing" : "must be a string") }
        return value
    }

    public func optionalString(_ key: String) throws(WireError) -> String? {
        guard let value = json[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw fail(key, "must be a string") }
        return text
    }

    public func int(_ key: String) throws(WireError) -> Int {
        guard let number = json[key]?.numberValue, number.rounded() == number, abs(number) < 9e15 else {
            throw fail(key, json[key] == nil ? "is missing" : "must be a whole number")
        }
        return Int(number)
    }

    public func uuid(_ key: String) throws(WireError) -> UUID {
        guard let id = UUID(canonical: try string(key)) else { throw fail(key, "must be a UUID in lower-case text") }
        return id
    }

    public func date(_ key: String) throws(WireError) -> Date {
        guard let date = RFC3339.parse(try string(key)) else { throw fail(key, "must be an RFC 3339 date-time") }
        return date
    }

    public func optionalDate(_ key: String) throws(WireError) -> Date? {
        guard let text = try optionalString(key) else { return nil }
        guard let date = RFC3339.parse(text) else { throw fail(key, "must be an RFC 3339 date-time") }
        return date
    }

    public func oneOf<Value: RawRepresentable>(_ key: String, _: Value.Type) throws(WireError) -> Value where Value.RawValue == String {
        guard let value = Value(rawValue: try string(key)) else { throw fail(key, "is not one of the contract's values") }
        return value
    }

    public func value(_ key: String) throws(WireError) -> JSONValue {
        guard let value = json[key], value != .null else { throw fail(key, "is missing") }
        return value
    }

    public func optionalValue(_ key: String) -> JSONValue? {
        guard let value = json[key], value != .null else { return nil }
        return value
    }

    /// Each element of an array member, read by `read` with its own pointer.
    public func array<Element>(_ key: String, _ read: (JSONValue, String) throws(WireError) -> Element) throws(WireError) -> [Element] {
        guard let elements = json[key]?.arrayValue else { throw fail(key, json[key] == nil ? "is missing" : "must be an array") }
        var result: [Element] = []
        for (index, element) in elements.enumerated() { result.append(try read(element, "\(pointer)/\(key)/\(index)")) }
        return result
    }

    /// A signed receipt member.
    public func receipt(_ key: String) throws(WireError) -> SignedReceipt {
        guard let receipt = SignedReceipt(json: try value(key)) else { throw fail(key, "must be a signed receipt") }
        return receipt
    }

    public func optionalReceipt(_ key: String) throws(WireError) -> SignedReceipt? {
        guard json[key] != nil, json[key] != .null else { return nil }
        return try receipt(key)
    }
}

/// A listing's cursor: where to continue (or poll) from. Some listings end with `null`.
extension WireReader {
    public func cursor(_ key: String = "next") throws(WireError) -> String? { try optionalString(key) }
}

/// `application/problem+json` (RFC 9457) as the relay writes it.
extension V1 {
    public struct Problem: WireReadable, WireWritable, Equatable {
        public struct Violation: Sendable, Equatable {
            public var pointer: String
            public var detail: String

            public init(pointer: String, detail: String) {
                self.pointer = pointer
                self.detail = detail
            }
        }

        public var type: String
        public var title: String
        public var status: Int
        public var detail: String?
        public var errors: [Violation]
        /// Members the relay adds for some problems (`key_ids`, `retry_after`…).
        public var extensions: [String: JSONValue]

        public init(type: String, title: String, status: Int, detail: String?, errors: [Violation] = [], extensions: [String: JSONValue] = [:]) {
            self.type = type
            self.title = title
            self.status = status
            self.detail = detail
            self.errors = errors
            self.extensions = extensions
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            type = try reader.string("type")
            title = try reader.string("title")
            status = try reader.int("status")
            detail = try reader.optionalString("detail")
            errors = json["errors"] == nil ? [] : try reader.array("errors") { element, pointer throws(WireError) in
                let item = try WireReader(element, pointer: pointer)
                return Violation(pointer: try item.string("pointer"), detail: try item.string("detail"))
            }
            var extensions = json.objectValue ?? [:]
            for key in ["type", "title", "status", "detail", "errors"] { extensions[key] = nil }
            self.extensions = extensions
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("type", .string(type))
            object.add("title", .string(title))
            object.add("status", .integer(status))
            object.add("detail", ifPresent: detail.map(JSONValue.string))
            if !errors.isEmpty {
                object.add("errors", .array(errors.map { ["pointer": .string($0.pointer), "detail": .string($0.detail)] }))
            }
            for (key, value) in extensions { object.add(key, value) }
            return object
        }
    }
}
