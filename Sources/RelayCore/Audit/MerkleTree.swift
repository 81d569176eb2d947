import Crypto
import Foundation

/// RFC 6962 / RFC 9162 §2.1 Merkle tree hashing, proofs and their verification.
///
/// The tree is never held in memory: every algorithm reads the hashes of *perfect* subtrees —
/// node (level, index) covers leaves `[index·2^level, (index+1)·2^level)` — through a lookup the
/// caller provides (the store keeps them in a table). Any other subtree hash is derived from at
/// most O(log n) perfect ones.
public enum MerkleTree {
    /// SHA-256 of the empty string: the root of the empty tree.
    public static let emptyRoot = [UInt8](SHA256.hash(data: Data()))

    /// `SHA-256(0x00 ‖ leaf)`.
    public static func leafHash(_ leaf: some Sequence<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: Array(leaf))
        return Array(hasher.finalize())
    }

    /// `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    /// Looks up the hash of perfect subtree (level, index); throws if it is missing.
    public typealias NodeLookup = (_ level: Int, _ index: Int) throws -> [UInt8]

    /// The perfect-subtree nodes that appending leaf number `index` (0-based) with `hash` creates:
    /// the leaf itself and each parent it completes. `lookup` gives left siblings.
    public static func nodesCreated(appendingLeaf index: Int, hash: [UInt8], lookup: NodeLookup) throws -> [(level: Int, index: Int, hash: [UInt8])] {
        var created = [(level: 0, index: index, hash: hash)]
        var level = 0, position = index, current = hash
        while position & 1 == 1 {
            current = nodeHash(try lookup(level, position - 1), current)
            level += 1
            position >>= 1
            created.append((level, position, current))
        }
        return created
    }

    /// MTH(D[start:end]) from perfect subtrees.
    public static func subtreeHash(_ start: Int, _ end: Int, lookup: NodeLookup) throws -> [UInt8] {
        let width = end - start
        precondition(width > 0, "empty subtree")
        if width & (width - 1) == 0 && start % width == 0 {
            return try lookup(width.trailingZeroBitCount, start / width)
        }
        let split = largestPowerOfTwo(below: width)
        return nodeHash(try subtreeHash(start, start + split, lookup: lookup), try subtreeHash(start + split, end, lookup: lookup))
    }

    /// The root of the first `size` leaves.
    public static func root(size: Int, lookup: NodeLookup) throws -> [UInt8] {
        size == 0 ? emptyRoot : try subtreeHash(0, size, lookup: lookup)
    }

    /// PATH(index, D[size]) of RFC 6962 §2.1.1: the audit path, leaf to root.
    public static func inclusionProof(index: Int, size: Int, lookup: NodeLookup) throws -> [[UInt8]] {
        precondition(index >= 0 && index < size)
        var proof: [[UInt8]] = []
        try path(index, 0, size, into: &proof, lookup: lookup)
        return proof
    }

    private static func path(_ m: Int, _ start: Int, _ end: Int, into proof: inout [[UInt8]], lookup: NodeLookup) throws {
        guard end - start > 1 else { return }
        let split = largestPowerOfTwo(below: end - start)
        if m < start + split {
            try path(m, start, start + split, into: &proof, lookup: lookup)
            proof.append(try subtreeHash(start + split, end, lookup: lookup))
        } else {
            try path(m, start + split, end, into: &proof, lookup: lookup)
            proof.append(try subtreeHash(start, start + split, lookup: lookup))
        }
    }

    /// PROOF(old, D[new]) of RFC 6962 §2.1.2: that the first `old` leaves are a prefix of `new`.
    public static func consistencyProof(old: Int, new: Int, lookup: NodeLookup) throws -> [[UInt8]] {
        precondition(0 < old && old <= new)
        var proof: [[UInt8]] = []
        try subproof(old, 0, new, startsFromOld: true, into: &proof, lookup: lookup)
        return proof
    }

    private static func subproof(_ m: Int, _ start: Int, _ end: Int, startsFromOld: Bool, into proof: inout [[UInt8]], lookup: NodeLookup) throws {
        let width = end - start
        if m == width {
            if !startsFromOld { proof.append(try subtreeHash(start, end, lookup: lookup)) }
            return
        }
        let split = largestPowerOfTwo(below: width)
        if m <= split {
            try subproof(m, start, start + split, startsFromOld: startsFromOld, into: &proof, lookup: lookup)
            proof.append(try subtreeHash(start + split, end, lookup: lookup))
        } else {
            try subproof(m - split, start + split, end, startsFromOld: false, into: &proof, lookup: lookup)
            proof.append(try subtreeHash(start, start + split, lookup: lookup))
        }
    }

    /// The largest power of two strictly below `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// RFC 9162 §2.1.3.2: whether `proof` shows leaf `leafHash` at `index` in the tree of `size` with `root`.
    public static func verifyInclusion(leafHash: [UInt8], index: Int, size: Int, proof: [[UInt8]], root: [UInt8]) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var r = leafHash
        for p in proof {
            guard sn > 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                r = nodeHash(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                r = nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2: whether `proof` shows the tree of `oldSize` with `oldRoot` is a prefix of
    /// the tree of `newSize` with `newRoot`.
    public static func verifyConsistency(oldSize: Int, newSize: Int, proof: [[UInt8]], oldRoot: [UInt8], newRoot: [UInt8]) -> Bool {
        guard oldSize > 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard let first = path.first else { return false }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = first, sr = first
        for c in path.dropFirst() {
            guard sn > 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = nodeHash(c, fr)
                sr = nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}
