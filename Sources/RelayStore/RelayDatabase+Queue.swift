import Foundation
import GRDB
import RelayCore

/// One item handed to an intake by a lease.
public struct LeasedItem: Sendable, Equatable {
    public var deliveryID: String
    public var reportID: String
    public var kind: DeliveryKind
    public var leaseToken: String
    public var leaseExpiresAt: Date
    public var attempts: Int
    public var risk: Risk
    /// The sealed police view (envelope JSON), sealed to this intake.
    public var envelope: String
}

/// Limits that govern redelivery.
public struct QueuePolicy: Sendable {
    /// Leases allowed before an item goes to the dead letters.
    public var maxAttempts: Int
    /// Most expired leases returned to the queue by one lease call, so that one call's cost stays bounded.
    public var reclaimBatch: Int

    public init(maxAttempts: Int, reclaimBatch: Int = 500) {
        self.maxAttempts = maxAttempts
        self.reclaimBatch = reclaimBatch
    }
}

/// The answer to one ack.
public struct AckResult: Sendable, Equatable {
    public var deliveryID: String
    public var outcome: AckOutcome
    public var receipt: JSONValue?
}

extension RelayDatabase {
    /// Leases up to `max` items of `intakeID`'s queue for `duration`: high risk first, then oldest.
    /// Expired leases and elapsed nack delays are first returned to the queue (or dead-lettered).
    public func lease(intakeID: String, max: Int, duration: TimeInterval, now: Date, policy: QueuePolicy) async throws -> [LeasedItem] {
        let journal = self.journal
        return try await pool.write { db in
            try Self.reclaim(db, intakeID: intakeID, now: now, policy: policy, journal: journal)
            let rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT d.seq, d.delivery_id, d.report_id, d.kind, d.attempts, d.priority, b.envelope
                FROM deliveries d INDEXED BY deliveries_ready
                JOIN delivery_bodies b ON b.delivery_id = d.delivery_id
                WHERE d.intake_id = ? AND d.state = 'queued'
                ORDER BY d.priority, d.seq
                LIMIT ?
                """), arguments: [intakeID, max])
            let expires = now.addingTimeInterval(duration)
            var items: [LeasedItem] = []
            for row in rows {
                let token = Self.newToken()
                let attempts = (row["attempts"] as Int) + 1
                try db.cachedStatement(sql: "UPDATE deliveries SET state = 'leased', lease_token = ?, visible_at = ?, attempts = ? WHERE seq = ?").execute(
                               arguments: [token, Self.millis(expires), attempts, row["seq"] as Int64])
                let kind = DeliveryKind(rawValue: row["kind"])!
                try journal.record(db, AuditActor(id: intakeID, role: "intake").event(
                    "lease", reportID: row["report_id"], deliveryID: row["delivery_id"],
                    details: ["attempts": .integer(attempts), "lease_expires_at": .string(RFC3339.format(expires, milliseconds: true))]), at: now)
                if kind == .report {
                    try db.cachedStatement(sql: "UPDATE reports SET status = 'leased', attempts = ? WHERE report_id = ?").execute(
                                   arguments: [attempts, row["report_id"] as String])
                }
                items.append(LeasedItem(
                    deliveryID: row["delivery_id"], reportID: row["report_id"], kind: kind, leaseToken: token,
                    leaseExpiresAt: expires, attempts: attempts, risk: (row["priority"] as Int) == 0 ? .high : .standard,
                    envelope: row["envelope"]))
            }
            return items
        }
    }

    /// Returns items whose lease or nack delay has ended to the queue, or to the dead letters
    /// once they have used all their attempts.
    static func reclaim(_ db: Database, intakeID: String, now: Date, policy: QueuePolicy, journal: Journal) throws {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT seq, lease_token IS NULL AS delayed FROM deliveries INDEXED BY deliveries_invisible
            WHERE intake_id = ? AND state = 'leased' AND visible_at <= ?
            ORDER BY visible_at LIMIT ?
            """), arguments: [intakeID, millis(now), policy.reclaimBatch])
        for row in rows {
            // A hidden item without a token is one whose nack delay has ended.
            try redeliver(db, seq: row["seq"], now: now, policy: policy, journal: journal, actor: .relay,
                          action: (row["delayed"] as Bool) ? "nack_delay_ended" : "lease_expired")
        }
    }

    /// Requeues or dead-letters one item according to its attempts, recording `action` (or
    /// `dead_letter`) in the audit log.
    static func redeliver(_ db: Database, seq: Int64, now: Date, policy: QueuePolicy, journal: Journal, actor: AuditActor, action: String) throws {
        guard let item = try Row.fetchOne(db.cachedStatement(sql: "SELECT delivery_id, report_id, kind, attempts, payload_sha256, intake_id FROM deliveries WHERE seq = ?"),
                                          arguments: [seq]) else { return }
        let isReport = DeliveryKind(rawValue: item["kind"]) == .report
        let reportID: String = item["report_id"]
        let deliveryID: String = item["delivery_id"]
        let attempts: Int = item["attempts"]
        switch RedeliveryDecision.after(attempts: attempts, maxAttempts: policy.maxAttempts) {
        case .requeue:
            try journal.record(db, actor.event(action, reportID: reportID, deliveryID: deliveryID,
                                               details: ["attempts": .integer(attempts), "state": "queued"]), at: now)
            try db.cachedStatement(sql: "UPDATE deliveries SET state = 'queued', lease_token = NULL, visible_at = ? WHERE seq = ?").execute(
                           arguments: [millis(now), seq])
            if isReport {
                try db.cachedStatement(sql: "UPDATE reports SET status = 'queued' WHERE report_id = ?").execute(arguments: [item["report_id"] as String])
            }
        case .deadLetter:
            try db.cachedStatement(sql: "UPDATE deliveries SET state = 'dead_letter', lease_token = NULL, dead_lettered_at = ? WHERE seq = ?").execute(
                           arguments: [millis(now), seq])
            guard let centreID = try String.fetchOne(db.cachedStatement(sql: "SELECT centre_id FROM reports WHERE report_id = ?"), arguments: [reportID]) else { return }
            if isReport {
                try db.cachedStatement(sql: "UPDATE reports SET status = 'dead_letter' WHERE report_id = ?").execute(arguments: [reportID])
            }
            _ = try journal.issue(db, Receipt(
                type: .deadLetter, receiptID: UUID(), reportID: UUID(uuidString: reportID)!, centreID: centreID,
                intakeID: item["intake_id"], at: now, payloadSHA256: item["payload_sha256"]),
                event: actor.event("dead_letter", reportID: reportID, deliveryID: deliveryID,
                                   details: ["attempts": .integer(attempts), "after": .string(action)]))
        }
    }

    /// Acknowledges leased items. An ack of an item already delivered with its last token returns
    /// the same receipt; any other token is stale.
    public func ack(intakeID: String, acks: [(deliveryID: String, leaseToken: String, policeReference: String?)], now: Date) async throws -> [AckResult] {
        let journal = self.journal
        return try await pool.write { db in
            var results: [AckResult] = []
            for ack in acks {
                results.append(try Self.ackOne(db, intakeID: intakeID, deliveryID: ack.deliveryID, token: ack.leaseToken,
                                               policeReference: ack.policeReference, now: now, journal: journal))
            }
            return results
        }
    }

    static func ackOne(_ db: Database, intakeID: String, deliveryID: String, token: String, policeReference: String?,
                       now: Date, journal: Journal) throws -> AckResult {
        guard let item = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT d.seq, d.report_id, d.kind, d.state, d.lease_token, d.payload_sha256, d.receipt_id, r.centre_id
            FROM deliveries d JOIN reports r ON r.report_id = d.report_id
            WHERE d.delivery_id = ? AND d.intake_id = ?
            """), arguments: [deliveryID, intakeID]) else {
            return AckResult(deliveryID: deliveryID, outcome: .unknown, receipt: nil)
        }
        let state = DeliveryState(rawValue: item["state"])!
        let tokenMatches = (item["lease_token"] as String?) == token
        switch state {
        case .delivered where tokenMatches:
            let body = try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM receipts WHERE receipt_id = ?"), arguments: [item["receipt_id"] as String])
            return AckResult(deliveryID: deliveryID, outcome: .delivered, receipt: body.flatMap { try? JSONParser.parse(Array($0.utf8)) })
        case .superseded:
            return AckResult(deliveryID: deliveryID, outcome: .superseded, receipt: nil)
        case .leased where tokenMatches:
            break
        default:
            return AckResult(deliveryID: deliveryID, outcome: .staleLease, receipt: nil)
        }
        let kind = DeliveryKind(rawValue: item["kind"])!
        let reportID: String = item["report_id"]
        let centreID: String = item["centre_id"]
        let type: ReceiptType = kind == .report ? .delivered : .consentUpdateDelivered
        let receiptID = UUID()
        var details: [String: JSONValue] = ["kind": .string(kind.rawValue)]
        if let policeReference { details["police_reference"] = .string(policeReference) }
        let receipt = try journal.issue(db, Receipt(
            type: type, receiptID: receiptID, reportID: UUID(uuidString: reportID)!, centreID: centreID, intakeID: intakeID,
            at: now, payloadSHA256: item["payload_sha256"], policeReference: policeReference),
            event: AuditActor(id: intakeID, role: "intake").event("ack", reportID: reportID, deliveryID: deliveryID, details: .object(details)))
        // The token is kept so that a repeated ack with it can be recognised and answered the same.
        try db.cachedStatement(sql: "UPDATE deliveries SET state = 'delivered', delivered_at = ?, police_reference = ?, receipt_id = ? WHERE seq = ?").execute(
                       arguments: [millis(now), policeReference, receiptID.lowercasedString, item["seq"] as Int64])
        if kind == .report {
            try db.cachedStatement(sql: "UPDATE reports SET status = 'delivered', delivered_at = ?, police_reference = ? WHERE report_id = ?").execute(
                           arguments: [millis(now), policeReference, reportID])
        }
        return AckResult(deliveryID: deliveryID, outcome: .delivered, receipt: receipt.jsonValue)
    }

    /// Hands a leased item back: at once, or hidden for `retryAfter` seconds.
    public func nack(intakeID: String, deliveryID: String, leaseToken: String, retryAfter: TimeInterval, now: Date, policy: QueuePolicy) async throws {
        let journal = self.journal
        let intake = AuditActor(id: intakeID, role: "intake")
        try await pool.write { db in
            let seq = try Self.currentLease(db, intakeID: intakeID, deliveryID: deliveryID, token: leaseToken)
            if retryAfter > 0 {
                let reportID = try String.fetchOne(db.cachedStatement(sql: "SELECT report_id FROM deliveries WHERE seq = ?"), arguments: [seq])
                try journal.record(db, intake.event("nack", reportID: reportID, deliveryID: deliveryID,
                                                    details: ["retry_after_seconds": .integer(Int(retryAfter)), "state": "delayed"]), at: now)
                // Hidden like a lease with no holder; `reclaim` returns it when the delay ends.
                try db.cachedStatement(sql: "UPDATE deliveries SET lease_token = NULL, visible_at = ? WHERE seq = ?").execute(
                               arguments: [Self.millis(now.addingTimeInterval(retryAfter)), seq])
                try db.cachedStatement(sql: """
                    UPDATE reports SET status = 'queued'
                    WHERE report_id = (SELECT report_id FROM deliveries WHERE seq = ? AND kind = 'report')
                    """).execute(arguments: [seq])
            } else {
                try Self.redeliver(db, seq: seq, now: now, policy: policy, journal: journal, actor: intake, action: "nack")
            }
        }
    }

    /// Extends a current lease to `now + duration`.
    public func extend(intakeID: String, deliveryID: String, leaseToken: String, duration: TimeInterval, now: Date) async throws -> Date {
        let journal = self.journal
        return try await pool.write { db in
            let seq = try Self.currentLease(db, intakeID: intakeID, deliveryID: deliveryID, token: leaseToken)
            // An expired lease cannot be revived: another intake worker may be about to get the item.
            let visibleAt = try Int64.fetchOne(db.cachedStatement(sql: "SELECT visible_at FROM deliveries WHERE seq = ?"), arguments: [seq]) ?? 0
            guard visibleAt > Self.millis(now) else { throw StoreError.staleLease }
            let expires = now.addingTimeInterval(duration)
            try db.cachedStatement(sql: "UPDATE deliveries SET visible_at = ? WHERE seq = ?").execute(arguments: [Self.millis(expires), seq])
            let reportID = try String.fetchOne(db.cachedStatement(sql: "SELECT report_id FROM deliveries WHERE seq = ?"), arguments: [seq])
            try journal.record(db, AuditActor(id: intakeID, role: "intake").event(
                "extend", reportID: reportID, deliveryID: deliveryID,
                details: ["lease_expires_at": .string(RFC3339.format(expires, milliseconds: true))]), at: now)
            return expires
        }
    }

    /// The item's row id if `token` holds its lease (the item is leased and not yet reclaimed).
    static func currentLease(_ db: Database, intakeID: String, deliveryID: String, token: String) throws -> Int64 {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT seq, state, lease_token, visible_at FROM deliveries WHERE delivery_id = ? AND intake_id = ?"),
                                         arguments: [deliveryID, intakeID]) else { throw StoreError.unknownDelivery }
        guard row["state"] as String == "leased", (row["lease_token"] as String?) == token else { throw StoreError.staleLease }
        return row["seq"]
    }

    /// A random 128-bit lease token.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
