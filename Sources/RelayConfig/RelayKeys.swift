import Crypto
import Foundation
import RelayCore

/// The relay's own keys (DESIGN.md "Keys"), each a file of unpadded base64url in the key
/// directory, mode 0600:
/// - `envelope-NNNN.x25519`: X25519 private keys for inbound envelopes; the highest number is
///   the one centres seal to, older ones still open old originals;
/// - `signing.ed25519`: the Ed25519 key for receipts and checkpoints;
/// - `pseudonym.hmac`: the 32-byte secret for repeat-victim pseudonyms.
public struct RelayKeys: Sendable {
    /// Newest first.
    public var envelopeKeys: [Curve25519.KeyAgreement.PrivateKey]
    public var signingKey: Curve25519.Signing.PrivateKey
    public var pseudonymSecret: SymmetricKey

    static let signingFile = "signing.ed25519"
    static let pseudonymFile = "pseudonym.hmac"

    /// Creates any key that is missing (`relayctl keys init`); existing keys are kept. Returns the files written.
    @discardableResult
    public static func initialise(directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var written: [String] = []
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        if !existing.contains(where: { $0.hasPrefix("envelope-") && $0.hasSuffix(".x25519") }) {
            let path = "\(directory)/envelope-0001.x25519"
            try SecretFile.write(Base64URL.encode(Curve25519.KeyAgreement.PrivateKey().rawRepresentation), to: path)
            written.append(path)
        }
        if !existing.contains(signingFile) {
            let path = "\(directory)/\(signingFile)"
            try SecretFile.write(Base64URL.encode(Curve25519.Signing.PrivateKey().rawRepresentation), to: path)
            written.append(path)
        }
        if !existing.contains(pseudonymFile) {
            let path = "\(directory)/\(pseudonymFile)"
            try SecretFile.write(Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }), to: path)
            written.append(path)
        }
        return written
    }

    /// Loads the keys, refusing any key file that group or others can read.
    public static func load(directory: String) throws -> RelayKeys {
        let key = "key_directory"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ConfigurationError(key: key, problem: "cannot read \(directory)", fix: "run `relayctl keys init --dir \(directory)`")
        }
        let envelopeNames = names.filter { $0.hasPrefix("envelope-") && $0.hasSuffix(".x25519") }.sorted(by: >)
        guard !envelopeNames.isEmpty else {
            throw ConfigurationError(key: key, problem: "holds no envelope key (envelope-NNNN.x25519)", fix: "run `relayctl keys init --dir \(directory)`")
        }
        let envelopeKeys = try envelopeNames.map { name in
            try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: SecretFile.read("\(directory)/\(name)", bytes: 32, key: key))
        }
        let signing = try Curve25519.Signing.PrivateKey(rawRepresentation: SecretFile.read("\(directory)/\(signingFile)", bytes: 32, key: key))
        let secret = SymmetricKey(data: try SecretFile.read("\(directory)/\(pseudonymFile)", bytes: 32, key: key))
        return RelayKeys(envelopeKeys: envelopeKeys, signingKey: signing, pseudonymSecret: secret)
    }
}

/// Files holding secrets: written 0600, refused when group or others may read them.
public enum SecretFile {
    /// Writes `text` to a new file with mode 0600.
    public static func write(_ text: String, to path: String) throws {
        let created = FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600])
        guard created else { throw ConfigurationError(key: "(file)", problem: "cannot write \(path)", fix: "check the directory exists and is writable") }
        _ = chmod(path, 0o600)
    }

    /// Throws unless the file's mode gives nothing to group or others.
    public static func checkPermissions(_ path: String, key: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ConfigurationError(key: key, problem: "cannot find \(path)", fix: "create it, or run `relayctl keys init` / `relayctl pki init`")
        }
        if info.st_mode & 0o077 != 0 {
            throw ConfigurationError(key: key, problem: "\(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8)))",
                                     fix: "chmod 600 \(path)")
        }
    }

    /// Reads a base64url secret of exactly `bytes` bytes after checking its permissions.
    static func read(_ path: String, bytes: Int, key: String) throws -> Data {
        try checkPermissions(path, key: key)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let data = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == bytes else {
            throw ConfigurationError(key: key, problem: "\(path) is not a \(bytes)-byte key in base64url", fix: "restore it from backup or re-create it with `relayctl keys init`")
        }
        return data
    }
}
