import Crypto
import Foundation
import RelayCore

/// The relay's own keys (DESIGN.md "Keys"), each a file of unpadded base64url in the key
/// directory, mode 0600:
/// - `envelope-NNNN.x25519`: X25519 private keys for inbound envelopes; the highest number is
///   the one centres seal to, older ones still open old originals;
/// - `signing.ed25519`: the Ed25519 key for receipts and checkpoints;
/// - `signing-retired-KEYID.ed25519.pub`: public halves of earlier signing keys (mode 0644), still
///   published so that receipts and checkpoints they signed keep verifying;
/// - `pseudonym.hmac`: the 32-byte secret for repeat-victim pseudonyms.
public struct RelayKeys: Sendable {
    /// Newest first.
    public var envelopeKeys: [Curve25519.KeyAgreement.PrivateKey]
    public var signingKey: Curve25519.Signing.PrivateKey
    /// Earlier signing keys' public halves (their private halves are destroyed at rotation).
    public var retiredSigningKeys: [Curve25519.Signing.PublicKey] = []
    public var pseudonymSecret: SymmetricKey

    static let signingFile = "signing.ed25519"
    static let pseudonymFile = "pseudonym.hmac"
    static let retiredPrefix = "signing-retired-", retiredSuffix = ".ed25519.pub"

    /// The current signing key's public half first, then the retired ones.
    public var signingPublicKeys: [Curve25519.Signing.PublicKey] { [signingKey.publicKey] + retiredSigningKeys }

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
        let retired = try names.filter { $0.hasPrefix(retiredPrefix) && $0.hasSuffix(retiredSuffix) }.sorted().map { name in
            guard let text = try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8),
                  let raw = Base64URL.decode(text.trimmingCharacters(in: .whitespacesAndNewlines)),
                  let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                throw ConfigurationError(key: key, problem: "\(directory)/\(name) is not an Ed25519 public key in base64url",
                                         fix: "restore it from backup: receipts it signed cannot be verified without it")
            }
            return publicKey
        }
        return RelayKeys(envelopeKeys: envelopeKeys, signingKey: signing, retiredSigningKeys: retired, pseudonymSecret: secret)
    }
}

// MARK: Rotation (`relayctl keys rotate`, `relayctl keys retire`)

extension RelayKeys {
    /// The envelope key files, newest first, with their key ids.
    public static func envelopeKeyFiles(directory: String) throws -> [(file: String, keyID: String)] {
        try envelopeNames(directory).map { name in
            let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: SecretFile.read("\(directory)/\(name)", bytes: 32, key: "key_directory"))
            return ("\(directory)/\(name)", EnvelopeKeyID.of(key.publicKey))
        }
    }

    static func envelopeNames(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("envelope-") && $0.hasSuffix(".x25519") }.sorted(by: >)
    }

    /// Adds a new envelope key, which becomes the one centres seal to; older keys keep opening
    /// what was sealed to them. Returns the new key's id.
    public static func rotateEnvelope(directory: String) throws -> String {
        let numbers = envelopeNames(directory).compactMap { Int($0.dropFirst("envelope-".count).prefix(while: \.isNumber)) }
        let next = (numbers.max() ?? 0) + 1
        let key = Curve25519.KeyAgreement.PrivateKey()
        try SecretFile.write(Base64URL.encode(key.rawRepresentation), to: "\(directory)/envelope-\(String(format: "%04d", next)).x25519")
        return EnvelopeKeyID.of(key.publicKey)
    }

    /// Replaces the signing key: the old one's public half is kept (and published) so that what
    /// it signed still verifies; its private half is destroyed. Returns (new id, retired id).
    public static func rotateSigning(directory: String) throws -> (new: String, retired: String) {
        let old = try load(directory: directory).signingKey
        let retiredID = EnvelopeKeyID.of(old.publicKey)
        let retiredPath = "\(directory)/\(retiredPrefix)\(retiredID)\(retiredSuffix)"
        try DurableWrite.replace(path: retiredPath, contents: Base64URL.encode(old.publicKey.rawRepresentation) + "\n", mode: 0o644)
        let key = Curve25519.Signing.PrivateKey()
        try DurableWrite.replace(path: "\(directory)/\(signingFile)", contents: Base64URL.encode(key.rawRepresentation) + "\n", mode: 0o600)
        return (EnvelopeKeyID.of(key.publicKey), retiredID)
    }

    /// Deletes an envelope key that is no longer the newest. What was sealed to it can no longer
    /// be opened: the caller checks that no stored original needs it first.
    public static func retireEnvelope(directory: String, keyID: String) throws {
        let files = try envelopeKeyFiles(directory: directory)
        guard let index = files.firstIndex(where: { $0.keyID == keyID }) else {
            throw ConfigurationError(key: "key_directory", problem: "holds no envelope key with id \(keyID)", fix: "see `relayctl keys list`")
        }
        guard index > 0 else {
            throw ConfigurationError(key: "key_directory", problem: "\(keyID) is the current envelope key", fix: "rotate first (`relayctl keys rotate envelope`), then retire the old one")
        }
        guard unlink(files[index].file) == 0 else {
            throw ConfigurationError(key: "key_directory", problem: "cannot delete \(files[index].file)", fix: "check the directory's permissions")
        }
    }
}

/// Writes a file whole, or not at all: a temporary file in the same directory, synced, then
/// renamed over the old one.
enum DurableWrite {
    static func replace(path: String, contents: String, mode: mode_t) throws {
        let temporary = path + ".tmp"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard fd >= 0 else { throw ConfigurationError(key: "key_directory", problem: "cannot write \(temporary)", fix: "check the directory's permissions") }
        let bytes = Array(contents.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw ConfigurationError(key: "key_directory", problem: "cannot write \(path)", fix: "check the disk and the directory's permissions")
        }
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
