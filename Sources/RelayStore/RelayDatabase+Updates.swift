import Foundation
import GRDB
import RelayCore

/// A case update from an intake, read and checked before the transaction.
public struct NewCaseUpdate: Sendable {
    public var updateID: UUID
    public var reportID: UUID
    public var intakeID: String
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var occurredAt: Date
    /// The sealed message (canonical envelope JSON), if any; the relay cannot open it.
    public var message: String?
    /// SHA-256 of the message's ciphertext, or of the request body's JCS bytes without one.
    public var payloadSHA256: String
    /// SHA-256 of the request body's JCS bytes: the idempotency fingerprint.
    public var requestSHA256: String
    public var receivedAt: Date

    public init(updateID: UUID, reportID: UUID, intakeID: String, status: CaseUpdateStatus, outcome: PoliceOutcome?, occurredAt: Date,
                message: String?, payloadSHA256: String, requestSHA256: String, receivedAt: Date) {
        self.updateID = updateID
        self.reportID = reportID
        self.intakeID = intakeID
        self.status = status
        self.outcome = outcome
        self.occurredAt = occurredAt
        self.message = message
        self.payloadSHA256 = payloadSHA256
        self.requestSHA256 = requestSHA256
        self.receivedAt = receivedAt
    }
}

/// An accepted update: what the intake is answered with.
public struct AcceptedUpdate: Sendable, Equatable {
    public var updateID: String
    public var reportID: String
    /// The signed `update_accepted` receipt.
    public var receipt: JSONValue
}

/// What became of a posted update.
public enum CaseUpdateOutcome: Sendable, Equatable {
    case created(AcceptedUpdate)
    /// The same update, byte for byte, was accepted before: the same answer again.
    case duplicate(AcceptedUpdate)
    /// The update id is taken by a different update.
    case conflict
    /// The report is unknown, or this intake never received it.
    case notFound
    /// The victim withdrew consent after delivery: only a `closed` update is accepted.
    case onlyClosedAccepted
}

/// Who an update about a report goes to, as far as an intake may know.
public struct UpdateTarget: Sendable, Equatable {
    public var centreID: String
    public var consentLevel: ConsentLevel
}

/// A case update as its centre reads it.
public struct CaseUpdateRecord: Sendable, Equatable {
    public var seq: Int64
    public var updateID: String
    public var reportID: String
    public var centreReference: String?
    public var status: CaseUpdateStatus
    public var outcome: PoliceOutcome?
    public var occurredAt: Date
    public var receivedAt: Date
    /// The sealed message as stored (canonical envelope JSON), written out as it is.
    public var message: String?
    /// The signed `update_accepted` receipt as stored (canonical JSON).
    public var receipt: String
}


/// The answer to one centre acknowledgement.
public struct UpdateAckResult: Sendable, Equatable {
    public var updateID: String
    /// `false`: no such update for this centre.
    public var seen: Bool
    /// The signed `update_seen` receipt (the same one on a repeated ack).
    public var receipt: JSONValue?
}

extension RelayDatabase {
    /// The report's centre and consent, if `intakeID` received it (a report or consent update of
    /// it was delivered to that intake); `nil` otherwise, so that existence does not leak.
    public func updateTarget(reportID: UUID, intakeID: String) async throws -> UpdateTarget? {
        try await pool.read { db in try Self.updateTarget(db, reportID: reportID.lowercasedString, intakeID: intakeID) }
    }

