import Foundation
import RelayCore

extension V1 {
    /// One case update as the centre reads it (`GET /v1/updates`). The sealed message and the
    /// receipt are written as stored.
    public struct CaseUpdate: WireReadable, WireWritable {
        public var updateID: UUID
        public var reportID: UUID
        public var centreReference: String?
        public var status: CaseUpdateStatus
        public var outcome: PoliceOutcome?
        /// As sent by police (RFC 3339).
        public var occurredAt: String
        /// When the relay took it (RFC 3339 with milliseconds).
        public var receivedAt: String
        /// The sealed message: canonical envelope JSON text.
        public var message: String?
        /// The signed `update_accepted` receipt: canonical JSON text.
        public var receipt: String

        public init(updateID: UUID, reportID: UUID, centreReference: String?, status: CaseUpdateStatus, outcome: PoliceOutcome?,
                    occurredAt: String, receivedAt: String, message: String?, receipt: String) {
            self.updateID = updateID
            self.reportID = reportID
            self.centreReference = centreReference
            self.status = status
            self.outcome = outcome
            self.occurredAt = occurredAt
            self.receivedAt = receivedAt
            self.message = message
            self.receipt = receipt
        }

        public init(json: JSONValue) throws(WireError) { try self.init(json: json, pointer: "") }

        init(json: JSONValue, pointer: String) throws(WireError) {
            let reader = try WireReader(json, pointer: pointer)
            updateID = try reader.uuid("update_id")
            reportID = try reader.uuid("report_id")
            centreReference = try reader.optionalString("centre_reference")
            status = try reader.oneOf("status", CaseUpdateStatus.self)
            if let value = reader.optionalValue("outcome") {
                do {
                    outcome = try PoliceOutcome(json: value, pointer: "\(pointer)/outcome")
                } catch {
                    throw WireError(pointer: "\(pointer)/outcome", detail: "is not a police outcome")
                }
            } else {
                outcome = nil
            }
            occurredAt = try reader.string("occurred_at")
            receivedAt = try reader.string("received_at")
            message = reader.optionalValue("message")?.canonicalString
            receipt = try reader.value("receipt").canonicalString
        }

