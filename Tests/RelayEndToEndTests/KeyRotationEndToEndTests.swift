import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// Key rotation with the built binaries: after `relayctl keys rotate envelope` and `signing` and
/// a restart, /v1/keys lists the new keys first and still the old ones; an original sealed to
/// the old envelope key still opens (a consent change derives a new view from it); receipts and
/// checkpoints signed by the retired signing key still verify; an envelope key still needed
/// by stored originals is not retired without --force.
@Suite("Key rotation (built binaries)", .serialized)
struct KeyRotationEndToEndTests {

    @Test("rotate both keys, restart, open an old original, verify old receipts and the whole log, retire only with --force")
    func rotate() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let centre = daemon.profile("traveller-centre")
        let seed = "\(Repository.root)/seeds/traveller-centre/01-verbal-abuse-bus-stop.json"
        let submitted = try await daemon.relay(["submit", "--profile", centre, seed]).checked("relay submit").stdout
        let oldReport = try #require(submitted.components(separatedBy: "accepted as ").last?.prefix(36)).description
        let before = try await daemon.relayctl(["keys", "list"]).checked("relayctl keys list").stdout
        let oldEnvelope = try #require(before.split(separator: "\n").first { $0.hasPrefix("envelope") }?.split(separator: " ")[1]).description
        #expect(before.contains("originals sealed to it: 1"))
        try await daemon.stop()

        let envelope = try await daemon.relayctl(["keys", "rotate", "envelope"]).checked("relayctl keys rotate envelope").stdout
        let newEnvelope = try #require(envelope.components(separatedBy: "new envelope key ").last?.prefix(16)).description
        let signing = try await daemon.relayctl(["keys", "rotate", "signing"]).checked("relayctl keys rotate signing").stdout
        let newSigning = try #require(signing.components(separatedBy: "new signing key ").last?.prefix(16)).description
        try await daemon.start()

        let keys = try JSONParser.parse(Array(try await daemon.relay(["whoami", "--profile", centre]).checked("relay whoami").stdout.utf8))
        #expect(keys["principal_id"] == "traveller-centre")
        let dev = daemon.workspace.file("certs/dev")
        let published = try await Curl.request("https://localhost:\(daemon.apiPort)/v1/keys", ca: "\(dev)/ca.pem",
                                               clientCertificate: ("\(dev)/traveller-centre.pem", "\(dev)/traveller-centre.key"))
        let body = try JSONParser.parse(Array(published.body.utf8))
        #expect(body["envelope_keys"]?.arrayValue?.compactMap { $0["key_id"]?.stringValue } == [newEnvelope, oldEnvelope])
        #expect(body["signing_keys"]?.arrayValue?.count == 2)
        #expect(body["signing_keys"]?.arrayValue?.first?["key_id"]?.stringValue == newSigning)

        // The original sealed to the old key still opens: a consent change derives a new view from it.
        let changed = try await daemon.relay(["consent", "--profile", centre, oldReport, "--level", "identity", "--method", "phone"]).checked("relay consent")
        #expect(changed.stdout.contains("effect requeued"), "\(changed.stdout)")
        try await daemon.relay(["submit", "--profile", centre, "\(Repository.root)/seeds/traveller-centre/03-online-threats-community-group.json"]).checked("relay submit (new key)")
        // Receipts from before (retired signing key) and after (new key) verify, with their proofs.
        let receipts = try await daemon.relay(["receipts", "--profile", centre, "--from-start", "--prove"]).checked("relay receipts --prove").stdout
        #expect(receipts.contains("2 receipt(s) verified"), "\(receipts)")
        let verified = try await daemon.relayctl(["audit", "verify"]).checked("relayctl audit verify")
        #expect(verified.stdout.contains("verified"), "\(verified.stdout)")

        let refused = try await daemon.relayctl(["keys", "retire", oldEnvelope])
        #expect(refused.status == 78 && refused.stderr.contains("stored original(s) are sealed to \(oldEnvelope)"), "\(refused.stderr)")
        #expect(try await daemon.relayctl(["keys", "retire", newEnvelope]).status == 78, "the current key cannot be retired")
        try await daemon.relayctl(["keys", "retire", oldEnvelope, "--force"]).checked("relayctl keys retire --force")
        #expect(!(try await daemon.relayctl(["keys", "list"]).checked("relayctl keys list").stdout.contains(oldEnvelope)))
        try await daemon.stop()
    }
}
