import Crypto
import Foundation

/// An HPKE-sealed payload (FORMATS.md "Envelope"): RFC 9180 base mode,
/// DHKEM(X25519, HKDF-SHA256) / HKDF-SHA256 / ChaCha20-Poly1305, empty aad,
/// `info` = `reportrelay/v1/<purpose>/<report_id>`.
public struct Envelope: Codable, Sendable, Equatable {
    /// The only suite ReportRelay speaks.
    public static let suiteName = "X25519-SHA256-ChaCha20Poly1305"
    static let ciphersuite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly

    public var suite: String
    public var keyID: String
    /// The encapsulated key, unpadded base64url.
    public var enc: String
    /// The ciphertext, unpadded base64url.
    public var ct: String

    enum CodingKeys: String, CodingKey {
        case suite
        case keyID = "key_id"
        case enc, ct
    }

    public init(suite: String = Envelope.suiteName, keyID: String, enc: String, ct: String) {
        self.suite = suite
        self.keyID = keyID
        self.enc = enc
        self.ct = ct
    }

    /// The envelope as a JSON value (for canonical hashing and embedding).
    public var jsonValue: JSONValue {
        ["suite": .string(suite), "key_id": .string(keyID), "enc": .string(enc), "ct": .string(ct)]
    }

    /// Reads an envelope from a JSON value, naming the first field that is wrong.
    public init(json: JSONValue, pointer: String) throws(ReportValidationError) {
        guard let members = json.objectValue else {
            throw ReportValidationError(violations: [FieldViolation(pointer: pointer, detail: "must be an object")])
        }
        var violations: [FieldViolation] = []
        for key in members.keys.sorted() where !["suite", "key_id", "enc", "ct"].contains(key) {
            violations.append(FieldViolation(pointer: "\(pointer)/\(jsonPointerToken(key))", detail: "unknown field"))
        }
        func field(_ key: String) -> String {
            guard let text = members[key]?.stringValue, !text.isEmpty else {
                violations.append(FieldViolation(pointer: "\(pointer)/\(key)", detail: "is required and must be a string"))
                return ""
            }
            return text
        }
        let suite = field("suite"), keyID = field("key_id"), enc = field("enc"), ct = field("ct")
        if !enc.isEmpty && !Base64URL.isValid(enc) {
            violations.append(FieldViolation(pointer: "\(pointer)/enc", detail: "must be unpadded base64url"))
        }
        if !ct.isEmpty && !Base64URL.isValid(ct) {
            violations.append(FieldViolation(pointer: "\(pointer)/ct", detail: "must be unpadded base64url"))
        }
        guard violations.isEmpty else { throw ReportValidationError(violations: violations) }
        self.init(suite: suite, keyID: keyID, enc: enc, ct: ct)
    }

    /// The `info` string binding an envelope to its purpose and report (or, for `update`, the update id).
    public static func info(purpose: EnvelopePurpose, reportID: UUID) -> Data {
        Data("reportrelay/v1/\(purpose.rawValue)/\(reportID.lowercasedString)".utf8)
    }

    /// Seals `plaintext` to a recipient's X25519 public key.
    public static func seal(_ plaintext: some DataProtocol, to recipient: Curve25519.KeyAgreement.PublicKey,
                            purpose: EnvelopePurpose, reportID: UUID) throws -> Envelope {
        try sealWithPayloadDigest(plaintext, to: recipient, purpose: purpose, reportID: reportID).envelope
    }

    /// Seals, and gives the new envelope's ``payloadSHA256`` hashed from the ciphertext in hand
    /// (rather than decoded back from its text).
    public static func sealWithPayloadDigest(_ plaintext: some DataProtocol, to recipient: Curve25519.KeyAgreement.PublicKey,
                                             purpose: EnvelopePurpose, reportID: UUID) throws -> (envelope: Envelope, payloadSHA256: String) {
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: ciphersuite, info: info(purpose: purpose, reportID: reportID))
        let ciphertext = try sender.seal(plaintext)
        let envelope = Envelope(keyID: EnvelopeKeyID.of(recipient), enc: Base64URL.encode(sender.encapsulatedKey), ct: Base64URL.encode(ciphertext))
        return (envelope, Hex.encode(SHA256.hash(data: ciphertext)))
    }

    /// Opens the envelope with whichever of `keys` its key id names.
    public func open(with keys: [Curve25519.KeyAgreement.PrivateKey], purpose: EnvelopePurpose, reportID: UUID) throws(EnvelopeError) -> Data {
        try openWithPayloadDigest(with: keys, purpose: purpose, reportID: reportID).plaintext
    }

    /// Opens the envelope and gives the ciphertext's ``payloadSHA256`` too, decoding it once.
    public func openWithPayloadDigest(with keys: [Curve25519.KeyAgreement.PrivateKey], purpose: EnvelopePurpose,
                                      reportID: UUID) throws(EnvelopeError) -> (plaintext: Data, payloadSHA256: String) {
        guard suite == Envelope.suiteName else { throw .unsupportedSuite }
        guard let key = keys.first(where: { EnvelopeKeyID.of($0.publicKey) == keyID }) else {
            throw .unknownKeyID(known: keys.map { EnvelopeKeyID.of($0.publicKey) })
        }
        guard let encapsulated = Base64URL.decode(enc), let ciphertext = Base64URL.decode(ct) else { throw .cannotOpen }
        do {
            var recipient = try HPKE.Recipient(privateKey: key, ciphersuite: Envelope.ciphersuite,
                                               info: Envelope.info(purpose: purpose, reportID: reportID), encapsulatedKey: encapsulated)
            return (try recipient.open(ciphertext), Hex.encode(SHA256.hash(data: ciphertext)))
        } catch {
            throw .cannotOpen
        }
    }

    /// SHA-256 of the ciphertext bytes, lower-case hex: a receipt's `payload_sha256`.
    public var payloadSHA256: String {
        Hex.encode(SHA256.hash(data: Base64URL.decode(ct) ?? Data()))
    }
}

/// Whether an envelope goes centre → relay, relay → intake, or (a case update's message)
/// intake → centre. For `update` the id bound into `info` is the update's id, not the report's.
public enum EnvelopePurpose: String, Sendable {
    case report
    case delivery
    case update
}

/// Why an envelope did not open. Says nothing about its content.
public enum EnvelopeError: Error, Sendable, Equatable {
    case unsupportedSuite
    case unknownKeyID(known: [String])
    case cannotOpen
}

/// Key ids: the first 16 hex digits of SHA-256 of the 32-byte raw public key.
public enum EnvelopeKeyID {
    public static func of(_ key: Curve25519.KeyAgreement.PublicKey) -> String { of(rawPublicKey: key.rawRepresentation) }
    public static func of(_ key: Curve25519.Signing.PublicKey) -> String { of(rawPublicKey: key.rawRepresentation) }
    public static func of(rawPublicKey: some DataProtocol) -> String {
        String(Hex.encode(SHA256.hash(data: Data(rawPublicKey))).prefix(16))
    }
}

extension UUID {
    /// The lower-case textual form every ReportRelay format uses.
    public var lowercasedString: String { uuidString.lowercased() }

    /// Parses only the canonical form of the contract: 36 characters, lower case. An upper-case id
    /// is refused rather than folded, because the id is bound into the HPKE `info` as written.
    public init?(canonical text: String) {
        guard text.utf8.count == 36, text == text.lowercased() else { return nil }
        self.init(uuidString: text)
    }
}