        /// The receipt, parsed.
        public var signedReceipt: SignedReceipt? { (try? JSONParser.parse(Array(receipt.utf8))).flatMap(SignedReceipt.init(json:)) }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("update_id", .string(updateID.lowercasedString))
            object.add("report_id", .string(reportID.lowercasedString))
            object.add("centre_reference", ifPresent: centreReference.map(JSONValue.string))
            object.add("status", .string(status.rawValue))
            object.add("outcome", ifPresent: outcome?.jsonValue)
            object.add("occurred_at", .string(occurredAt))
            object.add("received_at", .string(receivedAt))
            if let message { object.add("message", json: message) }
            object.add("receipt", json: receipt)
            return object
        }
    }

    /// `GET /v1/updates`: `{"updates": [CaseUpdate], "next"}`, `next` always the position to
    /// continue (or poll) from.
    public struct UpdatePage: WireReadable, WireWritable {
        public var updates: [CaseUpdate]
        public var next: String

        public init(updates: [CaseUpdate], next: String) {
            self.updates = updates
            self.next = next
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            updates = try reader.array("updates") { element, pointer throws(WireError) in try CaseUpdate(json: element, pointer: pointer) }
            next = try reader.string("next")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("updates", objects: updates.map(\.object))
            object.add("next", .string(next))
            return object
        }
    }

    /// `POST /v1/updates/ack`: `{"update_ids": [...]}`.
    public struct UpdateAckRequest: WireWritable {
        public var updateIDs: [String]

        public init(updateIDs: [String]) { self.updateIDs = updateIDs }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("update_ids", .array(updateIDs.map(JSONValue.string)))
            return object
        }
    }

    /// The answer to `POST /v1/updates/ack`: per update, `seen` with an `update_seen` receipt, or `unknown`.
    public struct UpdateAckResults: WireReadable, WireWritable {
        public struct Result: Sendable, Equatable {
            public var updateID: String
            public var seen: Bool
            public var receipt: JSONValue?

            public init(updateID: String, seen: Bool, receipt: JSONValue?) {
                self.updateID = updateID
                self.seen = seen
                self.receipt = receipt
            }
        }

        public var results: [Result]

        public init(results: [Result]) { self.results = results }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            results = try reader.array("results") { element, pointer throws(WireError) in
                let item = try WireReader(element, pointer: pointer)
                let status = try item.string("status")
                guard status == "seen" || status == "unknown" else { throw WireError(pointer: "\(pointer)/status", detail: "must be seen or unknown") }
                return Result(updateID: try item.string("update_id"), seen: status == "seen", receipt: item.optionalValue("receipt"))
            }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("results", .array(results.map { result in
                var members: [String: JSONValue] = ["update_id": .string(result.updateID), "status": .string(result.seen ? "seen" : "unknown")]
                if let receipt = result.receipt { members["receipt"] = receipt }
                return .object(members)
            }))
            return object
        }
    }

    /// `POST /v1/intake/reports/{id}/updates`: `{"update_id", "status", "outcome"?, "occurred_at", "message"?}`.
    public struct UpdateRequest: WireWritable {
        public var updateID: UUID
        public var status: CaseUpdateStatus
        public var outcome: PoliceOutcome?
        public var occurredAt: Date
        /// The message sealed to the centre's key.
        public var message: JSONValue?

        public init(updateID: UUID, status: CaseUpdateStatus, outcome: PoliceOutcome?, occurredAt: Date, message: JSONValue?) {
            self.updateID = updateID
            self.status = status
            self.outcome = outcome
            self.occurredAt = occurredAt
            self.message = message
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("update_id", .string(updateID.lowercasedString))
            object.add("status", .string(status.rawValue))
            object.add("outcome", ifPresent: outcome?.jsonValue)
            object.add("occurred_at", .string(RFC3339.format(occurredAt)))
            object.add("message", ifPresent: message)
            return object
        }
    }

    /// `201`/`200` of `POST /v1/intake/reports/{id}/updates`: `{"update_id", "report_id", "receipt"}`.
    public struct UpdatePosted: WireReadable, WireWritable {
        public var updateID: String
        public var reportID: String
        public var receipt: JSONValue

        public init(updateID: String, reportID: String, receipt: JSONValue) {
            self.updateID = updateID
            self.reportID = reportID
            self.receipt = receipt
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            updateID = try reader.string("update_id")
            reportID = try reader.string("report_id")
            receipt = try reader.value("receipt")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("update_id", .string(updateID))
            object.add("report_id", .string(reportID))
            object.add("receipt", receipt)
            return object
        }
    }

    /// `GET /v1/intake/reports/{id}/update-key`: the centre's key to seal an update's message to.
    public struct UpdateKey: WireReadable, WireWritable {
        public var reportID: String
        public var centreID: String
        public var suite: String
        public var keyID: String
        /// Raw X25519 public key bytes.
        public var publicKey: [UInt8]

        public init(reportID: String, centreID: String, suite: String, keyID: String, publicKey: [UInt8]) {
            self.reportID = reportID
            self.centreID = centreID
            self.suite = suite
            self.keyID = keyID
            self.publicKey = publicKey
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            reportID = try reader.string("report_id")
            centreID = try reader.string("centre_id")
            suite = try reader.string("suite")
            keyID = try reader.string("key_id")
            guard let key = Base64URL.decode(try reader.string("public_key")) else {
                throw WireError(pointer: "/public_key", detail: "must be base64url")
            }
            publicKey = Array(key)
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("report_id", .string(reportID))
            object.add("centre_id", .string(centreID))
            object.add("suite", .string(suite))
            object.add("key_id", .string(keyID))
            object.add("public_key", .string(Base64URL.encode(publicKey)))
            return object
        }
    }
}
