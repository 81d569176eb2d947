import Foundation
import RelayCore

extension V1 {
    /// `GET /v1/audit/entries`: `{"entries": [AuditEntry]}`, each entry exactly as hashed into the log.
    public struct AuditEntries: WireReadable, WireWritable {
        public var entries: [JSONValue]

        public init(entries: [JSONValue]) { self.entries = entries }

        public init(json: JSONValue) throws(WireError) { entries = try WireReader(json).array("entries") { element, _ in element } }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("entries", .array(entries))
            return object
        }
    }

    /// `GET /v1/audit/proof/inclusion`: `{"leaf_index", "tree_size", "hashes"}`.
    public struct InclusionProof: WireReadable, WireWritable {
        public var leafIndex: Int
        public var treeSize: Int
        public var hashes: [[UInt8]]

        public init(leafIndex: Int, treeSize: Int, hashes: [[UInt8]]) {
            self.leafIndex = leafIndex
            self.treeSize = treeSize
            self.hashes = hashes
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            leafIndex = try reader.int("leaf_index")
            treeSize = try reader.int("tree_size")
            hashes = try reader.hashes("hashes")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("leaf_index", .integer(leafIndex))
            object.add("tree_size", .integer(treeSize))
            object.add("hashes", .array(hashes.map { .string(Base64URL.encode($0)) }))
            return object
        }
    }

    /// `GET /v1/audit/proof/consistency`: `{"from", "to", "hashes"}`.
    public struct ConsistencyProof: WireReadable, WireWritable {
        public var from: Int
        public var to: Int
        public var hashes: [[UInt8]]

        public init(from: Int, to: Int, hashes: [[UInt8]]) {
            self.from = from
            self.to = to
            self.hashes = hashes
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            from = try reader.int("from")
            to = try reader.int("to")
            hashes = try reader.hashes("hashes")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("from", .integer(from))
            object.add("to", .integer(to))
            object.add("hashes", .array(hashes.map { .string(Base64URL.encode($0)) }))
            return object
        }
    }

    /// `GET /v1/audit/reports/{id}`: the report's consent history and delivery history (audit
    /// entries: states, times, principals, redaction summaries; no content).
    public struct AuditHistory: WireReadable, WireWritable {
        public var reportID: String
        public var consentHistory: [JSONValue]
        public var deliveryHistory: [JSONValue]

        public init(reportID: String, consentHistory: [JSONValue], deliveryHistory: [JSONValue]) {
            self.reportID = reportID
            self.consentHistory = consentHistory
            self.deliveryHistory = deliveryHistory
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            reportID = try reader.string("report_id")
            consentHistory = try reader.array("consent_history") { element, _ in element }
            deliveryHistory = try reader.array("delivery_history") { element, _ in element }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("report_id", .string(reportID))
            object.add("consent_history", .array(consentHistory))
            object.add("delivery_history", .array(deliveryHistory))
            return object
        }
    }

    /// One delivery item as auditors and administrators see it (no content).
    public struct DeliveryItem: WireReadable, WireWritable, Equatable {
        public var deliveryID: String
        public var reportID: String
        public var intakeID: String
        public var kind: DeliveryKind
        public var state: DeliveryState
        public var attempts: Int
        public var risk: Risk
        public var deliveredAt: Date?
        public var deadLetteredAt: Date?

        public init(deliveryID: String, reportID: String, intakeID: String, kind: DeliveryKind, state: DeliveryState, attempts: Int, risk: Risk,
                    deliveredAt: Date?, deadLetteredAt: Date?) {
            self.deliveryID = deliveryID
            self.reportID = reportID
            self.intakeID = intakeID
            self.kind = kind
            self.state = state
            self.attempts = attempts
            self.risk = risk
            self.deliveredAt = deliveredAt
            self.deadLetteredAt = deadLetteredAt
        }

        public init(json: JSONValue) throws(WireError) { try self.init(json: json, pointer: "") }

        init(json: JSONValue, pointer: String) throws(WireError) {
            let reader = try WireReader(json, pointer: pointer)
            deliveryID = try reader.string("delivery_id")
            reportID = try reader.string("report_id")
            intakeID = try reader.string("intake_id")
            kind = try reader.oneOf("kind", DeliveryKind.self)
            state = try reader.oneOf("state", DeliveryState.self)
            attempts = try reader.int("attempts")
            risk = try reader.oneOf("risk", Risk.self)
            deliveredAt = try reader.optionalDate("delivered_at")
            deadLetteredAt = try reader.optionalDate("dead_lettered_at")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("delivery_id", .string(deliveryID))
            object.add("report_id", .string(reportID))
            object.add("intake_id", .string(intakeID))
            object.add("kind", .string(kind.rawValue))
            object.add("state", .string(state.rawValue))
            object.add("attempts", .integer(attempts))
            object.add("risk", .string(risk.rawValue))
            object.add("delivered_at", ifPresent: deliveredAt.map { .string(RFC3339.format($0)) })
            object.add("dead_lettered_at", ifPresent: deadLetteredAt.map { .string(RFC3339.format($0)) })
            return object
        }
    }

    /// `GET /v1/deliveries`: `{"deliveries": [DeliveryItem], "next": CURSOR|null}`.
    public struct DeliveryPage: WireReadable, WireWritable {
        public var deliveries: [DeliveryItem]
        public var next: String?

        public init(deliveries: [DeliveryItem], next: String?) {
            self.deliveries = deliveries
            self.next = next
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            deliveries = try reader.array("deliveries") { element, pointer throws(WireError) in try DeliveryItem(json: element, pointer: pointer) }
            next = try reader.cursor()
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("deliveries", objects: deliveries.map(\.object))
            object.add("next", next.map(JSONValue.string) ?? .null)
            return object
        }
    }
}

extension WireReader {
    /// An array of base64url hashes.
    public func hashes(_ key: String) throws(WireError) -> [[UInt8]] {
        try array(key) { element, pointer throws(WireError) in
            guard let hash = element.stringValue.flatMap(Base64URL.decode) else { throw WireError(pointer: pointer, detail: "must be base64url") }
            return Array(hash)
        }
    }
}

extension V1 {
    /// `GET /v1/stats`: the counts and measures as ``RelayCore/StatsResult`` publishes them
    /// (suppression applied there, once, for the API and relayctl alike).
    public typealias Stats = StatsResult
}

extension StatsResult: WireWritable {
    public var object: JSONObjectWriter {
        var object = JSONObjectWriter()
        for (key, value) in jsonValue.objectValue ?? [:] { object.add(key, value) }
        return object
    }
}
