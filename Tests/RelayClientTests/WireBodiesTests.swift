import Crypto
import Foundation
import RelayAPI
import RelayCore
import Testing

/// The v1 bodies the server writes and the client reads: each written body reads back as the same
/// value, a stored sealed body is written byte for byte, and a body that is not as the contract
/// says is refused naming the member.
@Suite("Wire bodies (RelayAPI)")
struct WireBodiesTests {
    static let signer = ReceiptSigner(key: Curve25519.Signing.PrivateKey())

    static func receipt() throws -> SignedReceipt {
        try signer.sign(Receipt(type: .accepted, receiptID: UUID(), reportID: UUID(), centreID: "centre-a", intakeID: nil,
                                at: Date(timeIntervalSince1970: 1_790_000_000), payloadSHA256: String(repeating: "a", count: 64)))
    }

    @Test("an acceptance, a report page and a consent change read back as written")
    func roundTrips() throws {
        let acceptance = V1.Acceptance(reportID: UUID(), status: .queued, acceptedAt: Date(timeIntervalSince1970: 1_790_000_000), receipt: try Self.receipt())
        #expect(try V1.Acceptance(json: acceptance.jsonValue) == acceptance)
        let status = V1.ReportStatusBody(reportID: UUID(), status: .delivered, consentLevel: .identity, acceptedAt: Date(timeIntervalSince1970: 1_790_000_000),
                                         deliveredAt: Date(timeIntervalSince1970: 1_790_000_600), attempts: 1, intakeID: "intake-a", policeReference: "CAD-1",
                                         latestUpdate: V1.LatestUpdate(status: .outcome, outcome: PoliceOutcome(code: 1), occurredAt: Date(timeIntervalSince1970: 1_790_100_000)))
        let page = V1.ReportPage(reports: [status], next: "7")
        let read = try V1.ReportPage(json: page.jsonValue)
        #expect(read == page)
        #expect(page.jsonValue["reports"]?.arrayValue?.first?["latest_update"]?["outcome"]?["code"] == .integer(1))
        #expect(try V1.ReportPage(json: V1.ReportPage(reports: [], next: nil).jsonValue).next == nil)
        let change = V1.ConsentChange(reportID: UUID(), status: .queued, consentLevel: .anonymous, effect: "recorded")
        #expect(try V1.ConsentChange(json: change.jsonValue) == change)
    }

    @Test("a leased item's envelope is written as stored, not re-serialised")
    func rawEnvelope() throws {
        // Stored text with its own spacing: the wire carries exactly these bytes.
        let stored = #"{"ct":"AAAA","enc":"BBBB","key_id":"k1","suite":"X25519-HKDF-SHA256/HKDF-SHA256/ChaCha20Poly1305"}"#
        let item = V1.LeasedItem(deliveryID: "d1", reportID: UUID(), kind: .report, leaseToken: "t", leaseExpiresAt: "2026-12-03T10:00:00.000Z",
                                 attempts: 1, risk: .standard, envelope: stored)
        let text = String(decoding: V1.LeasePage(items: [item]).object.bytes, as: UTF8.self)
        #expect(text.contains(stored))
        let read = try V1.LeasePage(json: JSONParser.parse(Array(text.utf8)))
        #expect(read.items.first?.leaseToken == "t")
        #expect(read.items.first?.envelope == stored)
    }

    @Test("a body not as the contract says is refused with the member's pointer")
    func malformed() throws {
        func pointer<T: WireReadable>(_ type: T.Type, _ json: JSONValue) -> String? {
            do {
                _ = try T(json: json)
                return nil
            } catch {
                return error.pointer
            }
        }
        #expect(pointer(V1.Acceptance.self, ["report_id": "nope"]) == "/report_id")
        #expect(pointer(V1.LeasePage.self, ["items": [["delivery_id": "d", "report_id": .string(UUID().lowercasedString), "kind": "parcel"]]]) == "/items/0/kind")
        #expect(pointer(V1.AckResults.self, ["results": [["delivery_id": "d", "status": "maybe"]]]) == "/results/0/status")
        #expect(pointer(V1.ReceiptPage.self, ["receipts": []]) == "/next")
        #expect(pointer(V1.Problem.self, ["title": "x"]) == "/type")
        let problem = try V1.Problem(json: ["type": "https://reportrelay.invalid/problems/validation", "title": "Invalid request", "status": 400,
                                            "errors": [["pointer": "/envelope", "detail": "is required"]], "key_ids": ["k1"]])
        #expect(problem.errors == [V1.Problem.Violation(pointer: "/envelope", detail: "is required")])
        #expect(problem.extensions["key_ids"] == ["k1"])
    }

    @Test("published keys, a delivery page and a consistency proof read back as written; a key of another suite is skipped")
    func auditorAndKeys() throws {
        let envelope = Curve25519.KeyAgreement.PrivateKey().publicKey, signing = Curve25519.Signing.PrivateKey().publicKey
        let keys = V1.Keys(envelopeKeys: [envelope], signingKeys: [signing], checkpointOrigin: "reportrelay.example/log")
        var json = keys.jsonValue
        let read = try V1.Keys(json: json)
        #expect(read.envelopeKeys.map(\.rawRepresentation) == [envelope.rawRepresentation])
        #expect(read.signingKeys.map(\.rawRepresentation) == [signing.rawRepresentation])
        #expect(read.checkpointOrigin == "reportrelay.example/log")
        // A future suite is skipped; with nothing of this suite left, the keys are refused.
        json = ["envelope_keys": [["suite": "future-suite", "public_key": "AAAA", "key_id": "x"]], "signing_keys": []]
        #expect(throws: WireError.self) { try V1.Keys(json: json) }

        let item = V1.DeliveryItem(deliveryID: "d1", reportID: UUID().lowercasedString, intakeID: "intake-a", kind: .report, state: .deadLetter,
                                   attempts: 3, risk: .high, deliveredAt: nil, deadLetteredAt: Date(timeIntervalSince1970: 1_790_000_000))
        let page = try V1.DeliveryPage(json: V1.DeliveryPage(deliveries: [item], next: "9").jsonValue)
        #expect(page.deliveries == [item] && page.next == "9")
        let proof = try V1.ConsistencyProof(json: V1.ConsistencyProof(from: 3, to: 7, hashes: [[1, 2, 3], [4]]).jsonValue)
        #expect(proof.from == 3 && proof.to == 7 && proof.hashes == [[1, 2, 3], [4]])
    }
}
