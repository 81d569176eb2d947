import Crypto
import Foundation

/// A C2SP `tlog-checkpoint`: origin, tree size and root hash.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: [UInt8]

    public init(origin: String, size: Int, root: [UInt8]) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note body: `origin\nsize\nbase64(root)\n`.
    public var body: String { "\(origin)\n\(size)\n\(Data(root).base64EncodedString())\n" }

    /// Parses a note body; `nil` when it is not a checkpoint.
    public init?(body: String) {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count >= 4, lines.last == "", !lines[0].isEmpty, let size = Int(lines[1]), size >= 0,
              let root = Data(base64Encoded: String(lines[2])), root.count == 32 else { return nil }
        self.init(origin: String(lines[0]), size: size, root: Array(root))
    }
}

/// C2SP signed notes with Ed25519: `text ‖ "\n" ‖ "— NAME base64(keyhash[0:4] ‖ signature)\n"`,
/// keyhash = SHA-256(NAME ‖ 0x0A ‖ 0x01 ‖ public key), the signature over the text.
public enum SignedNote {
    /// The 4-byte key id of an Ed25519 key under `name`.
    public static func keyID(name: String, key: Curve25519.Signing.PublicKey) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: Array(name.utf8) + [0x0A, 0x01])
        hasher.update(data: key.rawRepresentation)
        return Array(hasher.finalize().prefix(4))
    }

    /// Signs `text` (which must end in a newline) as `name`.
    public static func sign(text: String, name: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        precondition(text.hasSuffix("\n"), "a note's text ends with a newline")
        let signature = try key.signature(for: Data(text.utf8))
        let blob = Data(keyID(name: name, key: key.publicKey) + Array(signature)).base64EncodedString()
        return text + "\n" + "\u{2014} \(name) \(blob)\n"
    }

    /// The text of `note` if it carries a valid signature by `key` under `name`; `nil` otherwise.
    /// The note's text if one of `keys` signed it (a relay publishes its retired signing keys too).
    public static func verify(note: String, name: String, keys: [Curve25519.Signing.PublicKey]) -> String? {
        keys.lazy.compactMap { verify(note: note, name: name, key: $0) }.first
    }

    public static func verify(note: String, name: String, key: Curve25519.Signing.PublicKey) -> String? {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return nil }
        let text = String(note[..<split.lowerBound]) + "\n"
        let expected = keyID(name: name, key: key)
        for line in note[split.upperBound...].split(separator: "\n") {
            let prefix = "\u{2014} \(name) "
            guard line.hasPrefix(prefix), let blob = Data(base64Encoded: String(line.dropFirst(prefix.count))), blob.count == 68,
                  Array(blob.prefix(4)) == expected else { continue }
            if key.isValidSignature(blob.dropFirst(4), for: Data(text.utf8)) { return text }
        }
        return nil
    }
}
