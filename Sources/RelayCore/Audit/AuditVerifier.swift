import Crypto
import Foundation

/// The result of verifying the whole audit log.
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

/// Verifies an audit log from its parts, trusting no stored hash: the tree is recomputed from
/// the entries, each entry is compared with the leaf hash recorded when it was appended, every
/// stored checkpoint's signature and root are checked at its size, and a checkpoint saved
/// earlier (if given) must still match. The store only feeds it, entry by entry, in index order.
public struct AuditVerifier {
    /// A checkpoint as stored beside the log.
    public struct StoredNote: Sendable {
        public var size: Int
        public var root: [UInt8]
        public var note: String

        public init(size: Int, root: [UInt8], note: String) {
            self.size = size
            self.root = root
            self.note = note
        }
    }

    private let origin: String
    /// The relay's signing keys, current and retired: a checkpoint signed before a rotation still counts.
    private let keys: [Curve25519.Signing.PublicKey]
    private let checkpoints: [Int: StoredNote]
    private var earlier: Checkpoint?
    private var range = CompactRange()
    private var problems: [String] = []
    private var firstBad: Int?
    private var stopped = false

    /// `earlier`: a signed checkpoint note saved before, which the log must still agree with.
    public init(origin: String, keys: [Curve25519.Signing.PublicKey], checkpoints: [StoredNote], earlier: String? = nil) {
        self.origin = origin
        self.keys = keys
        self.checkpoints = Dictionary(checkpoints.map { ($0.size, $0) }, uniquingKeysWith: { first, _ in first })
        if let earlier {
            if let text = SignedNote.verify(note: earlier, name: origin, keys: keys), let parsed = Checkpoint(body: text), parsed.origin == origin {
                self.earlier = parsed
            } else {
                fail("the checkpoint given with --against is not signed by this relay's key for origin \(origin)")
            }
        }
        checkRoots()
    }

    /// Whether more entries are wanted (false once the log has a gap that stops the walk).
    public var wantsMore: Bool { !stopped }

    /// The next stored entry, with the leaf hash the store recorded when it was appended (`nil`
    /// if none was).
    public mutating func feed(_ entry: AuditEntry, recordedHash: [UInt8]?) {
        guard !stopped else { return }
        guard entry.index == range.size else {
            fail(entry.index > range.size ? "entry \(range.size) is missing (the next entry is \(entry.index))" : "entry \(entry.index) is out of order",
                 index: range.size)
            stopped = true
            return
        }
        let leafHash = entry.leafHash
        // An entry edited in place no longer matches the hash recorded when it was appended; one
        // inserted by hand has no recorded hash, or another entry's.
        if let recordedHash {
            if recordedHash != leafHash { fail("entry \(entry.index) does not match the hash recorded when it was appended", index: entry.index) }
        } else {
            fail("entry \(entry.index) was not appended by the relay (no hash was recorded for it)", index: entry.index)
        }
        range.append(leafHash: leafHash)
        checkRoots()
    }

    /// The verdict once every entry has been fed.
    public func finish() -> AuditVerification {
        var result = self
        let latest = checkpoints.keys.max()
        if let latest, latest > range.size {
            result.fail("the log has \(range.size) entries but a signed checkpoint covers \(latest): entries were removed", index: range.size)
        }
        if let earlier, earlier.size > range.size {
            result.fail("the log has \(range.size) entries but the checkpoint saved earlier covers \(earlier.size): the log was truncated", index: range.size)
        }
        if latest == nil && range.size > 0 { result.fail("no signed checkpoint exists yet; run `relayctl audit checkpoint` on the running relay") }
        return AuditVerification(size: range.size, checkpointSize: latest, problems: result.problems, firstBadIndex: result.firstBad)
    }

    /// At the current size: a stored checkpoint must be validly signed and match the entries so
    /// far, and so must the checkpoint saved earlier.
    private mutating func checkRoots() {
        let size = range.size
        if let stored = checkpoints[size] {
            let signed = SignedNote.verify(note: stored.note, name: origin, keys: keys).flatMap(Checkpoint.init(body:))
            if signed == nil || signed?.root != stored.root || signed?.size != size {
                fail("the stored checkpoint at size \(size) does not carry a valid signature")
            } else if stored.root != range.root {
                fail("the entries before \(size) do not match the signed checkpoint at size \(size)")
            }
        }
        if let earlier, earlier.size == size, earlier.root != range.root {
            fail("the log was rewritten: its first \(size) entries no longer match the checkpoint saved earlier (size \(size))")
        }
    }

    private mutating func fail(_ problem: String, index: Int? = nil) {
        problems.append(problem)
        if let index, firstBad == nil { firstBad = index }
    }
}
