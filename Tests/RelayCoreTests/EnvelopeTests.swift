import Crypto
import Foundation
import RelayCore
import RelayFixtures
import Testing

@Suite("HPKE envelopes")
struct EnvelopeTests {
    let key = Curve25519.KeyAgreement.PrivateKey()
    let reportID = UUID()
    let plaintext = Data(#"{"hello":"world"}"#.utf8)

    @Test("round trip, with the key id of FORMATS.md")
    func roundTrip() throws {
        let envelope = try Envelope.seal(plaintext, to: key.publicKey, purpose: .report, reportID: reportID)
        #expect(envelope.suite == "X25519-SHA256-ChaCha20Poly1305")
        #expect(envelope.keyID == String(Hex.encode(SHA256.hash(data: key.publicKey.rawRepresentation)).prefix(16)))
        #expect(try envelope.open(with: [key], purpose: .report, reportID: reportID) == plaintext)
    }

    @Test("the digest given at sealing is the payload_sha256 of the envelope's ciphertext text")
    func sealDigest() throws {
        let key = Curve25519.KeyAgreement.PrivateKey()
        for length in [0, 1, 100, 4096] {
            let reportID = UUID()
            let (envelope, digest) = try Envelope.sealWithPayloadDigest(Data(repeating: 7, count: length), to: key.publicKey, purpose: .delivery, reportID: reportID)
            #expect(digest == envelope.payloadSHA256)
            #expect(try envelope.openWithPayloadDigest(with: [key], purpose: .delivery, reportID: reportID).payloadSHA256 == digest)
        }
    }

    @Test("an unknown key id names the ids held")
    func unknownKey() throws {
        let envelope = try Envelope.seal(plaintext, to: Curve25519.KeyAgreement.PrivateKey().publicKey, purpose: .report, reportID: reportID)
        #expect(throws: EnvelopeError.unknownKeyID(known: [EnvelopeKeyID.of(key.publicKey)])) {
            try envelope.open(with: [key], purpose: .report, reportID: reportID)
        }
    }

    @Test("tampering, another report id or another purpose: it does not open")
    func bound() throws {
        let envelope = try Envelope.seal(plaintext, to: key.publicKey, purpose: .report, reportID: reportID)
        var tampered = envelope
        var bytes = Base64URL.decode(envelope.ct)!
        bytes[bytes.startIndex] ^= 0x01
        tampered.ct = Base64URL.encode(bytes)
        #expect(throws: EnvelopeError.cannotOpen) { try tampered.open(with: [key], purpose: .report, reportID: reportID) }
        #expect(throws: EnvelopeError.cannotOpen) { try envelope.open(with: [key], purpose: .report, reportID: UUID()) }
        #expect(throws: EnvelopeError.cannotOpen) { try envelope.open(with: [key], purpose: .delivery, reportID: reportID) }
    }

    @Test("interop: Python cryptography opens what Swift sealed")
    func pythonOpens() async throws {
        let envelope = try Envelope.seal(plaintext, to: key.publicKey, purpose: .delivery, reportID: reportID)
        let opened = try await Python.run("hpke_tool.py", [
            "open", Base64URL.encode(key.rawRepresentation), "reportrelay/v1/delivery/\(reportID.lowercasedString)", envelope.enc, envelope.ct,
        ])
        #expect(opened == String(decoding: plaintext, as: UTF8.self))
    }

    @Test("interop: Swift opens what Python cryptography sealed")
    func swiftOpens() async throws {
        let output = try await Python.run("hpke_tool.py", [
            "seal", Base64URL.encode(key.publicKey.rawRepresentation), "reportrelay/v1/report/\(reportID.lowercasedString)",
        ], stdin: plaintext)
        let sealed = try JSONParser.parse(Array(output.utf8))
        let envelope = Envelope(keyID: EnvelopeKeyID.of(key.publicKey), enc: sealed["enc"]!.stringValue!, ct: sealed["ct"]!.stringValue!)
        #expect(try envelope.open(with: [key], purpose: .report, reportID: reportID) == plaintext)
        #expect(throws: EnvelopeError.cannotOpen) { try envelope.open(with: [key], purpose: .report, reportID: UUID()) }
    }
}
