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

    var lifecycle: DeliveryLifecycle { DeliveryLifecycle(maxAttempts: maxAttempts) }
}

/// One item an intake acknowledges.
public struct AckRequest: Sendable, Equatable {
    public var deliveryID: String
    public var leaseToken: String
    /// The force's own reference (e.g. a CAD or crime number), if it gave one.
    public var policeReference: String?

    public init(deliveryID: String, leaseToken: String, policeReference: String? = nil) {
        self.deliveryID = deliveryID
        self.leaseToken = leaseToken
        self.policeReference = policeReference
    }
}

/// The answer to one ack.
public struct AckResult: Sendable, Equatable {
    public var deliveryID: String
    public var outcome: AckOutcome
    public var receipt: JSONValue?
}

/// A delivery row as the queue operations read it: the lifecycle's facts and what an action
/// needs to carry itself out.
struct StoredDelivery {
    var seq: Int64
    var deliveryID: String
    var reportID: String
    var intakeID: String
    var kind: DeliveryKind
    var payloadSHA256: String
    var receiptID: String?
    var lifecycle: DeliveryLifecycle.Item

    static func fetch(_ db: Database, deliveryID: String, intakeID: String? = nil) throws -> StoredDelivery? {
        try fetch(db, whereClause: intakeID == nil ? "delivery_id = ?" : "delivery_id = ? AND intake_id = ?",
                  arguments: intakeID.map { [deliveryID, $0] } ?? [deliveryID])
    }

    static func fetch(_ db: Database, seq: Int64) throws -> StoredDelivery? {
        try fetch(db, whereClause: "seq = ?", arguments: [seq])
    }

    /// The columns ``init(row:)`` reads.
    static let columns = "seq, delivery_id, report_id, intake_id, kind, state, lease_token, visible_at, attempts, payload_sha256, receipt_id"

    private static func fetch(_ db: Database, whereClause: String, arguments: StatementArguments) throws -> StoredDelivery? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM deliveries WHERE \(whereClause)"), arguments: arguments).map(StoredDelivery.init(row:))
    }

}

extension StoredDelivery {
    /// A row with ``columns`` (under their own names).
    init(row: Row) throws {
        self.init(seq: row["seq"], deliveryID: row["delivery_id"], reportID: row["report_id"], intakeID: row["intake_id"],
                  kind: try row.decode("kind"), payloadSHA256: row["payload_sha256"], receiptID: row["receipt_id"],
                  lifecycle: DeliveryLifecycle.Item(state: try row.decode("state"), leaseToken: row["lease_token"],
                                                    visibleAt: RelayDatabase.date(row["visible_at"]), attempts: row["attempts"]))
    }
}

extension Row {
    /// A text column read as one of the store's enumerations; a value outside it is a damaged row.
    func decode<Value: RawRepresentable>(_ column: String) throws -> Value where Value.RawValue == String {
        guard let raw: String = self[column], let value = Value(rawValue: raw) else { throw StoreError.damagedRow(column: column) }
        return value
    }
}

