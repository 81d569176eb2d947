import Foundation
import RelayCore

extension V1 {
    /// `POST /v1/intake/lease`: `{"max"?, "lease_seconds"?}`.
    public struct LeaseRequest: WireWritable {
        public var max: Int?
        public var leaseSeconds: Int?

        public init(max: Int?, leaseSeconds: Int?) {
            self.max = max
            self.leaseSeconds = leaseSeconds
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("max", ifPresent: max.map(JSONValue.integer))
            object.add("lease_seconds", ifPresent: leaseSeconds.map(JSONValue.integer))
            return object
        }
    }

    /// One leased item. The envelope (the police view sealed to the intake) is written as stored.
    public struct LeasedItem: WireReadable, WireWritable {
        public var deliveryID: String
        public var reportID: UUID
        public var kind: DeliveryKind
        public var leaseToken: String
        /// RFC 3339 with milliseconds.
        public var leaseExpiresAt: String
        public var attempts: Int
        public var risk: Risk
        /// Canonical envelope JSON text.
        public var envelope: String

        public init(deliveryID: String, reportID: UUID, kind: DeliveryKind, leaseToken: String, leaseExpiresAt: String, attempts: Int,
                    risk: Risk, envelope: String) {
            self.deliveryID = deliveryID
            self.reportID = reportID
            self.kind = kind
            self.leaseToken = leaseToken
            self.leaseExpiresAt = leaseExpiresAt
            self.attempts = attempts
            self.risk = risk
            self.envelope = envelope
        }

        public init(json: JSONValue) throws(WireError) { try self.init(json: json, pointer: "") }

        init(json: JSONValue, pointer: String) throws(WireError) {
            let reader = try WireReader(json, pointer: pointer)
            deliveryID = try reader.string("delivery_id")
            reportID = try reader.uuid("report_id")
            kind = try reader.oneOf("kind", DeliveryKind.self)
            leaseToken = try reader.string("lease_token")
            leaseExpiresAt = try reader.string("lease_expires_at")
            attempts = try reader.int("attempts")
            risk = try reader.oneOf("risk", Risk.self)
            envelope = try reader.value("envelope").canonicalString
        }

        /// The envelope, parsed.
        public func sealed() throws(WireError) -> Envelope {
            do {
                return try Envelope(json: try JSONParser.parse(Array(envelope.utf8)), pointer: "/envelope")
            } catch {
                throw WireError(pointer: "/envelope", detail: "is not an envelope")
            }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("delivery_id", .string(deliveryID))
            object.add("report_id", .string(reportID.lowercasedString))
            object.add("kind", .string(kind.rawValue))
            object.add("lease_token", .string(leaseToken))
            object.add("lease_expires_at", .string(leaseExpiresAt))
            object.add("attempts", .integer(attempts))
            object.add("risk", .string(risk.rawValue))
            object.add("envelope", json: envelope)
            return object
        }
    }

    /// `200` of `POST /v1/intake/lease`: `{"items": [LeasedItem]}`.
    public struct LeasePage: WireReadable, WireWritable {
        public var items: [LeasedItem]

        public init(items: [LeasedItem]) { self.items = items }

        public init(json: JSONValue) throws(WireError) {
            items = try WireReader(json).array("items") { element, pointer throws(WireError) in try LeasedItem(json: element, pointer: pointer) }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("items", objects: items.map(\.object))
            return object
        }
    }

    /// One acknowledgement in `POST /v1/intake/ack`.
    public struct Ack: Sendable, Equatable {
        public var deliveryID: String
        public var leaseToken: String
        public var policeReference: String?

        public init(deliveryID: String, leaseToken: String, policeReference: String?) {
            self.deliveryID = deliveryID
            self.leaseToken = leaseToken
            self.policeReference = policeReference
        }
    }

    /// `POST /v1/intake/ack`: `{"acks": [{"delivery_id", "lease_token", "police_reference"?}]}`.
    public struct AckRequest: WireWritable {
        public var acks: [Ack]

        public init(acks: [Ack]) { self.acks = acks }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("acks", .array(acks.map { ack in
                var members: [String: JSONValue] = ["delivery_id": .string(ack.deliveryID), "lease_token": .string(ack.leaseToken)]
                if let reference = ack.policeReference { members["police_reference"] = .string(reference) }
                return .object(members)
            }))
            return object
        }
    }

    /// The answer to `POST /v1/intake/ack`: per item `delivered` (with a `delivered` receipt),
    /// `superseded`, `stale_lease` or `unknown`.
    public struct AckResults: WireReadable, WireWritable {
        public struct Result: Sendable, Equatable {
            public var deliveryID: String
            public var outcome: AckOutcome
            public var receipt: JSONValue?

            public init(deliveryID: String, outcome: AckOutcome, receipt: JSONValue?) {
                self.deliveryID = deliveryID
                self.outcome = outcome
                self.receipt = receipt
            }
        }

        public var results: [Result]

        public init(results: [Result]) { self.results = results }

        public init(json: JSONValue) throws(WireError) {
            results = try WireReader(json).array("results") { element, pointer throws(WireError) in
                let item = try WireReader(element, pointer: pointer)
                return Result(deliveryID: try item.string("delivery_id"), outcome: try item.oneOf("status", AckOutcome.self),
                              receipt: item.optionalValue("receipt"))
            }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("results", .array(results.map { result in
                var members: [String: JSONValue] = ["delivery_id": .string(result.deliveryID), "status": .string(result.outcome.rawValue)]
                if let receipt = result.receipt { members["receipt"] = receipt }
                return .object(members)
            }))
            return object
        }
    }

    /// `POST /v1/intake/nack`.
    public struct NackRequest: WireWritable {
        public var deliveryID: String
        public var leaseToken: String
        public var retryAfterSeconds: Int?
        /// The intake's own words; the relay never stores or logs them.
        public var reason: String?

        public init(deliveryID: String, leaseToken: String, retryAfterSeconds: Int?, reason: String?) {
            self.deliveryID = deliveryID
            self.leaseToken = leaseToken
            self.retryAfterSeconds = retryAfterSeconds
            self.reason = reason
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("delivery_id", .string(deliveryID))
            object.add("lease_token", .string(leaseToken))
            object.add("retry_after_seconds", ifPresent: retryAfterSeconds.map(JSONValue.integer))
            object.add("reason", ifPresent: reason.map(JSONValue.string))
            return object
        }
    }

    /// `200` of `POST /v1/intake/nack`: `{"delivery_id"}`.
    public struct NackResult: WireReadable, WireWritable {
        public var deliveryID: String

        public init(deliveryID: String) { self.deliveryID = deliveryID }

        public init(json: JSONValue) throws(WireError) { deliveryID = try WireReader(json).string("delivery_id") }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("delivery_id", .string(deliveryID))
            return object
        }
    }

    /// `200` of `POST /v1/intake/extend`: `{"lease_expires_at"}`.
    public struct ExtendResult: WireReadable, WireWritable {
        public var leaseExpiresAt: Date

        public init(leaseExpiresAt: Date) { self.leaseExpiresAt = leaseExpiresAt }

        public init(json: JSONValue) throws(WireError) { leaseExpiresAt = try WireReader(json).date("lease_expires_at") }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("lease_expires_at", .string(RFC3339.format(leaseExpiresAt, milliseconds: true)))
            return object
        }
    }
}
