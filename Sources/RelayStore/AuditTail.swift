import Foundation
import GRDB
import NIOConcurrencyHelpers
import RelayCore

/// The audit tree's right edge held in memory for the length of one write transaction, so that
/// its appends (a group-committed batch, a lease of fifty items) read neither the log's size nor
/// sibling nodes back for each entry.
///
/// `@unchecked Sendable`: it is created inside a write transaction and used only there, on the
/// writer's queue; it never outlives the transaction.
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
/// After a commit the edge is kept with the connection's `PRAGMA data_version`, which changes
/// exactly when another connection (`relayctl`, an operator's `sqlite3`) commits to the file. A
/// transaction starts from the kept edge only when it finds the same value *and* the log's size
/// equal to the kept one; anything else, or a rollback, means reading the edge again (O(log n)
/// point reads). The size is checked because a commit that fails on a full disk can leave the
/// kept edge ahead of the file: without the check `FullDiskTests` finds a gap in the log (the
/// observer is evidently told of a commit SQLite did not complete, or not told of its rollback).
/// Within one transaction every append goes through the same ``AuditTail``.
final class AuditTailCache: Sendable {
    private struct Kept {
        var state: AuditTail.State
        var dataVersion: Int
    }

    private struct Slots {
        var kept: Kept?
        /// The tail of the transaction under way, if it has appended.
        var current: AuditTail?
    }

    private let slots = NIOLockedValueBox(Slots())

    /// The tail for the transaction under way on the writer; `nil` outside a transaction (each
    /// statement then commits alone, and appends read the log as they go — so the kept edge is
    /// dropped, as this connection's own commits do not change its `data_version`). GRDB tells the
    /// transaction's end to the observer registered here even when the transaction wrote nothing,
    /// so a tail never outlives its transaction.
    func tail(_ db: Database) throws -> AuditTail? {
        guard db.isInsideTransaction else {
            slots.withLockedValue { $0.kept = nil }
            return nil
        }
        if let current = slots.withLockedValue({ $0.current }) { return current }
        let version = try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1
        let kept = slots.withLockedValue { $0.kept }
        let tail = if let kept, kept.dataVersion == version, try AuditLog.size(db) == kept.state.size {
            AuditTail(state: kept.state)
        } else {
            try AuditTail(db)
        }
        slots.withLockedValue { $0.current = tail }
        db.afterNextTransaction(
            onCommit: { [slots] _ in slots.withLockedValue { $0 = Slots(kept: Kept(state: tail.state, dataVersion: version)) } },
            onRollback: { [slots] _ in slots.withLockedValue { $0 = Slots() } })
        return tail
    }
}
