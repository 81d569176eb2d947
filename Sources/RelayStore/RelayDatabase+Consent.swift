import Foundation
import GRDB
import RelayCore

/// What the server needs to decide and prepare a consent change.
public struct ConsentChangeContext: Sendable {
    public var reportID: UUID
    public var status: ReportStatus
    /// The consent in force (the last recorded event).
    public var consent: Consent
    public var intakeID: String?
    public var risk: Risk
    /// The sealed original, to derive a new police view from.
    /// The sealed original; `nil` once purged under the retention policy.
    public var originalEnvelope: String?
    /// Earlier reports of the same victim (by pseudonym), accepted before this one.
    public var previousReports: Int
    public var pseudonym: String?
    /// The report's cursor position, to detect a change made in between.
    var seq: Int64

    /// The state the consent decision needs.
    public var changeState: ConsentChangeState {
        switch status {
        case .statsOnly, .withdrawn: .notForwarded
        case .queued, .leased: .pending
        case .deadLetter: .deadLettered
        case .delivered: .delivered
        }
    }
}

/// A consent event as kept.
public struct ConsentEventRecord: Sendable, Equatable {
    public var at: Date
    public var actor: String
    public var from: ConsentLevel?
    public var to: ConsentLevel
    public var shareDemographics: Bool
    public var method: String?
    /// When and by whom (a caseworker reference) the centre recorded it.
    public var recordedAt: Date?
    public var recordedBy: String?
    public var effect: String
}

extension RelayDatabase {
    /// The report of `centreID` with what a consent change needs; `nil` if not this centre's.
    public func consentChangeContext(reportID: UUID, centreID: String) async throws -> ConsentChangeContext? {
        try await pool.read { db in
            let id = reportID.lowercasedString
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT r.seq, r.status, r.consent_level, r.share_demographics, r.intake_id, r.risk, o.envelope, p.pseudonym
                FROM reports r LEFT JOIN report_originals o USING (report_id) LEFT JOIN victim_pseudonyms p USING (report_id)
                WHERE r.report_id = ? AND r.centre_id = ?
                """), arguments: [id, centreID]) else { return nil }
            let last = try Row.fetchOne(db.cachedStatement(sql: "SELECT method, recorded_at, recorded_by FROM consent_events WHERE report_id = ? ORDER BY seq DESC LIMIT 1"), arguments: [id])
            let consent = Consent(level: try row.decode("consent_level"), shareDemographics: row["share_demographics"],
                                  recordedAt: (last?["recorded_at"] as Int64?).map(Self.date), recordedBy: last?["recorded_by"], method: last?["method"])
            let pseudonym: String? = row["pseudonym"]
            let seq: Int64 = row["seq"]
            var previous = 0
            if let pseudonym {
                previous = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) FROM victim_pseudonyms p JOIN reports r USING (report_id) WHERE p.pseudonym = ? AND r.seq < ?
                    """), arguments: [pseudonym, seq]) ?? 0
            }
            return ConsentChangeContext(reportID: reportID, status: try row.decode("status"), consent: consent,
                                        intakeID: row["intake_id"], risk: try row.decode("risk"), originalEnvelope: row["envelope"],
                                        previousReports: previous, pseudonym: pseudonym, seq: seq)
        }
    }

    /// Applies a decided consent change in one transaction: supersedes or withdraws the pending
    /// item, enqueues the new view or consent update, updates the report, keeps the consent event
    /// and audits it. Throws ``StoreError/changedMeanwhile`` if the report's status moved since
    /// `context` was read (the caller prepares again).
    public func changeConsent(_ context: ConsentChangeContext, centreID: String, to consent: Consent, plan: ConsentChangePlan,
                              delivery: NewDelivery?, now: Date) async throws -> ReportStatus {
        return try await journaledWrite { db, journal in
            let id = context.reportID.lowercasedString
            guard let current = try String.fetchOne(db.cachedStatement(sql: "SELECT status FROM reports WHERE report_id = ? AND centre_id = ?"),
                                                    arguments: [id, centreID]), current == context.status.rawValue else {
                throw StoreError.changedMeanwhile
            }
            var status = context.status
            var intakeID = context.intakeID
            switch plan {
            case .unchanged, .recordOnly:
                break
            case .requeue, .replaceDeadLetter:
                // A lease on the old view keeps its token, so its ack is answered `superseded`. The
                // new item carries on the attempts made so far: `attempts` counts leases, and a
                // consent change must not give a dead letter (an administrator's call) a fresh start.
                let attempts = try Int.fetchOne(db.cachedStatement(sql: "SELECT attempts FROM reports WHERE report_id = ?"), arguments: [id]) ?? 0
                try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = 'superseded' WHERE report_id = ? AND kind = 'report' AND state IN ('queued', 'leased', 'dead_letter')
                    """).execute(arguments: [id])
                guard let delivery else { preconditionFailure("requeue needs a delivery") }
                let held = plan == .replaceDeadLetter
                try Self.enqueue(db, delivery, reportID: id, risk: context.risk, now: now, state: held ? .deadLetter : .queued, attempts: attempts)
                status = held ? .deadLetter : .queued
                intakeID = delivery.intakeID
            case .withdraw:
                try db.cachedStatement(sql: """
                    UPDATE deliveries SET state = 'withdrawn', lease_token = NULL
                    WHERE report_id = ? AND kind = 'report' AND state IN ('queued', 'leased', 'dead_letter')
                    """).execute(arguments: [id])
                status = .withdrawn
            case .forwardUpdate:
                guard let delivery else { preconditionFailure("a consent update needs a delivery") }
                try Self.enqueue(db, delivery, reportID: id, risk: context.risk, now: now)
            }
            try db.cachedStatement(sql: "UPDATE reports SET status = ?, intake_id = ?, consent_level = ?, share_demographics = ? WHERE report_id = ?").execute(
                           arguments: [status.rawValue, intakeID, consent.level.rawValue, consent.shareDemographics, id])
            try Self.recordConsent(db, journal: journal, reportID: id, actor: AuditActor.centre(centreID),
                                   from: context.consent, to: consent, effect: plan.effect, at: now)
            return status
        }
    }

    /// A report's consent events, oldest first.
    public func consentEvents(reportID: UUID) async throws -> [ConsentEventRecord] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT at, actor, from_level, to_level, share_demographics, method, recorded_at, recorded_by, effect FROM consent_events WHERE report_id = ? ORDER BY seq"),
                             arguments: [reportID.lowercasedString]).map { row in
                ConsentEventRecord(at: Self.date(row["at"]), actor: row["actor"], from: (row["from_level"] as String?).flatMap(ConsentLevel.init(rawValue:)),
                                   to: try row.decode("to_level"), shareDemographics: row["share_demographics"],
                                   method: row["method"], recordedAt: (row["recorded_at"] as Int64?).map(Self.date), recordedBy: row["recorded_by"],
                                   effect: row["effect"])
            }
        }
    }
}
