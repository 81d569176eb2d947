import Foundation
import GRDB
import RelayCore

/// Appends to and reads the audit log inside the caller's transaction, so that an entry and the
/// state change it records commit together or not at all.
enum AuditLog {
    /// The number of entries.
    static func size(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(idx) + 1, 0) FROM audit_entries")) ?? 0
    }

    /// Appends one entry and the perfect-subtree nodes it completes: O(log n). The size and the
    /// siblings come from the transaction's `tail`, not from the database.
    @discardableResult
    static func append(_ db: Database, _ event: AuditEvent, at: Date, tail: AuditTail) throws -> AuditEntry {
        // The leaf is hashed from the time as stored (whole milliseconds), so that it can be recomputed.
        let at = RelayDatabase.date(RelayDatabase.millis(at))
        var entry = AuditEntry(index: tail.state.size, at: at, event: event)
        let created: [(level: Int, index: Int, hash: [UInt8])]
        (entry.index, created) = try tail.append(leafHash: entry.leafHash)
        try db.cachedStatement(sql: """
            INSERT INTO audit_entries (idx, at, actor, role, action, report_id, delivery_id, details, report_seq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, (SELECT seq FROM reports WHERE report_id = ?6))
            """).execute(arguments: [entry.index, RelayDatabase.millis(at), entry.actor, entry.role, entry.action, entry.reportID,
                             entry.deliveryID, entry.details.canonicalString])
        // One statement for all the nodes (one SQL text per node count, each prepared once).
        let values = Array(repeating: "(?, ?, ?)", count: created.count).joined(separator: ", ")
        var arguments: [(any DatabaseValueConvertible)?] = []
        for node in created { arguments += [node.level, node.index, Data(node.hash)] }
        try db.cachedStatement(sql: "INSERT INTO audit_nodes (level, idx, hash) VALUES " + values).execute(arguments: StatementArguments(arguments))
        return entry
    }

    /// Reads perfect-subtree hashes.
    static func lookup(_ db: Database) -> MerkleTree.NodeLookup {
        { level, index in
            guard let hash = try Data.fetchOne(db.cachedStatement(sql: "SELECT hash FROM audit_nodes WHERE level = ? AND idx = ?"), arguments: [level, index]) else {
                throw AuditError.missingNode(level: level, index: index)
            }
            return Array(hash)
        }
    }

    /// Rebuilds entries from rows.
    static func entries(_ db: Database, sql: String, arguments: StatementArguments) throws -> [AuditEntry] {
        try Row.fetchAll(db, sql: "SELECT idx, at, actor, role, action, report_id, delivery_id, details FROM audit_entries " + sql,
                         arguments: arguments).map(entry)
    }

    static func entry(_ row: Row) -> AuditEntry {
        AuditEntry(index: row["idx"], at: RelayDatabase.date(row["at"]), actor: row["actor"], role: row["role"], action: row["action"],
                   reportID: row["report_id"], deliveryID: row["delivery_id"],
                   details: (try? JSONParser.parse(Array((row["details"] as String).utf8))) ?? .null)
    }
}

/// Why an audit read failed.
public enum AuditError: Error, Sendable, Equatable {
    case missingNode(level: Int, index: Int)
    /// An index or size past the end of the log, or a range the API does not allow.
    case outOfRange
}
