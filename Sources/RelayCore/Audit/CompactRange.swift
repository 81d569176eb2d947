/// The right edge of a Merkle tree in memory: the roots of its perfect subtrees, largest first.
/// Appending is amortised O(1); the root is a fold of at most log2(n) hashes. Used to recompute
/// the whole tree from the entries, trusting nothing stored.
public struct CompactRange: Sendable {
    private var stack: [(width: Int, hash: [UInt8])] = []
    public private(set) var size = 0

    public init() {}

    /// Appends a leaf hash.
    public mutating func append(leafHash: [UInt8]) {
        stack.append((1, leafHash))
        while stack.count >= 2, stack[stack.count - 1].width == stack[stack.count - 2].width {
            let right = stack.removeLast(), left = stack.removeLast()
            stack.append((left.width * 2, MerkleTree.nodeHash(left.hash, right.hash)))
        }
        size += 1
    }

    /// The root of the leaves appended so far.
    public var root: [UInt8] {
        guard var result = stack.last?.hash else { return MerkleTree.emptyRoot }
        for node in stack.dropLast().reversed() { result = MerkleTree.nodeHash(node.hash, result) }
        return result
    }
}
