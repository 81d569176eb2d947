import Foundation
import RelayCore

extension V1 {
    /// `POST /v1/reports`: `{"report_id", "envelope"}`.
    public struct SubmitRequest: WireWritable {
        public var reportID: UUID
        public var envelope: JSONValue

        public init(reportID: UUID, envelope: JSONValue) {
            self.reportID = reportID
            self.envelope = envelope
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("report_id", .string(reportID.lowercasedString))
            object.add("envelope", envelope)
            return object
        }
    }

    /// `201`/`200` of `POST /v1/reports`: the domain's ``RelayCore/Acceptance``, whose JSON form is
    /// both what the store keeps and what the wire carries.
    public typealias Acceptance = RelayCore.Acceptance

    /// `latest_update` of a report's status.
    public typealias LatestUpdate = RelayCore.LatestUpdate

    /// `GET /v1/reports/{id}`, and each element of a report listing.
    public struct ReportStatusBody: WireReadable, WireWritable, Equatable {
        public var reportID: UUID
        public var status: ReportStatus
        public var consentLevel: ConsentLevel
        public var acceptedAt: Date
        public var deliveredAt: Date?
        public var attempts: Int
        public var intakeID: String?
        public var policeReference: String?
        public var latestUpdate: LatestUpdate?

        public init(reportID: UUID, status: ReportStatus, consentLevel: ConsentLevel, acceptedAt: Date, deliveredAt: Date?, attempts: Int,
                    intakeID: String?, policeReference: String?, latestUpdate: LatestUpdate?) {
            self.reportID = reportID
            self.status = status
            self.consentLevel = consentLevel
            self.acceptedAt = acceptedAt
            self.deliveredAt = deliveredAt
            self.attempts = attempts
            self.intakeID = intakeID
            self.policeReference = policeReference
            self.latestUpdate = latestUpdate
        }

        public init(json: JSONValue) throws(WireError) { try self.init(json: json, pointer: "") }

        init(json: JSONValue, pointer: String) throws(WireError) {
            let reader = try WireReader(json, pointer: pointer)
            reportID = try reader.uuid("report_id")
            status = try reader.oneOf("status", ReportStatus.self)
            consentLevel = try reader.oneOf("consent_level", ConsentLevel.self)
            acceptedAt = try reader.date("accepted_at")
            deliveredAt = try reader.optionalDate("delivered_at")
            attempts = try reader.int("attempts")
            intakeID = try reader.optionalString("intake_id")
            policeReference = try reader.optionalString("police_reference")
            if let update = reader.optionalValue("latest_update") {
                let inner = try WireReader(update, pointer: "\(pointer)/latest_update")
                let outcome: PoliceOutcome?
                do {
                    outcome = try inner.optionalValue("outcome").map { try PoliceOutcome(json: $0, pointer: "\(pointer)/latest_update/outcome") }
                } catch {
                    throw WireError(pointer: "\(pointer)/latest_update/outcome", detail: "is not a police outcome")
                }
                latestUpdate = LatestUpdate(status: try inner.oneOf("status", CaseUpdateStatus.self), outcome: outcome,
                                            occurredAt: try inner.date("occurred_at"))
            } else {
                latestUpdate = nil
            }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("report_id", .string(reportID.lowercasedString))
            object.add("status", .string(status.rawValue))
            object.add("consent_level", .string(consentLevel.rawValue))
            object.add("accepted_at", .string(RFC3339.format(acceptedAt)))
            object.add("attempts", .integer(attempts))
            object.add("delivered_at", ifPresent: deliveredAt.map { .string(RFC3339.format($0)) })
            object.add("intake_id", ifPresent: intakeID.map(JSONValue.string))
            object.add("police_reference", ifPresent: policeReference.map(JSONValue.string))
            if let latestUpdate {
                var update: [String: JSONValue] = ["status": .string(latestUpdate.status.rawValue), "occurred_at": .string(RFC3339.format(latestUpdate.occurredAt))]
                if let outcome = latestUpdate.outcome { update["outcome"] = outcome.jsonValue }
                object.add("latest_update", .object(update))
            }
            return object
        }
    }