extension RelayDatabase {
    /// Leases up to `max` items of `intakeID`'s queue for `duration`: high risk first, then oldest.
    /// Expired leases and elapsed nack delays are first returned to the queue (or dead-lettered).
    public func lease(intakeID: String, max: Int, duration: TimeInterval, now: Date, policy: QueuePolicy) async throws -> [LeasedItem] {
        return try await journaledWrite { db, journal in
            try Self.reclaim(db, intakeID: intakeID, now: now, policy: policy, journal: journal)
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.readyItemsSQL), arguments: [intakeID, max])
            let expires = now.addingTimeInterval(duration)
            var items: [LeasedItem] = []
            for row in rows {
                let delivery = try StoredDelivery(row: row)
                guard case .lease(let attempts) = policy.lifecycle.on(.lease, item: delivery.lifecycle, now: now) else { continue }
                let token = Self.newToken()
                try db.cachedStatement(sql: "UPDATE deliveries SET state = 'leased', lease_token = ?, visible_at = ?, attempts = ? WHERE seq = ?").execute(
                               arguments: [token, Self.millis(expires), attempts, delivery.seq])
                try journal.record(db, AuditActor.intake(intakeID).event(
                    .lease, reportID: delivery.reportID, deliveryID: delivery.deliveryID,
                    details: ["attempts": .integer(attempts), "lease_expires_at": .string(RFC3339.format(expires, milliseconds: true))]), at: now)
                try Self.setReportStatus(db, delivery, .leased, attempts: attempts)
                items.append(LeasedItem(
                    deliveryID: delivery.deliveryID, reportID: delivery.reportID, kind: delivery.kind, leaseToken: token,
                    leaseExpiresAt: expires, attempts: attempts, risk: (row["priority"] as Int) == 0 ? .high : .standard,
                    envelope: row["envelope"]))
            }
            return items
        }
    }

    /// An intake's ready items, high risk first, then oldest (arguments: intake id, limit). The
    /// query plan test explains this very text.
    static let readyItemsSQL = """
        SELECT d.seq, d.delivery_id, d.report_id, d.intake_id, d.kind, d.state, d.lease_token, d.visible_at, d.attempts,
               d.payload_sha256, d.receipt_id, d.priority, b.envelope
        FROM deliveries d INDEXED BY deliveries_ready
        JOIN delivery_bodies b ON b.delivery_id = d.delivery_id
        WHERE d.intake_id = ? AND d.state = 'queued'
        ORDER BY d.priority, d.seq
        LIMIT ?
        """

    /// Returns items whose lease or nack delay has ended to the queue, or to the dead letters
    /// once they have used all their attempts.
    static func reclaim(_ db: Database, intakeID: String, now: Date, policy: QueuePolicy, journal: Journal) throws {
        let due = try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT seq FROM deliveries INDEXED BY deliveries_invisible
            WHERE intake_id = ? AND state = 'leased' AND visible_at <= ?
            ORDER BY visible_at LIMIT ?
            """), arguments: [intakeID, millis(now), policy.reclaimBatch])
        for seq in due {
            guard let delivery = try StoredDelivery.fetch(db, seq: seq) else { continue }
            try carryOut(policy.lifecycle.on(.visibilityEnded, item: delivery.lifecycle, now: now), on: delivery, db, now: now, journal: journal, actor: .relay)
        }
    }

    /// Carries out a lifecycle action that moves an item without an intake's answer: requeue,
    /// dead-letter, hide. Other actions belong to the operation that asked.
    static func carryOut(_ action: DeliveryLifecycle.Action, on delivery: StoredDelivery, _ db: Database, now: Date, journal: Journal, actor: AuditActor) throws {
        switch action {
        case .requeue(let recordedAs, let resetAttempts):
            let attempts = resetAttempts ? 0 : delivery.lifecycle.attempts
            let details: JSONValue = resetAttempts ? ["from": "dead_letter", "to": "queued"] : ["attempts": .integer(attempts), "state": "queued"]
            try journal.record(db, actor.event(recordedAs, reportID: delivery.reportID, deliveryID: delivery.deliveryID, details: details), at: now)
            try db.cachedStatement(sql: """
                UPDATE deliveries SET state = 'queued', lease_token = NULL, visible_at = ?, attempts = ?, dead_lettered_at = NULL WHERE seq = ?
                """).execute(arguments: [millis(now), attempts, delivery.seq])
            try setReportStatus(db, delivery, .queued)
        case .deadLetter(let after):
            try db.cachedStatement(sql: "UPDATE deliveries SET state = 'dead_letter', lease_token = NULL, dead_lettered_at = ? WHERE seq = ?").execute(
                           arguments: [millis(now), delivery.seq])
            guard let centreID = try String.fetchOne(db.cachedStatement(sql: "SELECT centre_id FROM reports WHERE report_id = ?"), arguments: [delivery.reportID]) else { return }
            try setReportStatus(db, delivery, .deadLetter)
            _ = try journal.issue(db, Receipt(
                type: .deadLetter, receiptID: .timeOrdered(at: now), reportID: UUID(uuidString: delivery.reportID)!, centreID: centreID,
                intakeID: delivery.intakeID, at: now, payloadSHA256: delivery.payloadSHA256),
                event: actor.event(.deadLetter, reportID: delivery.reportID, deliveryID: delivery.deliveryID,
                                   details: ["attempts": .integer(delivery.lifecycle.attempts), "after": .string(after.rawValue)]))
        case .hide(let until):
            try journal.record(db, actor.event(.nack, reportID: delivery.reportID, deliveryID: delivery.deliveryID, details: [
                "retry_after_seconds": .integer(Int(until.timeIntervalSince(now).rounded())), "state": "delayed",
            ]), at: now)
            // Hidden like a lease with no holder; `reclaim` returns it when the delay ends.
            try db.cachedStatement(sql: "UPDATE deliveries SET lease_token = NULL, visible_at = ? WHERE seq = ?").execute(arguments: [millis(until), delivery.seq])
            try setReportStatus(db, delivery, .queued)
        case .refuse(let refusal):
            throw StoreError(refusal)
        case .lease, .deliver, .repeatReceipt, .extend:
            preconditionFailure("\(action) is carried out by its own operation")
        }
    }

    /// The centre-facing status follows the report's own delivery item, not consent updates.
    static func setReportStatus(_ db: Database, _ delivery: StoredDelivery, _ status: ReportStatus, attempts: Int? = nil) throws {
        guard delivery.kind == .report else { return }
        if let attempts {
            try db.cachedStatement(sql: "UPDATE reports SET status = ?, attempts = ? WHERE report_id = ?").execute(arguments: [status.rawValue, attempts, delivery.reportID])
        } else {
            try db.cachedStatement(sql: "UPDATE reports SET status = ? WHERE report_id = ?").execute(arguments: [status.rawValue, delivery.reportID])
        }
    }

    /// Acknowledges leased items. An ack of an item already delivered with its last token returns
    /// the same receipt; any other token is stale.
    public func ack(intakeID: String, acks: [AckRequest], now: Date, policy: QueuePolicy) async throws -> [AckResult] {
        return try await journaledWrite { db, journal in
            try acks.map { try Self.ackOne(db, intakeID: intakeID, ack: $0, now: now, policy: policy, journal: journal) }
        }
    }

    static func ackOne(_ db: Database, intakeID: String, ack: AckRequest, now: Date, policy: QueuePolicy, journal: Journal) throws -> AckResult {
        guard let delivery = try StoredDelivery.fetch(db, deliveryID: ack.deliveryID, intakeID: intakeID) else {
            return AckResult(deliveryID: ack.deliveryID, outcome: .unknown, receipt: nil)
        }
        switch policy.lifecycle.on(.ack(token: ack.leaseToken), item: delivery.lifecycle, now: now) {
        case .repeatReceipt:
            let body = try delivery.receiptID.flatMap { try String.fetchOne(db.cachedStatement(sql: "SELECT body FROM receipts WHERE receipt_id = ?"), arguments: [$0]) }
            return AckResult(deliveryID: ack.deliveryID, outcome: .delivered, receipt: body.flatMap { try? JSONParser.parse(Array($0.utf8)) })
        case .refuse(.superseded):
            return AckResult(deliveryID: ack.deliveryID, outcome: .superseded, receipt: nil)
        case .deliver:
            break
        default:
            return AckResult(deliveryID: ack.deliveryID, outcome: .staleLease, receipt: nil)
        }
        guard let centreID = try String.fetchOne(db.cachedStatement(sql: "SELECT centre_id FROM reports WHERE report_id = ?"), arguments: [delivery.reportID]) else {
            throw StoreError.damagedRow(column: "report_id")
        }
        let receiptID = UUID.timeOrdered(at: now)
        var details: [String: JSONValue] = ["kind": .string(delivery.kind.rawValue)]
        if let policeReference = ack.policeReference { details["police_reference"] = .string(policeReference) }
        let receipt = try journal.issue(db, Receipt(
            type: delivery.kind == .report ? .delivered : .consentUpdateDelivered, receiptID: receiptID,
            reportID: UUID(uuidString: delivery.reportID)!, centreID: centreID, intakeID: intakeID,
            at: now, payloadSHA256: delivery.payloadSHA256, policeReference: ack.policeReference),
            event: AuditActor.intake(intakeID).event(.ack, reportID: delivery.reportID, deliveryID: delivery.deliveryID, details: .object(details)))
        // The token is kept so that a repeated ack with it can be recognised and answered the same.
        try db.cachedStatement(sql: "UPDATE deliveries SET state = 'delivered', delivered_at = ?, police_reference = ?, receipt_id = ? WHERE seq = ?").execute(
                       arguments: [millis(now), ack.policeReference, receiptID.lowercasedString, delivery.seq])
        if delivery.kind == .report {
            try db.cachedStatement(sql: "UPDATE reports SET status = 'delivered', delivered_at = ?, police_reference = ? WHERE report_id = ?").execute(
                           arguments: [millis(now), ack.policeReference, delivery.reportID])
        }
        return AckResult(deliveryID: ack.deliveryID, outcome: .delivered, receipt: receipt.jsonValue)
    }

    /// Hands a leased item back: at once, or hidden for `retryAfter` seconds.
    public func nack(intakeID: String, deliveryID: String, leaseToken: String, retryAfter: TimeInterval, now: Date, policy: QueuePolicy) async throws {
        try await journaledWrite { db, journal in
            guard let delivery = try StoredDelivery.fetch(db, deliveryID: deliveryID, intakeID: intakeID) else { throw StoreError.unknownDelivery }
            let action = policy.lifecycle.on(.nack(token: leaseToken, delay: retryAfter), item: delivery.lifecycle, now: now)
            try Self.carryOut(action, on: delivery, db, now: now, journal: journal, actor: .intake(intakeID))
        }
    }

    /// Extends a current lease to `now + duration`.
    public func extend(intakeID: String, deliveryID: String, leaseToken: String, duration: TimeInterval, now: Date, policy: QueuePolicy) async throws -> Date {
        return try await journaledWrite { db, journal in
            guard let delivery = try StoredDelivery.fetch(db, deliveryID: deliveryID, intakeID: intakeID) else { throw StoreError.unknownDelivery }
            switch policy.lifecycle.on(.extend(token: leaseToken, until: now.addingTimeInterval(duration)), item: delivery.lifecycle, now: now) {
            case .extend(let until):
                try db.cachedStatement(sql: "UPDATE deliveries SET visible_at = ? WHERE seq = ?").execute(arguments: [Self.millis(until), delivery.seq])
                try journal.record(db, AuditActor.intake(intakeID).event(
                    .extend, reportID: delivery.reportID, deliveryID: deliveryID,
                    details: ["lease_expires_at": .string(RFC3339.format(until, milliseconds: true))]), at: now)
                return until
            case .refuse(let refusal):
                throw StoreError(refusal)
            default:
                throw StoreError.staleLease
            }
        }
    }

    /// A random 128-bit lease token, base64url: two draws from the system's generator (one
    /// `getrandom` each), not sixteen.
    static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let halves: [UInt64] = [generator.next(), generator.next()]
        return Base64URL.encode(halves.withUnsafeBytes { Array($0) })
    }
}