    static func updateTarget(_ db: Database, reportID: String, intakeID: String) throws -> UpdateTarget? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT r.centre_id, r.consent_level FROM reports r
            WHERE r.report_id = ?1 AND EXISTS (
                SELECT 1 FROM deliveries d WHERE d.report_id = ?1 AND d.intake_id = ?2 AND d.state = 'delivered')
            """), arguments: [reportID, intakeID]) else { return nil }
        return UpdateTarget(centreID: row["centre_id"], consentLevel: try row.decode("consent_level"))
    }

    /// Stores a case update, its audit entry and its `update_accepted` receipt in one transaction.
    /// Checks, in order: the intake received the report; a known update id is a retry (the same
    /// body) or a conflict; the report's consent still admits this status.
    public func postUpdate(_ update: NewCaseUpdate) async throws -> CaseUpdateOutcome {
        return try await journaledWrite { db, journal in
            let reportID = update.reportID.lowercasedString, updateID = update.updateID.lowercasedString
            guard let target = try Self.updateTarget(db, reportID: reportID, intakeID: update.intakeID) else { return .notFound }
            if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT report_id, intake_id, request_sha256, receipt FROM case_updates WHERE update_id = ?"),
                                          arguments: [updateID]) {
                guard row["intake_id"] as String == update.intakeID, row["report_id"] as String == reportID,
                      row["request_sha256"] as String == update.requestSHA256 else { return .conflict }
                return .duplicate(AcceptedUpdate(updateID: updateID, reportID: reportID, receipt: try Self.parseStored(row["receipt"], column: "receipt")))
            }
            guard update.status.isAccepted(consentLevel: target.consentLevel) else { return .onlyClosedAccepted }
            var details: [String: JSONValue] = ["update_id": .string(updateID), "status": .string(update.status.rawValue),
                                                "has_message": .bool(update.message != nil), "centre_id": .string(target.centreID)]
            if let outcome = update.outcome { details["outcome_code"] = .integer(outcome.code) }
            let receipt = try journal.issue(db, Receipt(
                type: .updateAccepted, receiptID: .timeOrdered(at: update.receivedAt), reportID: update.reportID, centreID: target.centreID, intakeID: update.intakeID,
                at: update.receivedAt, payloadSHA256: update.payloadSHA256, updateID: update.updateID, status: update.status.rawValue),
                event: AuditActor.intake(update.intakeID).event(.caseUpdate, reportID: reportID, details: .object(details)), ledger: .intake)
            try db.cachedStatement(sql: """
                INSERT INTO case_updates (update_id, report_id, centre_id, intake_id, status, outcome_code, outcome_label, occurred_at,
                    received_at, request_sha256, message, payload_sha256, receipt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [updateID, reportID, target.centreID, update.intakeID, update.status.rawValue, update.outcome?.code,
                                         update.outcome?.label, Self.millis(update.occurredAt), Self.millis(update.receivedAt),
                                         update.requestSHA256, update.message, update.payloadSHA256, receipt.jsonValue.canonicalString])
            return .created(AcceptedUpdate(updateID: updateID, reportID: reportID, receipt: receipt.jsonValue))
        }
    }

    /// A centre's updates in arrival order after cursor `after`.
    public func updates(centreID: String, after: Int64, limit: Int) async throws -> [CaseUpdateRecord] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT u.seq, u.update_id, u.report_id, r.centre_reference, u.status, u.outcome_code, u.outcome_label, u.occurred_at,
                       u.received_at, u.message, u.receipt
                FROM case_updates u JOIN reports r ON r.report_id = u.report_id
                WHERE u.centre_id = ? AND u.seq > ? ORDER BY u.seq LIMIT ?
                """), arguments: [centreID, after, limit]).map { row in
                CaseUpdateRecord(
                    seq: row["seq"], updateID: row["update_id"], reportID: row["report_id"], centreReference: row["centre_reference"],
                    status: try row.decode("status"), outcome: Self.outcome(row), occurredAt: Self.date(row["occurred_at"]),
                    receivedAt: Self.date(row["received_at"]), message: row["message"], receipt: row["receipt"])
            }
        }
    }

    /// Marks a centre's updates seen, issuing one `update_seen` receipt per update for the intake
    /// (a repeated ack answers with the same receipt). Ids the centre does not own are `unknown`.
    public func ackUpdates(centreID: String, updateIDs: [UUID], now: Date) async throws -> [UpdateAckResult] {
        return try await journaledWrite { db, journal in
            try updateIDs.map { id in
                let updateID = id.lowercasedString
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT seq, report_id, intake_id, status, payload_sha256, seen_receipt FROM case_updates WHERE update_id = ? AND centre_id = ?
                    """), arguments: [updateID, centreID]) else {
                    return UpdateAckResult(updateID: updateID, seen: false, receipt: nil)
                }
                if let earlier: String = row["seen_receipt"] {
                    return UpdateAckResult(updateID: updateID, seen: true, receipt: try Self.parseStored(earlier, column: "seen_receipt"))
                }
                let reportID: String = row["report_id"]
                let receipt = try journal.issue(db, Receipt(
                    type: .updateSeen, receiptID: .timeOrdered(at: now), reportID: UUID(uuidString: reportID)!, centreID: centreID, intakeID: row["intake_id"],
                    at: now, payloadSHA256: row["payload_sha256"], updateID: id, status: row["status"]),
                    event: AuditActor.centre(centreID).event(.updateSeen, reportID: reportID, details: ["update_id": .string(updateID)]), ledger: .intake)
                try db.cachedStatement(sql: "UPDATE case_updates SET seen_at = ?, seen_receipt = ? WHERE seq = ?").execute(
                    arguments: [Self.millis(now), receipt.jsonValue.canonicalString, row["seq"] as Int64])
                return UpdateAckResult(updateID: updateID, seen: true, receipt: receipt.jsonValue)
            }
        }
    }

    /// An intake's receipts (updates accepted and seen) in log order after cursor `after`.
    public func intakeReceipts(intakeID: String, after: Int64, limit: Int) async throws -> [(seq: Int64, receipt: JSONValue)] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, body FROM intake_receipts WHERE intake_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
                             arguments: [intakeID, after, limit]).map { row in (row["seq"], try Self.parseStored(row["body"], column: "body")) }
        }
    }

    /// The newest update (in arrival order) of each of `reportIDs` that has one.
    static func latestUpdates(_ db: Database, reportIDs: [String]) throws -> [String: LatestUpdate] {
        guard !reportIDs.isEmpty else { return [:] }
        let marks = Array(repeating: "?", count: reportIDs.count).joined(separator: ",")
        let rows = try Row.fetchAll(db, sql: """
            SELECT report_id, status, outcome_code, outcome_label, occurred_at FROM case_updates
            WHERE seq IN (SELECT max(seq) FROM case_updates WHERE report_id IN (\(marks)) GROUP BY report_id)
            """, arguments: StatementArguments(reportIDs))
        var latest: [String: LatestUpdate] = [:]
        for row in rows {
            latest[row["report_id"]] = LatestUpdate(status: try row.decode("status"), outcome: outcome(row), occurredAt: date(row["occurred_at"]))
        }
        return latest
    }

    static func outcome(_ row: Row) -> PoliceOutcome? {
        (row["outcome_code"] as Int?).flatMap { PoliceOutcome(code: $0, label: row["outcome_label"]) }
    }

    /// JSON the store wrote itself; if it no longer parses, the row is damaged.
    static func parseStored(_ text: String, column: String) throws -> JSONValue {
        guard let value = try? JSONParser.parse(Array(text.utf8)) else { throw StoreError.damagedRow(column: column) }
        return value
    }
}

