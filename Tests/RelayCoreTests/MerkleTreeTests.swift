import Crypto
import Foundation
import RelayCore
import Testing

/// A tree held in memory for tests: every perfect subtree, built by appending leaves the way the store does.
struct MemoryTree {
    var nodes: [String: [UInt8]] = [:]
    var size = 0

    mutating func append(_ leaf: [UInt8]) throws {
        let created = try MerkleTree.nodesCreated(appendingLeaf: size, hash: MerkleTree.leafHash(leaf), lookup: lookup)
        for node in created { nodes["\(node.level)/\(node.index)"] = node.hash }
        size += 1
    }

    var lookup: MerkleTree.NodeLookup {
        { [nodes] level, index in
            guard let hash = nodes["\(level)/\(index)"] else { throw LookupError.missing(level, index) }
            return hash
        }
    }

    enum LookupError: Error { case missing(Int, Int) }
}

/// The RFC 6962 definition of MTH, computed naively from the leaves: the independent reference.
func referenceRoot(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
    if leaves.isEmpty { return MerkleTree.emptyRoot }
    if leaves.count == 1 { return MerkleTree.leafHash(leaves.first!) }
    var k = 1
    while k << 1 < leaves.count { k <<= 1 }
    return MerkleTree.nodeHash(referenceRoot(leaves.prefix(k)), referenceRoot(leaves.dropFirst(k)))
}

func hex(_ text: String) -> [UInt8] { Hex.decode(text)! }

