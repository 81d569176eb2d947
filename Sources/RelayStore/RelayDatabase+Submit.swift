import Foundation
import GRDB
import RelayCore

/// Everything a submission writes, prepared (opened, validated, redacted, sealed) before the
/// transaction so that the transaction holds no cryptography and no parsing.
public struct NewSubmission: Sendable {
    public var reportID: UUID
    public var centreID: String
    /// SHA-256 (hex) of the canonical envelope: the idempotency fingerprint.
    public var envelopeSHA256: String
    /// The envelope as the centre sent it (canonical JSON), still sealed to the relay.
    public var originalEnvelope: String
    /// SHA-256 (hex) of the original envelope's ciphertext.
    public var payloadSHA256: String
    public var report: ReportFacts
    public var pseudonym: String?
    /// The sealed police view for the routed intake; `nil` for `stats_only`.
    public var delivery: NewDelivery?
    /// The redaction summary (paths, actions, counts; never values), for the audit log.
    public var redactions: [Redaction]
    public var acceptedAt: Date

    public init(reportID: UUID, centreID: String, envelopeSHA256: String, originalEnvelope: String, payloadSHA256: String,
                report: ReportFacts, pseudonym: String?, delivery: NewDelivery?, redactions: [Redaction] = [], acceptedAt: Date) {
        self.reportID = reportID
        self.centreID = centreID
        self.envelopeSHA256 = envelopeSHA256
        self.originalEnvelope = originalEnvelope
        self.payloadSHA256 = payloadSHA256
        self.report = report
        self.pseudonym = pseudonym
        self.delivery = delivery
        self.redactions = redactions
        self.acceptedAt = acceptedAt
    }
}

/// The plain (non-personal) facts about a report that routing, queueing and statistics need.
public struct ReportFacts: Sendable {
    public var consent: Consent
    public var risk: Risk
    public var borough: String?
    public var policeForceArea: String?
    public var strands: [String]
    public var communities: [String]
    public var types: [String]
    public var occurredAt: Date
    /// The centre's case reference, returned with case updates so a caseworker can find the case.
    public var centreReference: String?

    /// The facts of `report`, with the consent it carries.
    public init(report: Report) {
        self.centreReference = report.centreReference
        self.consent = report.consent
        self.risk = report.risk
        self.borough = report.borough
        self.policeForceArea = report.policeForceArea
        self.strands = report.strands
        self.communities = report.communities
        self.types = report.types
        self.occurredAt = report.occurredAt
    }
}

/// A delivery item to enqueue with its sealed body.
public struct NewDelivery: Sendable {
    public var deliveryID: UUID
    public var intakeID: String
    public var kind: DeliveryKind
    public var envelope: String
    public var payloadSHA256: String

    public init(deliveryID: UUID, intakeID: String, kind: DeliveryKind, envelope: String, payloadSHA256: String) {
        self.deliveryID = deliveryID
        self.intakeID = intakeID
        self.kind = kind
        self.envelope = envelope
        self.payloadSHA256 = payloadSHA256
    }
}

/// The result of a submission.
public enum SubmitOutcome: Sendable, Equatable {
    /// Newly stored; the answer for a `201`.
    case created(Acceptance)
    /// The same id with the same envelope was stored before; the first answer, for a `200`.
    case duplicate(Acceptance)
    /// The same id was stored with a different envelope (or by another centre): `409`.
    case conflict
}

extension RelayDatabase {
    /// Looks up an earlier submission of `reportID` without writing: lets the server answer a
    /// retry before doing any cryptography.
    ///
    /// Like ``previousReports(pseudonym:)``, a point read on the caller's thread (``readInPlace(_:)``).
    public func existingSubmission(reportID: UUID, centreID: String, envelopeSHA256: String) async throws -> SubmitOutcome? {
        try readInPlace { db in try Self.existing(db, reportID: reportID, centreID: centreID, envelopeSHA256: envelopeSHA256) }
    }

