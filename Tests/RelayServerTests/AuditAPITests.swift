import Crypto
import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

@Suite("Auditor API and receipt proofs (live)")
struct AuditAPITests {
    func decode(_ hashes: JSONValue?) -> [[UInt8]] {
        (hashes?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Base64URL.decode).map(Array.init) }
    }

    @Test("auditor endpoints refuse centres and intakes with 403")
    func roles() async throws {
        try await withLiveRelay { relay in
            for principal in ["centre-a", "intake-a"] {
                for path in ["/v1/audit/checkpoint", "/v1/audit/entries?start=0&end=1", "/v1/audit/proof/inclusion?index=0&tree_size=1",
                             "/v1/audit/proof/consistency?from=1&to=1", "/v1/audit/reports/\(UUID().lowercasedString)", "/v1/deliveries?state=dead_letter"] {
                    let status = try await relay.withClient(principal) { try await $0.send(.GET, path).status }
                    #expect(status == 403, "\(principal) \(path)")
                }
            }
        }
    }

    @Test("a checkpoint verifies with an independent signed-note implementation, and proofs from the API verify")
    func checkpointAndProofs() async throws {
        try await withLiveRelay { relay in
            let reportID = UUID()
            try await relay.withClient("centre-a") { client in
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: reportID))
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: .statsOnly)))
            }
            let (note, entries, older) = try await relay.withClient("auditor") { client in
                let older = try await Curl.request("\(relay.baseURL)/v1/audit/checkpoint", ca: relay.pki.caFile,
                                                   clientCertificate: (relay.pki.certificate("auditor"), relay.pki.key("auditor")))
                _ = try await client.call(.GET, "/v1/deliveries?state=queued")
                let note = try await Curl.request("\(relay.baseURL)/v1/audit/checkpoint", ca: relay.pki.caFile,
                                                  clientCertificate: (relay.pki.certificate("auditor"), relay.pki.key("auditor")))
                let entries = try await client.call(.GET, "/v1/audit/entries?start=0&end=1000").body
                return (note, entries, older)
            }
            #expect(note.contentType.hasPrefix("text/plain"))
            let signingKey = Base64URL.encode(relay.services.keys.signingKey.publicKey.rawRepresentation)
            let python = try await Python.run("checkpoint_verify.py", [signingKey, "reportrelay.example/log"], stdin: Data(note.body.utf8))
            let fields = python.split(separator: " ").map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
            let size = try #require(Int(fields[0]))
            let checkpoint = try #require(Checkpoint(body: SignedNote.verify(note: note.body, name: "reportrelay.example/log",
                                                                            key: relay.services.keys.signingKey.publicKey) ?? ""))
            #expect(Hex.encode(checkpoint.root) == fields[1])
            #expect(checkpoint.size == size)
            // Forged: Python must refuse a note whose size was changed.
            await #expect(throws: PythonError.self) {
                try await Python.run("checkpoint_verify.py", [signingKey, "reportrelay.example/log"],
                                     stdin: Data(note.body.replacingOccurrences(of: "\n\(size)\n", with: "\n\(size + 1)\n").utf8))
            }

            let list = try #require(entries["entries"]?.arrayValue)
            #expect(list.first?["action"] == "submission")
            #expect(list.contains { $0["action"] == "auditor_read" }, "auditor reads are themselves entries")
            // Inclusion of every entry in the checkpoint, from the API's proofs and the entries' own bytes.
            try await relay.withClient("auditor") { client in
                for entry in list.prefix(size) {
                    let index = Int(entry["index"]!.numberValue!)
                    let proof = try await client.call(.GET, "/v1/audit/proof/inclusion?index=\(index)&tree_size=\(size)").body
                    #expect(MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(entry.canonicalBytes), index: index, size: size,
                                                       proof: decode(proof["hashes"]), root: checkpoint.root), "entry \(index)")
                }
                let olderCheckpoint = try #require(Checkpoint(body: SignedNote.verify(note: older.body, name: "reportrelay.example/log",
                                                                                      key: relay.services.keys.signingKey.publicKey) ?? ""))
                let consistency = try await client.call(.GET, "/v1/audit/proof/consistency?from=\(olderCheckpoint.size)&to=\(size)").body
                #expect(MerkleTree.verifyConsistency(oldSize: olderCheckpoint.size, newSize: size, proof: decode(consistency["hashes"]),
                                                     oldRoot: olderCheckpoint.root, newRoot: checkpoint.root))
                let bad = try await client.send(.GET, "/v1/audit/proof/inclusion?index=\(size)&tree_size=\(size)")
                #expect(bad.status == 400)
                let history = try await client.call(.GET, "/v1/audit/reports/\(reportID.lowercasedString)").body
                #expect(history["consent_history"]?.arrayValue?.count == 1)
                #expect(history["delivery_history"]?.arrayValue?.compactMap { $0["action"]?.stringValue } == ["submission"])
                #expect(history["delivery_history"]?.arrayValue?.first?["details"]?["redactions"]?.arrayValue?.isEmpty == false, "the redaction decision is audited")
            }
        }
    }

    @Test("a centre proves its receipt is in the log; another centre cannot see it")
    func receiptProof() async throws {
        try await withLiveRelay { relay in
            let body = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full())).body }
            let receipt = try #require(body["receipt"]?["receipt"])
            let receiptID = try #require(receipt["receipt_id"]?.stringValue)
            let proof = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/receipts/\(receiptID)/proof").body }
            let note = try #require(proof["checkpoint"]?.stringValue)
            let text = try #require(SignedNote.verify(note: note, name: "reportrelay.example/log", key: relay.services.keys.signingKey.publicKey))
            let checkpoint = try #require(Checkpoint(body: text))
            let entry = try #require(proof["entry"])
            #expect(entry["details"]?["receipt_id"] == .string(receiptID))
            #expect(proof["leaf_index"] == receipt["audit_index"])
            #expect(MerkleTree.verifyInclusion(leafHash: MerkleTree.leafHash(entry.canonicalBytes), index: Int(proof["leaf_index"]!.numberValue!),
                                               size: checkpoint.size, proof: decode(proof["hashes"]), root: checkpoint.root))
            let other = try await relay.withClient("centre-b") { try await $0.send(.GET, "/v1/receipts/\(receiptID)/proof").status }
            #expect(other == 404)
        }
    }

    @Test("refused handshakes and unknown principals are audited")
    func refusals() async throws {
        try await withLiveRelay { relay in
            _ = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile, clientCertificate: nil)
            _ = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile,
                                       clientCertificate: (relay.pki.certificate("stranger"), relay.pki.key("stranger")))
            var actions: [String: JSONValue] = [:]
            for _ in 0..<50 {
                let size = try await relay.database.auditSize()
                actions = Dictionary(try await relay.database.auditEntries(start: 0, end: size).map { ($0.action, $0.details) }) { first, _ in first }
                if actions["certificate_refused"] != nil && actions["unknown_principal"] != nil { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(actions["certificate_refused"]?["reason"] == "no_certificate")
            #expect(actions["unknown_principal"]?["path"] == "/v1/whoami")
        }
    }
}