@Suite("RFC 6962 Merkle tree")
struct MerkleTreeTests {
    /// The Certificate Transparency reference tree of 8 leaves (RFC 6962 test data, as published
    /// with the CT and transparency-dev reference implementations).
    static let leaves: [[UInt8]] = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"].map(hex)
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ].map(hex)
    /// (leaf index, tree size, audit path).
    static let inclusionVectors: [(Int, Int, [String])] = [
        (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (0, 1, []),
    ]
    /// (old size, new size, proof).
    static let consistencyVectors: [(Int, Int, [String])] = [
        (1, 1, []),
        (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
        (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
        (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
        (6, 7, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    ]

    func referenceTree() throws -> MemoryTree {
        var tree = MemoryTree()
        for leaf in Self.leaves { try tree.append(leaf) }
        return tree
    }

    @Test("roots for every size 1–8 equal the reference tree's")
    func roots() throws {
        var tree = MemoryTree()
        #expect(MerkleTree.emptyRoot == hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        for (size, leaf) in Self.leaves.enumerated() {
            try tree.append(leaf)
            #expect(try MerkleTree.root(size: size + 1, lookup: tree.lookup) == Self.roots[size], "size \(size + 1)")
        }
    }

    @Test("inclusion proofs equal the reference vectors and verify", arguments: 0..<5)
    func inclusion(vector: Int) throws {
        let (index, size, path) = Self.inclusionVectors[vector]
        let tree = try referenceTree()
        let proof = try MerkleTree.inclusionProof(index: index, size: size, lookup: tree.lookup)
        #expect(proof == path.map(hex))
        let leaf = MerkleTree.leafHash(Self.leaves[index])
        #expect(MerkleTree.verifyInclusion(leafHash: leaf, index: index, size: size, proof: proof, root: Self.roots[size - 1]))
    }

    @Test("consistency proofs equal the reference vectors and verify", arguments: 0..<5)
    func consistency(vector: Int) throws {
        let (old, new, expected) = Self.consistencyVectors[vector]
        let tree = try referenceTree()
        let proof = try MerkleTree.consistencyProof(old: old, new: new, lookup: tree.lookup)
        #expect(proof == expected.map(hex))
        #expect(MerkleTree.verifyConsistency(oldSize: old, newSize: new, proof: proof, oldRoot: Self.roots[old - 1], newRoot: Self.roots[new - 1]))
    }

    @Test("random trees up to 1,000 leaves: every proof verifies; a wrong leaf, index, size or hash does not")
    func randomTrees() throws {
        var generator = SystemRandomNumberGenerator()
        var tree = MemoryTree()
        var leaves: [[UInt8]] = []
        let sizes = Set([1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 33, 64, 100, 127, 128, 129, 255, 256, 257, 511, 600, 999, 1000])
        for size in 1...1000 {
            // Distinct leaves (an index prefix), so that a proof can only fit its own leaf.
            let leaf = [UInt8(size & 0xFF), UInt8(size >> 8)] + (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            leaves.append(leaf)
            try tree.append(leaf)
            guard sizes.contains(size) else { continue }
            let root = try MerkleTree.root(size: size, lookup: tree.lookup)
            #expect(root == referenceRoot(leaves[...]), "root of \(size)")
            let probes = size <= 64 ? Array(0..<size) : (0..<24).map { _ in Int.random(in: 0..<size, using: &generator) } + [0, size - 1]
            for index in probes {
                let proof = try MerkleTree.inclusionProof(index: index, size: size, lookup: tree.lookup)
                let leafHash = MerkleTree.leafHash(leaves[index])
                #expect(MerkleTree.verifyInclusion(leafHash: leafHash, index: index, size: size, proof: proof, root: root))
                #expect(!MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(leaves[index] + [1]), index: index, size: size, proof: proof, root: root))
                if size > 1 {
                    #expect(!MerkleTree.verifyInclusion(leafHash: leafHash, index: (index + 1) % size, size: size, proof: proof, root: root))
                    #expect(!MerkleTree.verifyInclusion(leafHash: leafHash, index: index, size: size * 2, proof: proof, root: root))
                    var corrupted = proof
                    corrupted[0][0] ^= 1
                    #expect(!MerkleTree.verifyInclusion(leafHash: leafHash, index: index, size: size, proof: corrupted, root: root))
                }
            }
            for old in Set((0..<12).map { _ in Int.random(in: 1...size, using: &generator) } + [1, size]) {
                let proof = try MerkleTree.consistencyProof(old: old, new: size, lookup: tree.lookup)
                let oldRoot = referenceRoot(leaves[..<old])
                #expect(MerkleTree.verifyConsistency(oldSize: old, newSize: size, proof: proof, oldRoot: oldRoot, newRoot: root), "\(old)→\(size)")
                if old < size {
                    #expect(!MerkleTree.verifyConsistency(oldSize: old, newSize: size, proof: proof, oldRoot: root, newRoot: root))
                    #expect(!MerkleTree.verifyConsistency(oldSize: old, newSize: size * 2, proof: proof, oldRoot: oldRoot, newRoot: root))
                    if !proof.isEmpty {
                        var corrupted = proof
                        corrupted[corrupted.count - 1][5] ^= 0x10
                        #expect(!MerkleTree.verifyConsistency(oldSize: old, newSize: size, proof: corrupted, oldRoot: oldRoot, newRoot: root))
                    }
                }
            }
        }
    }

    @Test("appending creates at most log2(n)+1 nodes: the right edge, not a recomputation")
    func appendCost() throws {
        var tree = MemoryTree()
        var lookups = 0
        for index in 0..<1024 {
            let nodes = tree.nodes
            let created = try MerkleTree.nodesCreated(appendingLeaf: index, hash: MerkleTree.leafHash([UInt8(index & 0xFF)])) { level, position in
                lookups += 1
                return nodes["\(level)/\(position)"]!
            }
            #expect(created.count == (index + 1).trailingZeroBitCount + 1)
            for node in created { tree.nodes["\(node.level)/\(node.index)"] = node.hash }
        }
        #expect(lookups == 1023, "one sibling lookup per completed parent")
    }
}

@Suite("Checkpoints as C2SP signed notes")
struct SignedNoteTests {
    @Test("a checkpoint note round-trips and verifies only with the right key and name")
    func roundTrip() throws {
        let key = Curve25519.Signing.PrivateKey()
        let checkpoint = Checkpoint(origin: "reportrelay.example/log", size: 8, root: MerkleTreeTests.roots[7])
        let note = try SignedNote.sign(text: checkpoint.body, name: checkpoint.origin, key: key)
        #expect(note.hasPrefix("reportrelay.example/log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u{2014} reportrelay.example/log "))
        let text = try #require(SignedNote.verify(note: note, name: checkpoint.origin, key: key.publicKey))
        #expect(Checkpoint(body: text) == checkpoint)
        #expect(SignedNote.verify(note: note, name: "other.example/log", key: key.publicKey) == nil)
        #expect(SignedNote.verify(note: note, name: checkpoint.origin, key: Curve25519.Signing.PrivateKey().publicKey) == nil)
        #expect(SignedNote.verify(note: note.replacingOccurrences(of: "\n8\n", with: "\n9\n"), name: checkpoint.origin, key: key.publicKey) == nil)
    }
}
