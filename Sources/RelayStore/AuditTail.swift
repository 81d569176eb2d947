import Foundation
import GRDB
import NIOConcurrencyHelpers
import RelayCore

/// The audit tree's right edge held in memory for the length of one write transaction, so that
/// its appends (a group-committed batch, a lease of fifty items) read neither the log's size nor
/// sibling nodes back for each entry.
///
/// `@unchecked Sendable`: it is created inside a write transaction and used only there, on the
/// writer's queue; what outlives the transaction is a copy of its ``State``, kept by
/// ``AuditTailCache`` once the commit has succeeded.
final class AuditTail: @unchecked Sendable {
    struct State {
        var size: Int
        /// For each set bit L of `size`, the perfect subtree at level L on the right edge.
        var edge: [Int: [UInt8]]
    }

    var state: State

    init(state: State) { self.state = state }

    /// Reads the size and the right edge: O(log n) lookups.
    init(_ db: Database) throws {
        let size = try AuditLog.size(db)
        var edge: [Int: [UInt8]] = [:]
        let lookup = AuditLog.lookup(db)
        var level = 0
        while size >> level > 0 {
            if (size >> level) & 1 == 1 { edge[level] = try lookup(level, (size >> level) - 1) }
            level += 1
        }
        state = State(size: size, edge: edge)
    }

    /// The nodes that appending `leafHash` creates, advancing the edge.
    func append(leafHash: [UInt8]) throws -> (index: Int, nodes: [(level: Int, index: Int, hash: [UInt8])]) {
        let index = state.size
        let edge = state.edge
        let nodes = try MerkleTree.nodesCreated(appendingLeaf: index, hash: leafHash) { level, _ in
            guard let hash = edge[level] else { throw AuditError.missingNode(level: level, index: (index >> level) - 1) }
            return hash
        }
        let top = nodes[nodes.count - 1]
        for level in 0..<top.level { state.edge[level] = nil }
        state.edge[top.level] = top.hash
        state.size += 1
        return (index, nodes)
    }
}

/// The right edge kept from one of the writer's transactions to the next, so that a transaction
/// reads it back only when someone else may have appended meanwhile.
///
/// ``RelayDatabase/journaledWrite(_:)`` hands a transaction its edge at the start
/// (``begin(_:)``) and keeps the edge it ends with only once `pool.write` has returned, that is
/// once the commit has succeeded (``committed(_:dataVersion:)``); any error forgets it
/// (``forget()``). No transaction observer decides what was committed: when SQLite rolls a
/// transaction back by itself (`RAISE(ROLLBACK)`, a commit failing on a full disk), GRDB does not
/// tell observers, and an edge kept on such a signal would sit ahead of the file
/// (`AuditLogTests` and `FullDiskTests` found that gap).
///
/// A transaction starts from the kept edge only when the connection's `PRAGMA data_version` is
/// the one it was kept with — it changes exactly when another connection (`relayctl`, an
/// operator's `sqlite3`) commits to the file — and the log's size equals the kept size (a kept
/// edge from an older commit, stored late, is then simply not used). Otherwise the edge is read
/// again: O(log n) point reads.
final class AuditTailCache: Sendable {
    private struct Kept {
        var state: AuditTail.State
        var dataVersion: Int
    }

    private let kept = NIOLockedValueBox<Kept?>(nil)

    /// The edge for a write transaction starting now on the writer, and the `data_version` to
    /// keep its final edge with.
    func begin(_ db: Database) throws -> (tail: AuditTail, dataVersion: Int) {
        let version = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1
        if let kept = kept.withLockedValue({ $0 }), kept.dataVersion == version, try AuditLog.size(db) == kept.state.size {
            return (AuditTail(state: kept.state), version)
        }
        return (try AuditTail(db), version)
    }

    /// The edge a transaction committed with.
    func committed(_ state: AuditTail.State, dataVersion: Int) {
        kept.withLockedValue { $0 = Kept(state: state, dataVersion: dataVersion) }
    }

    /// Forgets the kept edge: the next transaction reads it again.
    func forget() {
        kept.withLockedValue { $0 = nil }
    }
}
