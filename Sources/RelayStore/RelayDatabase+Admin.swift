import Crypto
import Foundation
import GRDB
import RelayCore

/// One delivery item as auditors and administrators see it (no content; the body is `V1.DeliveryItem`).
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
                               kind: try row.decode("kind"), state: try row.decode("state"),
                               attempts: row["attempts"], risk: (row["priority"] as Int) == 0 ? .high : .standard,
                               deliveredAt: (row["delivered_at"] as Int64?).map(Self.date), deadLetteredAt: (row["dead_lettered_at"] as Int64?).map(Self.date),
                               seq: row["seq"])
            }
        }
    }

    /// Returns a dead-lettered item to its queue with its attempts reset; audited.
    public func requeue(deliveryID: String, actor: AuditActor, now: Date) async throws {
        try await journaledWrite { db, journal in
            guard let delivery = try StoredDelivery.fetch(db, deliveryID: deliveryID) else { throw StoreError.unknownDelivery }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM delivery_bodies WHERE delivery_id = ?", arguments: [deliveryID]) == true else {
                throw StoreError.bodyPurged
            }
            // The lifecycle's attempt limit plays no part in a requeue.
            let action = DeliveryLifecycle(maxAttempts: .max).on(.requeue, item: delivery.lifecycle, now: now)
            try Self.carryOut(action, on: delivery, db, now: now, journal: journal, actor: actor)
        }
    }

    /// Recomputes the whole tree from the entries, trusting no stored hash, and checks it against
    /// the hashes recorded at append time, every stored checkpoint (and its signature) and, if
    /// given, a checkpoint note saved earlier.
    public func verifyAudit(origin: String, keys: [Curve25519.Signing.PublicKey], against earlier: String? = nil) async throws -> AuditVerification {
        try await pool.read { db in
            let checkpoints = try Row.fetchAll(db, sql: "SELECT tree_size, root, note FROM checkpoints ORDER BY tree_size").map { row in
                AuditVerifier.StoredNote(size: row["tree_size"], root: Array(row["root"] as Data), note: row["note"])
            }
            var verifier = AuditVerifier(origin: origin, keys: keys, checkpoints: checkpoints, earlier: earlier)
            let cursor = try Row.fetchCursor(db, sql: """
                SELECT e.idx, e.at, e.actor, e.role, e.action, e.report_id, e.delivery_id, e.details, n.hash
                FROM audit_entries e LEFT JOIN audit_nodes n ON n.level = 0 AND n.idx = e.idx ORDER BY e.idx
                """)
            while verifier.wantsMore, let row = try cursor.next() {
                verifier.feed(AuditLog.entry(row), recordedHash: (row["hash"] as Data?).map(Array.init))
            }
            return verifier.finish()
        }
    }
}

extension RelayDatabase {
    /// Writes a consistent copy of the whole database to `path` (SQLite's `VACUUM INTO`: one read
    /// snapshot, so writers carry on meanwhile), created mode 0600. `path` must not exist.
    public func backup(to path: String) throws {
        // O_EXCL: an existing file is never overwritten.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw StoreError.cannotOpen(path) }
        close(fd)
        do {
            try pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }
}

extension RelayDatabase {
    /// How many stored originals are sealed to each envelope key id (purged originals need none).
    public func originalsByEnvelopeKey() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT json_extract(envelope, '$.key_id') AS key_id, count(*) AS n FROM report_originals GROUP BY 1") {
                if let keyID: String = row["key_id"] { counts[keyID] = row["n"] }
            }
            return counts
        }
    }
}
