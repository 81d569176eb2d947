import Crypto
import Foundation
import RelayCore

extension V1 {
    /// `GET /v1/keys`: the envelope keys (current first), the signing keys (current, then
    /// retired ones so old receipts still verify) and the checkpoint origin.
    public struct Keys: WireReadable, WireWritable {
        public var envelopeKeys: [Curve25519.KeyAgreement.PublicKey]
        public var signingKeys: [Curve25519.Signing.PublicKey]
        public var checkpointOrigin: String?

        public init(envelopeKeys: [Curve25519.KeyAgreement.PublicKey], signingKeys: [Curve25519.Signing.PublicKey], checkpointOrigin: String?) {
            self.envelopeKeys = envelopeKeys
            self.signingKeys = signingKeys
            self.checkpointOrigin = checkpointOrigin
        }

        /// Keys of another suite are skipped (a later relay may offer more); at least one envelope
        /// key of this suite is required.
        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            let envelope = try reader.array("envelope_keys") { element, pointer throws(WireError) -> Curve25519.KeyAgreement.PublicKey? in
                let entry = try WireReader(element, pointer: pointer)
                guard try entry.string("suite") == Envelope.suiteName else { return nil }
                guard let raw = Base64URL.decode(try entry.string("public_key")), let key = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) else {
                    throw WireError(pointer: "\(pointer)/public_key", detail: "must be a base64url X25519 public key")
                }
                return key
            }
            envelopeKeys = envelope.compactMap { $0 }
            signingKeys = try reader.array("signing_keys") { element, pointer throws(WireError) in
                let entry = try WireReader(element, pointer: pointer)
                guard let raw = Base64URL.decode(try entry.string("public_key")), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
                    throw WireError(pointer: "\(pointer)/public_key", detail: "must be a base64url Ed25519 public key")
                }
                return key
            }
            checkpointOrigin = try reader.optionalString("checkpoint_origin")
            guard !envelopeKeys.isEmpty else { throw WireError(pointer: "/envelope_keys", detail: "has no key for suite \(Envelope.suiteName)") }
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("envelope_keys", .array(envelopeKeys.map { key in
                ["key_id": .string(EnvelopeKeyID.of(key)), "suite": .string(Envelope.suiteName), "public_key": .string(Base64URL.encode(key.rawRepresentation))]
            }))
            object.add("signing_keys", .array(signingKeys.map { key in
                ["key_id": .string(EnvelopeKeyID.of(key)), "alg": "Ed25519", "public_key": .string(Base64URL.encode(key.rawRepresentation))]
            }))
            object.add("checkpoint_origin", ifPresent: checkpointOrigin.map(JSONValue.string))
            return object
        }
    }

    /// `GET /v1/whoami`.
    public struct Whoami: WireReadable, WireWritable, Equatable {
        public var principalID: String
        public var role: String
        public var name: String

        public init(principalID: String, role: String, name: String) {
            self.principalID = principalID
            self.role = role
            self.name = name
        }

        public init(json: JSONValue) throws(WireError) {
            let reader = try WireReader(json)
            principalID = try reader.string("principal_id")
            role = try reader.string("role")
            name = try reader.string("name")
        }

        public var object: JSONObjectWriter {
            var object = JSONObjectWriter()
            object.add("principal_id", .string(principalID))
            object.add("role", .string(role))
            object.add("name", .string(name))
            return object
        }
    }
}