    static func existing(_ db: Database, reportID: UUID, centreID: String, envelopeSHA256: String) throws -> SubmitOutcome? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT centre_id, envelope_sha256, acceptance FROM reports WHERE report_id = ?"),
                                         arguments: [reportID.lowercasedString]) else { return nil }
        guard row["centre_id"] as String == centreID, row["envelope_sha256"] as String == envelopeSHA256 else { return .conflict }
        // A stored acceptance that no longer parses is a damaged row, not someone else's report.
        guard let body = try? JSONParser.parse(Array((row["acceptance"] as String).utf8)), let acceptance = try? Acceptance(parsing: body) else {
            throw StoreError.damagedRow(column: "acceptance")
        }
        return .duplicate(acceptance)
    }

    /// How many earlier reports carry this pseudonym.
    public func previousReports(pseudonym: String) async throws -> Int {
        try readInPlace { db in
            try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM victim_pseudonyms WHERE pseudonym = ?"), arguments: [pseudonym]) ?? 0
        }
    }

    /// Stores the report, its sealed original, its delivery item, its acceptance receipt and the
    /// audit entries (the submission with its redaction decision, and the consent) in one
    /// transaction, group-committed with any concurrent submissions; returns only after the commit
    /// is on disk.
    public func submit(_ submission: NewSubmission) async throws -> SubmitOutcome {
        try await committer.submit(submission)
    }

    /// Calls `observer` with the size of each group-committed batch (metrics).
    public func observeGroupCommits(_ observer: @escaping @Sendable (Int) -> Void) {
        committer.batchObserver.withLockedValue { $0 = GroupCommitter.BatchObserver(observer) }
    }

    /// (transactions, submissions) committed by group commit so far.
    public var groupCommitCounts: (batches: Int, submissions: Int) { committer.counts }

    /// Writes a batch of submissions in one transaction, each in its own savepoint. A batch of one
    /// (every batch on a single connection) needs none: if it fails, the whole transaction rolls
    /// back and the error fails that one submission, leaving what its savepoint would have left
    /// (nothing), without preparing and running two more statements. The error it fails with is
    /// the statement's own, also where SQLite rolled the transaction back by itself (a full disk),
    /// where a batch of several reports the commit's.
    static func writeBatch(_ pool: DatabasePool, journal: Journal, _ submissions: [NewSubmission]) async throws -> [Result<SubmitOutcome, any Error>] {
        if let only = submissions.first, submissions.count == 1 {
            let outcome: SubmitOutcome = try await journaledWrite(pool, journal) { db, journal in
                try Self.submitOne(db, journal: journal, only)
            }
            return [.success(outcome)]
        }
        return try await journaledWrite(pool, journal) { db, journal in
            let tail = journal.tail
            return submissions.map { submission in
                // A submission that fails rolls back alone, and so does its part of the tree's edge.
                let saved = tail?.state
                let result = Result {
                    var outcome: SubmitOutcome?
                    try db.inSavepoint {
                        outcome = try submitOne(db, journal: journal, submission)
                        return .commit
                    }
                    return outcome!
                }
                if case .failure = result, let saved { tail?.state = saved }
                return result
            }
        }
    }

    static func submitOne(_ db: Database, journal: Journal, _ submission: NewSubmission) throws -> SubmitOutcome {
        if let earlier = try Self.existing(db, reportID: submission.reportID, centreID: submission.centreID,
                                           envelopeSHA256: submission.envelopeSHA256) {
            return earlier
        }
        let reportID = submission.reportID.lowercasedString
        let facts = submission.report
        let consent = facts.consent
        let status: ReportStatus = submission.delivery == nil ? .statsOnly : .queued
        let centre = AuditActor.centre(submission.centreID)
        let deliveryID = submission.delivery?.deliveryID.lowercasedString
        try db.cachedStatement(sql: """
            INSERT INTO reports (report_id, centre_id, envelope_sha256, status, consent_level, share_demographics,
                intake_id, risk, borough, police_force_area, strands, communities, types, occurred_at, accepted_at, acceptance, centre_reference)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)
            """).execute(arguments: [
                reportID, submission.centreID, submission.envelopeSHA256, status.rawValue, consent.level.rawValue,
                consent.shareDemographics, submission.delivery?.intakeID, facts.risk.rawValue, facts.borough,
                facts.policeForceArea, facts.strands.joined(separator: ","), facts.communities.joined(separator: ","),
                facts.types.joined(separator: ","), Self.millis(facts.occurredAt), Self.millis(submission.acceptedAt),
                facts.centreReference,
            ])
        let seq = db.lastInsertedRowID
        try db.cachedStatement(sql: "INSERT INTO report_originals (report_id, envelope) VALUES (?, ?)").execute(
                       arguments: [reportID, submission.originalEnvelope])
        if let pseudonym = submission.pseudonym {
            try db.cachedStatement(sql: "INSERT INTO victim_pseudonyms (report_id, pseudonym) VALUES (?, ?)").execute(arguments: [reportID, pseudonym])
        }
        if let delivery = submission.delivery {
            try Self.enqueue(db, delivery, reportID: reportID, risk: facts.risk, now: submission.acceptedAt)
        }
        var details: [String: JSONValue] = [
            "status": .string(status.rawValue), "consent_level": .string(consent.level.rawValue),
            "share_demographics": .bool(consent.shareDemographics), "risk": .string(facts.risk.rawValue),
        ]
        // The redaction decision travels in the submission's own entry: one leaf for both.
        if let delivery = submission.delivery {
            details["intake_id"] = .string(delivery.intakeID)
            details["redactions"] = .array(submission.redactions.map(\.jsonValue))
            details["view_payload_sha256"] = .string(delivery.payloadSHA256)
        }
        let receipt = try journal.issue(db, Receipt(
            type: .accepted, receiptID: .timeOrdered(at: submission.acceptedAt), reportID: submission.reportID, centreID: submission.centreID,
            intakeID: submission.delivery?.intakeID, at: submission.acceptedAt, payloadSHA256: submission.payloadSHA256),
            event: centre.event(.submission, reportID: reportID, deliveryID: deliveryID, details: .object(details)))
        try Self.recordConsent(db, journal: journal, reportID: reportID, actor: centre, from: nil, to: consent,
                               effect: "recorded", at: submission.acceptedAt)
        let acceptance = Acceptance(reportID: submission.reportID, status: status, acceptedAt: submission.acceptedAt, receipt: receipt)
        try db.cachedStatement(sql: "UPDATE reports SET acceptance = ? WHERE seq = ?")
            .execute(arguments: [acceptance.jsonValue.canonicalString, seq])
        return .created(acceptance)
    }

    /// Keeps a consent event (who, when, from, to, method, effect) and audits it: levels and
    /// method, never who the victim is.
    static func recordConsent(_ db: Database, journal: Journal, reportID: String, actor: AuditActor, from: Consent?, to: Consent,
                              effect: String, at: Date) throws {
        try db.cachedStatement(sql: """
            INSERT INTO consent_events (report_id, at, actor, from_level, to_level, share_demographics, method, recorded_at, recorded_by, effect)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [reportID, millis(at), actor.id, from?.level.rawValue, to.level.rawValue, to.shareDemographics, to.method,
                             to.recordedAt.map(millis), to.recordedBy, effect])
        var details: [String: JSONValue] = [
            "from": from.map { .string($0.level.rawValue) } ?? .null, "to": .string(to.level.rawValue),
            "share_demographics": .bool(to.shareDemographics), "effect": .string(effect),
        ]
        if let method = to.method { details["method"] = .string(method) }
        if let recordedAt = to.recordedAt { details["recorded_at"] = .string(RFC3339.format(recordedAt)) }
        if let recordedBy = to.recordedBy { details["recorded_by"] = .string(recordedBy) }
        try journal.record(db, actor.event(.consent, reportID: reportID, details: .object(details)), at: at)
    }

    static func enqueue(_ db: Database, _ delivery: NewDelivery, reportID: String, risk: Risk, now: Date,
                        state: DeliveryState = .queued, attempts: Int = 0) throws {
        try db.cachedStatement(sql: """
            INSERT INTO deliveries (delivery_id, report_id, intake_id, kind, state, priority, visible_at, payload_sha256, attempts, dead_lettered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [delivery.deliveryID.lowercasedString, reportID, delivery.intakeID, delivery.kind.rawValue,
                             state.rawValue, risk == .high ? 0 : 1, millis(now), delivery.payloadSHA256, attempts,
                             state == .deadLetter ? millis(now) : nil])
        try db.cachedStatement(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) VALUES (?, ?)").execute(
                       arguments: [delivery.deliveryID.lowercasedString, delivery.envelope])
    }

}
