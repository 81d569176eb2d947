import Crypto
import Foundation
import RelayCore
import RelayFixtures
import Testing

@Suite("Signed receipts")
struct ReceiptTests {
    /// A fixed vector: every field, including strings that need JCS escaping.
    static let vector = Receipt(
        type: .delivered, receiptID: UUID(uuidString: "6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44")!,
        reportID: UUID(uuidString: "0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b")!, centreID: "centre-a", intakeID: "intake-a",
        at: RFC3339.parse("2026-11-21T10:00:01Z")!, payloadSHA256: String(repeating: "ab", count: 32),
        policeReference: "CAD 1234/21 \"Ω\" \u{7}", auditIndex: 1234)

    @Test("the JCS bytes of a fixed receipt are exactly the expected ones")
    func canonicalBytes() {
        #expect(Self.vector.jsonValue.canonicalString == #"{"at":"2026-11-21T10:00:01Z","audit_index":1234,"centre_id":"centre-a","intake_id":"intake-a","payload_sha256":"abababababababababababababababababababababababababababababababab","police_reference":"CAD 1234/21 \"Ω\" \u0007","receipt_id":"6f1c2a9e-1b7d-4c1e-9a51-3f0d2b8e7c44","report_id":"0b9e8f7a-5c4d-4e3f-8a2b-1c0d9e8f7a6b","type":"delivered","v":1}"#)
    }

    @Test("absent optional fields are omitted, not null")
    func omitted() {
        var receipt = Self.vector
        receipt.intakeID = nil
        receipt.policeReference = nil
        receipt.auditIndex = nil
        let text = receipt.jsonValue.canonicalString
        #expect(!text.contains("intake_id") && !text.contains("police_reference") && !text.contains("audit_index") && !text.contains("null"))
    }

    @Test("interop: Python rfc8785 gives the same bytes and Python cryptography verifies the signature")
    func python() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let signed = try SignedReceipt.sign(Self.vector, with: key)
        #expect(signed.verify(with: [key.publicKey]))
        let output = try await Python.run("receipt_verify.py", [Base64URL.encode(key.publicKey.rawRepresentation)],
                                    stdin: signed.jsonValue.canonicalData)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first == Hex.encode(Self.vector.jsonValue.canonicalBytes))
        #expect(lines.last == "valid")
    }

    @Test("an altered receipt does not verify, here or in Python")
    func altered() async throws {
        let key = Curve25519.Signing.PrivateKey()
        var signed = try SignedReceipt.sign(Self.vector, with: key)
        var members = signed.receipt.objectValue!
        members["police_reference"] = "CAD 9999"
        signed.receipt = .object(members)
        #expect(!signed.verify(with: [key.publicKey]))
        await #expect(throws: PythonError.self) {
            try await Python.run("receipt_verify.py", [Base64URL.encode(key.publicKey.rawRepresentation)], stdin: signed.jsonValue.canonicalData)
        }
    }
}
