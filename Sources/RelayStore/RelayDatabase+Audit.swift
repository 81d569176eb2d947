import Crypto
import Foundation
import GRDB
import RelayCore

/// A signed checkpoint as stored.
public struct StoredCheckpoint: Sendable, Equatable {
    public var size: Int
    public var root: [UInt8]
    /// The C2SP signed note.
    public var note: String
    public var at: Date
}

/// An inclusion proof of one entry against a signed checkpoint.
public struct EntryProof: Sendable {
    public var checkpoint: StoredCheckpoint
    public var entry: AuditEntry
    public var hashes: [[UInt8]]
}

extension RelayDatabase {
    /// The number of audit entries.
    public func auditSize() async throws -> Int {
        try await pool.read { db in try AuditLog.size(db) }
    }

    /// Entries with `start ≤ index < end`.
    public func auditEntries(start: Int, end: Int) async throws -> [AuditEntry] {
        try await pool.read { db in
            try AuditLog.entries(db, sql: "WHERE idx >= ? AND idx < ? ORDER BY idx", arguments: [start, end])
        }
    }

    /// Entries matching filters, in log order (for `relayctl audit entries`).
    public func auditEntries(after: Int, limit: Int, actor: String?, action: String?, reportID: String?, from: Date?, to: Date?) async throws -> [AuditEntry] {
        try await pool.read { db in
            var sql = "WHERE idx > ?"
            var arguments: StatementArguments = [after]
            if let actor { sql += " AND actor = ?"; arguments += [actor] }
            if let action { sql += " AND action = ?"; arguments += [action] }
            if let reportID { sql += " AND report_seq = (SELECT seq FROM reports WHERE report_id = ?)"; arguments += [reportID] }
            if let from { sql += " AND at >= ?"; arguments += [Self.millis(from)] }
            if let to { sql += " AND at < ?"; arguments += [Self.millis(to)] }
            return try AuditLog.entries(db, sql: sql + " ORDER BY idx LIMIT ?", arguments: arguments + [limit])
        }
    }

    /// Appends one event on its own (auditor reads, refused certificates, unknown principals).
    @discardableResult
    public func record(_ event: AuditEvent, at: Date) async throws -> Int? {
        return try await journaledWrite { db, journal in try journal.record(db, event, at: at) }
    }

    /// Appends many events in one transaction (bulk loads, benchmarks).
    public func record(_ events: [AuditEvent], at: Date) async throws {
        try await journaledWrite { db, journal in
            for event in events { try journal.record(db, event, at: at) }
        }
    }

    /// The audit path of entry `index` in the tree of `size` entries.
    public func inclusionProof(index: Int, size: Int) async throws -> [[UInt8]] {
        try await pool.read { db in
            guard index >= 0, index < size, size <= (try AuditLog.size(db)) else { throw AuditError.outOfRange }
            return try MerkleTree.inclusionProof(index: index, size: size, lookup: AuditLog.lookup(db))
        }
    }

    /// A proof that the tree of `from` entries is a prefix of the tree of `to` entries.
    public func consistencyProof(from: Int, to: Int) async throws -> [[UInt8]] {
        try await pool.read { db in
            guard from > 0, from <= to, to <= (try AuditLog.size(db)) else { throw AuditError.outOfRange }
            return try MerkleTree.consistencyProof(old: from, new: to, lookup: AuditLog.lookup(db))
        }
    }

    /// The newest stored checkpoint.
    public func latestCheckpoint() async throws -> StoredCheckpoint? {
        try await pool.read { db in try Self.latestCheckpoint(db) }
    }

    static func latestCheckpoint(_ db: Database) throws -> StoredCheckpoint? {
        try Row.fetchOne(db, sql: "SELECT tree_size, root, note, at FROM checkpoints ORDER BY tree_size DESC LIMIT 1").map { row in
            StoredCheckpoint(size: row["tree_size"], root: Array(row["root"] as Data), note: row["note"], at: date(row["at"]))
        }
    }

    /// Signs and stores a checkpoint of the whole log unless the newest one already covers it;
    /// returns the checkpoint now in force.
    @discardableResult
    public func checkpoint(origin: String, key: Curve25519.Signing.PrivateKey, now: Date) async throws -> StoredCheckpoint {
        try await pool.write { db in try Self.checkpoint(db, origin: origin, key: key, now: now, covering: nil) }
    }

    /// The newest checkpoint if it covers the whole log (or, with `covering`, that entry); else a new one.
    static func checkpoint(_ db: Database, origin: String, key: Curve25519.Signing.PrivateKey, now: Date, covering index: Int?) throws -> StoredCheckpoint {
        let size = try AuditLog.size(db)
        if let latest = try latestCheckpoint(db), latest.size >= size || index.map({ latest.size > $0 }) == true {
            return latest
        }
        let root = try MerkleTree.root(size: size, lookup: AuditLog.lookup(db))
        let note = try SignedNote.sign(text: Checkpoint(origin: origin, size: size, root: root).body, name: origin, key: key)
        try db.cachedStatement(sql: "INSERT INTO checkpoints (tree_size, root, note, at) VALUES (?, ?, ?, ?)").execute(
                       arguments: [size, Data(root), note, millis(now)])
        return StoredCheckpoint(size: size, root: root, note: note, at: now)
    }

    /// A centre's receipt with its audit entry and inclusion proof in a checkpoint that covers it
    /// (one is made if the newest does not). `nil` if the receipt is not this centre's.
    public func receiptProof(centreID: String, receiptID: String, origin: String, key: Curve25519.Signing.PrivateKey, now: Date) async throws -> EntryProof? {
        try await pool.write { db in
            guard let index = try Int.fetchOne(db.cachedStatement(sql: "SELECT audit_index FROM receipts WHERE receipt_id = ? AND centre_id = ? AND audit_index IS NOT NULL"),
                                               arguments: [receiptID, centreID]) else { return nil }
            let checkpoint = try Self.checkpoint(db, origin: origin, key: key, now: now, covering: index)
            guard let entry = try AuditLog.entries(db, sql: "WHERE idx = ?", arguments: [index]).first else { return nil }
            let hashes = try MerkleTree.inclusionProof(index: index, size: checkpoint.size, lookup: AuditLog.lookup(db))
            return EntryProof(checkpoint: checkpoint, entry: entry, hashes: hashes)
        }
    }

    /// Every audit entry about one report (consent and delivery history), in log order.
    public func auditHistory(reportID: String) async throws -> [AuditEntry] {
        try await pool.read { db in
            try AuditLog.entries(db, sql: "WHERE report_seq = (SELECT seq FROM reports WHERE report_id = ?) ORDER BY idx", arguments: [reportID])
        }
    }
}