extension RelayDatabase {
    /// The journeys of reports delivered to police and submitted in `[from, to)`, for the
    /// outcome measures: when they were accepted, their communities and strands, when the first
    /// update and the first outcome arrived, and the latest outcome.
    public func caseJourneys(from: Date, to: Date) async throws -> [CaseJourney] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.accepted_at, r.communities, r.strands,
                       (SELECT min(u.received_at) FROM case_updates u WHERE u.report_id = r.report_id) AS first_update,
                       (SELECT min(u.received_at) FROM case_updates u WHERE u.report_id = r.report_id AND u.status = 'outcome') AS first_outcome,
                       (SELECT u.outcome_code FROM case_updates u WHERE u.report_id = r.report_id AND u.status = 'outcome'
                        ORDER BY u.seq DESC LIMIT 1) AS outcome_code
                FROM reports r
                WHERE r.delivered_at IS NOT NULL AND r.accepted_at >= ? AND r.accepted_at < ?
                """), arguments: [Self.millis(from), Self.millis(to)]).map { row in
                func list(_ column: String) -> [String] { (row[column] as String).split(separator: ",").map(String.init) }
                return CaseJourney(
                    acceptedAt: Self.date(row["accepted_at"]), communities: list("communities"), strands: list("strands"),
                    firstUpdateAt: (row["first_update"] as Int64?).map(Self.date), firstOutcomeAt: (row["first_outcome"] as Int64?).map(Self.date),
                    outcome: (row["outcome_code"] as Int?).flatMap { PoliceOutcome(code: $0) })
            }
        }
    }
}
