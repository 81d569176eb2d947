import Crypto
import Foundation
import GRDB
import RelayCore

/// One delivery item as auditors and administrators see it (no content).
public struct DeliveryRecord: Sendable, Equatable {
    public var deliveryID: String
    public var reportID: String
    public var intakeID: String
    public var kind: DeliveryKind
    public var state: DeliveryState
    public var attempts: Int
    public var risk: Risk
    public var deliveredAt: Date?
    public var deadLetteredAt: Date?
    /// Cursor position for listings.
    public var seq: Int64

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "delivery_id": .string(deliveryID), "report_id": .string(reportID), "intake_id": .string(intakeID),
            "kind": .string(kind.rawValue), "state": .string(state.rawValue), "attempts": .integer(attempts), "risk": .string(risk.rawValue),
        ]
        if let deliveredAt { members["delivered_at"] = .string(RFC3339.format(deliveredAt)) }
        if let deadLetteredAt { members["dead_lettered_at"] = .string(RFC3339.format(deadLetteredAt)) }
        return .object(members)
    }
}

/// What `relayctl audit verify` found.
public struct AuditVerification: Sendable {
    /// Entries in the log.
    public var size: Int
    /// The newest stored checkpoint's size, if any.
    public var checkpointSize: Int?
    /// Problems found, the first one first. Empty means the log verified.
    public var problems: [String]
    /// The first entry that does not match, when one can be named.
    public var firstBadIndex: Int?

    public var isValid: Bool { problems.isEmpty }
}

extension RelayDatabase {
    /// Delivery items in one state, oldest first, after cursor `after`.
    public func deliveries(state: DeliveryState, after: Int64?, limit: Int) async throws -> [DeliveryRecord] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, delivery_id, report_id, intake_id, kind, state, attempts, priority, delivered_at, dead_lettered_at
                FROM deliveries WHERE state = ? AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [state.rawValue, after ?? 0, limit]).map { row in
                DeliveryRecord(deliveryID: row["delivery_id"], reportID: row["report_id"], intakeID: row["intake_id"],
                               kind: DeliveryKind(rawValue: row["kind"])!, state: DeliveryState(rawValue: row["state"])!,
                               attempts: row["attempts"], risk: (row["priority"] as Int) == 0 ? .high : .standard,
                               deliveredAt: (row["delivered_at"] as Int64?).map(Self.date), deadLetteredAt: (row["dead_lettered_at"] as Int64?).map(Self.date),
                               seq: row["seq"])
            }
        }
    }

    /// Returns a dead-lettered item to its queue with its attempts reset; audited.
    public func requeue(deliveryID: String, actor: AuditActor, now: Date) async throws {
        let journal = self.journal
        try await pool.write { db in
            guard let delivery = try StoredDelivery.fetch(db, deliveryID: deliveryID) else { throw StoreError.unknownDelivery }
            // The lifecycle's attempt limit plays no part in a requeue.
            let action = DeliveryLifecycle(maxAttempts: .max).on(.requeue, item: delivery.lifecycle, now: now)
            try Self.carryOut(action, on: delivery, db, now: now, journal: journal, actor: actor)
        }
    }

    /// Recomputes the whole tree from the entries, trusting no stored hash, and checks it against
    /// the hashes recorded at append time, every stored checkpoint (and its signature) and, if
    /// given, a checkpoint note saved earlier.
    public func verifyAudit(origin: String, key: Curve25519.Signing.PublicKey, against earlier: String? = nil) async throws -> AuditVerification {
        try await pool.read { db in
            var problems: [String] = []
            var firstBad: Int?
            func fail(_ problem: String, index: Int? = nil) {
                problems.append(problem)
                if let index, firstBad == nil { firstBad = index }
            }
            var checkpoints: [Int: StoredCheckpoint] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT tree_size, root, note, at FROM checkpoints ORDER BY tree_size") {
                let stored = StoredCheckpoint(size: row["tree_size"], root: Array(row["root"] as Data), note: row["note"], at: Self.date(row["at"]))
                checkpoints[stored.size] = stored
            }
            var earlierCheckpoint: Checkpoint?
            if let earlier {
                if let text = SignedNote.verify(note: earlier, name: origin, key: key), let parsed = Checkpoint(body: text), parsed.origin == origin {
                    earlierCheckpoint = parsed
                } else {
                    fail("the checkpoint given with --against is not signed by this relay's key for origin \(origin)")
                }
            }
            var range = CompactRange()
            func checkRoots(at size: Int) {
                if let stored = checkpoints[size] {
                    let signed = SignedNote.verify(note: stored.note, name: origin, key: key).flatMap(Checkpoint.init(body:))
                    if signed == nil || signed?.root != stored.root || signed?.size != size {
                        fail("the stored checkpoint at size \(size) does not carry a valid signature")
                    } else if stored.root != range.root {
                        fail("the entries before \(size) do not match the signed checkpoint at size \(size)", index: nil)
                    }
                }
                if let earlierCheckpoint, earlierCheckpoint.size == size, earlierCheckpoint.root != range.root {
                    fail("the log was rewritten: its first \(size) entries no longer match the checkpoint saved earlier (size \(size))")
                }
            }
            checkRoots(at: 0)
            let cursor = try Row.fetchCursor(db, sql: "SELECT e.idx, e.at, e.actor, e.role, e.action, e.report_id, e.delivery_id, e.details, n.hash FROM audit_entries e LEFT JOIN audit_nodes n ON n.level = 0 AND n.idx = e.idx ORDER BY e.idx")
            while let row = try cursor.next() {
                let entry = AuditLog.entry(row)
                if entry.index != range.size {
                    fail(entry.index > range.size ? "entry \(range.size) is missing (the next entry is \(entry.index))" : "entry \(entry.index) is out of order",
                         index: range.size)
                    break
                }
                let leafHash = entry.leafHash
                // An entry edited in place no longer matches the hash recorded when it was appended; one
                // inserted by hand has no recorded hash, or another entry's.
                if let recorded = row["hash"] as Data? {
                    if Array(recorded) != leafHash { fail("entry \(entry.index) does not match the hash recorded when it was appended", index: entry.index) }
                } else {
                    fail("entry \(entry.index) was not appended by the relay (no hash was recorded for it)", index: entry.index)
                }
                range.append(leafHash: leafHash)
                checkRoots(at: range.size)
            }
            let latest = checkpoints.keys.max()
            if let latest, latest > range.size {
                fail("the log has \(range.size) entries but a signed checkpoint covers \(latest): entries were removed", index: range.size)
            }
            if let earlierCheckpoint, earlierCheckpoint.size > range.size {
                fail("the log has \(range.size) entries but the checkpoint saved earlier covers \(earlierCheckpoint.size): the log was truncated", index: range.size)
            }
            if latest == nil && range.size > 0 { fail("no signed checkpoint exists yet; run `relayctl audit checkpoint` on the running relay") }
            return AuditVerification(size: range.size, checkpointSize: latest, problems: problems, firstBadIndex: firstBad)
        }
    }
}