    /// `GET /v1/reports`: `{"reports": [ReportStatus], "next": CURSOR|null}`.
    public struct ReportPage: WireReadable, WireWritable, Equatable {
        public var reports: [ReportStatusBody]
        public var next: String?

        public init(reports: [ReportStatusBody], next: String?) {
            self.reports = reports
            self.next = next
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            reports = try reader.array("reports") { element, pointer throws(WireError) in try ReportStatusBody(json: element, pointer: pointer) }
            next = try reader.cursor()
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("reports", objects: reports.map(\.object))
            object.add("next", next.map(JSONValue.string) ?? .null)
            return object
        }
    }

    /// `PUT /v1/reports/{id}/consent`: `{"consent": Consent}` (the report schema's consent object).
    public struct ConsentChangeRequest: WireWritable {
        public var consent: JSONValue

        public init(consent: JSONValue) { self.consent = consent }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("consent", consent)
            return object
        }
    }

    /// `200` of `PUT /v1/reports/{id}/consent`.
    public struct ConsentChange: WireReadable, WireWritable, Equatable {
        public var reportID: UUID
        public var status: ReportStatus
        public var consentLevel: ConsentLevel
        /// What the change did (`recorded`, `requeued`, `update_forwarded`, `withdrawn`, `unchanged`, …).
        public var effect: String

        public init(reportID: UUID, status: ReportStatus, consentLevel: ConsentLevel, effect: String) {
            self.reportID = reportID
            self.status = status
            self.consentLevel = consentLevel
            self.effect = effect
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            reportID = try reader.uuid("report_id")
            status = try reader.oneOf("status", ReportStatus.self)
            consentLevel = try reader.oneOf("consent_level", ConsentLevel.self)
            effect = try reader.string("effect")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("report_id", .string(reportID.lowercasedString))
            object.add("status", .string(status.rawValue))
            object.add("consent_level", .string(consentLevel.rawValue))
            object.add("effect", .string(effect))
            return object
        }
    }

    /// `GET /v1/receipts` and `GET /v1/intake/receipts`: `{"receipts": [SignedReceipt], "next"}`,
    /// where `next` is always the position to continue (or poll) from.
    public struct ReceiptPage: WireReadable, WireWritable {
        /// Each receipt as stored, so its bytes are the ones signed.
        public var receipts: [JSONValue]
        public var next: String

        public init(receipts: [JSONValue], next: String) {
            self.receipts = receipts
            self.next = next
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            receipts = try reader.array("receipts") { element, _ in element }
            next = try reader.string("next")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("receipts", .array(receipts))
            object.add("next", .string(next))
            return object
        }
    }

    /// `GET /v1/receipts/{receipt_id}/proof`: the receipt's audit entry and its inclusion proof in
    /// a signed checkpoint.
    public struct ReceiptProof: WireReadable, WireWritable {
        public var checkpoint: String
        public var entry: JSONValue
        public var leafIndex: Int
        public var treeSize: Int
        public var hashes: [[UInt8]]

        public init(checkpoint: String, entry: JSONValue, leafIndex: Int, treeSize: Int, hashes: [[UInt8]]) {
            self.checkpoint = checkpoint
            self.entry = entry
            self.leafIndex = leafIndex
            self.treeSize = treeSize
            self.hashes = hashes
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            checkpoint = try reader.string("checkpoint")
            entry = try reader.value("entry")
            leafIndex = try reader.int("leaf_index")
            treeSize = try reader.int("tree_size")
            hashes = try reader.hashes("hashes")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("checkpoint", .string(checkpoint))
            object.add("entry", entry)
            object.add("leaf_index", .integer(leafIndex))
            object.add("tree_size", .integer(treeSize))
            object.add("hashes", .array(hashes.map { .string(Base64URL.encode($0)) }))
            return object
        }
    }
}

extension Acceptance: WireReadable, WireWritable {
    public init(json: JSONValue) throws(WireError) {
        do {
            self = try Acceptance(parsing: json)
        } catch {
            throw WireError(pointer: error.violations.first?.pointer ?? "", detail: error.violations.first?.detail ?? "is malformed")
        }
    }

    public var object: JSONObjectWriter {
        var object = JSONObjectWriter()
        for (key, value) in jsonValue.objectValue ?? [:] { object.add(key, value) }
        return object
    }
}
