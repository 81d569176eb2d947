import Crypto
import Foundation
import RelayCore
import RelayFixtures
import Testing

/// The committed vectors of `Tests/Vectors` (made by Python `cryptography` and `rfc8785`, see
/// generate_vectors.py) against the relay's own code, byte for byte; and the same vectors checked
/// by check_vectors.py, as an independent implementation would.
@Suite("Format test vectors (Tests/Vectors)")
struct FormatVectorTests {
    static func load(_ name: String) throws -> JSONValue {
        let path = "\(Repository.root)/Tests/Vectors/\(name)"
        return try JSONParser.parse(Array(try #require(FileManager.default.contents(atPath: path))))
    }

    @Test("envelopes open with the recipient key, key ids and payload hashes follow the rules")
    func envelopes() throws {
        for vector in try #require(try Self.load("envelopes.json").arrayValue) {
            let key = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: try #require(Base64URL.decode(vector["recipient_private_key"]!.stringValue!)))
            let envelope = try Envelope(json: vector["envelope"]!, pointer: "")
            let purpose = try #require(EnvelopePurpose(rawValue: vector["purpose"]!.stringValue!))
            let reportID = try #require(UUID(canonical: vector["report_id"]!.stringValue!))
            #expect(String(decoding: Envelope.info(purpose: purpose, reportID: reportID), as: UTF8.self) == vector["info"]?.stringValue)
            let plaintext = try envelope.open(with: [key], purpose: purpose, reportID: reportID)
            #expect(String(decoding: plaintext, as: UTF8.self) == vector["plaintext"]?.stringValue)
            #expect(EnvelopeKeyID.of(key.publicKey) == envelope.keyID)
            #expect(envelope.payloadSHA256 == vector["payload_sha256"]?.stringValue)
        }
    }

    @Test("receipts: the relay's encoding, JCS bytes and Ed25519 signature equal the vectors")
    func receipts() throws {
        for vector in try #require(try Self.load("receipts.json").arrayValue) {
            let object = try #require(vector["receipt"])
            #expect(object.canonicalString == vector["jcs"]?.stringValue)
            let receipt = Receipt(
                type: ReceiptType(rawValue: object["type"]!.stringValue!)!, receiptID: UUID(canonical: object["receipt_id"]!.stringValue!)!,
                reportID: UUID(canonical: object["report_id"]!.stringValue!)!, centreID: object["centre_id"]!.stringValue!,
                intakeID: object["intake_id"]?.stringValue, at: RFC3339.parse(object["at"]!.stringValue!)!,
                payloadSHA256: object["payload_sha256"]!.stringValue!, policeReference: object["police_reference"]?.stringValue,
                auditIndex: object["audit_index"]?.numberValue.map { Int($0) })
            #expect(receipt.jsonValue == object, "the relay builds exactly this receipt object")
            let key = try Curve25519.Signing.PrivateKey(rawRepresentation: try #require(Base64URL.decode(vector["signing_private_key"]!.stringValue!)))
            let signed = try SignedReceipt.sign(receipt, with: key)
            #expect(signed.jsonValue == vector["signed_receipt"], "Ed25519 is deterministic: the same bytes")
            #expect(SignedReceipt(json: vector["signed_receipt"]!)?.verify(with: [key.publicKey]) == true)
        }
    }

    @Test("audit leaves, the tree root and the signed checkpoint note equal the vectors")
    func audit() throws {
        let vector = try Self.load("audit.json")
        var tree = CompactRange()
        for item in try #require(vector["entries"]?.arrayValue) {
            let json = try #require(item["entry"])
            let entry = AuditEntry(
                index: Int(json["index"]!.numberValue!), at: RFC3339.parse(json["at"]!.stringValue!)!, actor: json["actor"]!.stringValue!,
                role: json["role"]!.stringValue!, action: json["action"]!.stringValue!, reportID: json["report_id"]?.stringValue,
                deliveryID: json["delivery_id"]?.stringValue, details: json["details"]!)
            #expect(entry.jsonValue.canonicalString == item["leaf"]?.stringValue)
            #expect(Hex.encode(entry.leafHash) == item["leaf_hash"]?.stringValue)
            tree.append(leafHash: entry.leafHash)
        }
        #expect(Hex.encode(tree.root) == vector["root"]?.stringValue)
        let origin = try #require(vector["origin"]?.stringValue)
        let signingKey = try Curve25519.Signing.PrivateKey(rawRepresentation: Data(SHA256.hash(data: Data("reportrelay test vector relay-signing".utf8))))
        #expect(Base64URL.encode(signingKey.publicKey.rawRepresentation) == vector["signing_public_key"]?.stringValue)
        let note = try SignedNote.sign(text: Checkpoint(origin: origin, size: tree.size, root: tree.root).body, name: origin, key: signingKey)
        #expect(note == vector["checkpoint"]?.stringValue)
    }

    @Test("the vectors hold for Python cryptography and rfc8785 too")
    func python() async throws {
        let result = try await Subprocess.run("python3", ["\(Repository.root)/Tests/Vectors/check_vectors.py"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("vectors checked, 0 failures"))
    }
}
