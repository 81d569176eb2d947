import Foundation
import GRDB
import RelayCore

/// The audit tree's right edge held in memory for the length of one write transaction, so that a
/// group-committed batch appends its entries without reading the log's size or sibling nodes back
/// for each one.
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

    /// Reads the size and the right edge: O(log n) lookups, once per transaction.
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
