import Crypto
import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// Updates back to the centre, live over mutual TLS: who may post and read them, idempotency,
/// the consent rule, receipts both ways, messages sealed end to end (with Python `cryptography`
/// as the independent HPKE peer and receipt verifier), and nothing readable in the relay's store
/// or audit log.
@Suite("Case updates back to the centre (live)")
struct CaseUpdateAPITests {
    /// Submits a report as `centre-a` and delivers it to `intake-a`; returns its id.
    func delivered(_ relay: LiveRelay, level: ConsentLevel = .identity) async throws -> UUID {
        let id = UUID()
        _ = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: level), reportID: id)) }
        try await relay.withClient("intake-a") { client in
            let items = try await client.call(.POST, "/v1/intake/lease", body: ["max": 10]).body["items"]!.arrayValue!
            let item = try #require(items.first { $0["report_id"]?.stringValue == id.lowercasedString })
            _ = try await client.call(.POST, "/v1/intake/ack", body: ["acks": [["delivery_id": item["delivery_id"]!, "lease_token": item["lease_token"]!]]])
        }
        return id
    }

    func post(_ relay: LiveRelay, _ reportID: UUID, _ body: JSONValue, as intake: String = "intake-a") async throws -> RelayAPIClient.RawResponse {
        try await relay.withClient(intake) { try await $0.send(.POST, "/v1/intake/reports/\(reportID.lowercasedString)/updates", body: body) }
    }

    static func update(_ id: UUID = UUID(), status: String = "recorded_crime", extra: [String: JSONValue] = [:]) -> JSONValue {
        var members: [String: JSONValue] = ["update_id": .string(id.lowercasedString), "status": .string(status), "occurred_at": "2026-11-25T09:00:00Z"]
        for (key, value) in extra { members[key] = value }
        return .object(members)
    }

    func signingKey(_ relay: LiveRelay) -> String { Base64URL.encode(relay.services.keys.signingKey.publicKey.rawRepresentation) }

    @Test("the receiving intake posts; the submitting centre reads, acknowledges, and the intake collects both receipts")
    func journey() async throws {
        try await withLiveRelay { relay in
            let reportID = try await delivered(relay)
            let updateID = UUID()
            let body = Self.update(updateID)
            let created = try await post(relay, reportID, body)
            #expect(created.status == 201)
            #expect(created.body["update_id"]?.stringValue == updateID.lowercasedString)
            #expect(created.body["report_id"]?.stringValue == reportID.lowercasedString)
            let receipt = try #require(created.body["receipt"])
            #expect(receipt["receipt"]?["type"] == "update_accepted")
            #expect(receipt["receipt"]?["update_id"]?.stringValue == updateID.lowercasedString)
            #expect(receipt["receipt"]?["status"] == "recorded_crime")
            #expect(receipt["receipt"]?["centre_id"] == "centre-a")
            #expect(receipt["receipt"]?["intake_id"] == "intake-a")
            // Without a message, payload_sha256 is over the JCS bytes of the update body.
            #expect(receipt["receipt"]?["payload_sha256"]?.stringValue == Hex.encode(SHA256.hash(data: body.canonicalBytes)))
            let verified = try await Python.run("receipt_verify.py", [signingKey(relay)], stdin: receipt.canonicalData)
            #expect(verified.hasSuffix("valid\n") && !verified.contains("invalid"))

            // Idempotent on update_id: the same body again is the same answer; another body is a conflict.
            let again = try await post(relay, reportID, body)
            #expect(again.status == 200)
            #expect(again.body == created.body)
            let clash = try await post(relay, reportID, Self.update(updateID, status: "closed"))
            #expect(clash.status == 409)
            #expect(clash.body["type"] == "https://reportrelay.invalid/problems/idempotency")

            // Only the intake that received it; an unknown report is the same 404.
            #expect(try await post(relay, reportID, Self.update(), as: "intake-b").status == 404)
            #expect(try await post(relay, UUID(), Self.update()).status == 404)

            // Only the submitting centre sees it.
            let listed = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/updates?after=0").body }
            let entry = try #require(listed["updates"]?.arrayValue?.first)
            #expect(listed["updates"]?.arrayValue?.count == 1)
            #expect(entry["update_id"]?.stringValue == updateID.lowercasedString)
            #expect(entry["centre_reference"] == "TST-2026-0001")
            #expect(entry["status"] == "recorded_crime")
            #expect(entry["occurred_at"] == "2026-11-25T09:00:00Z")
            #expect(entry["receipt"] == receipt)
            #expect(entry["message"] == nil)
            let next = try #require(listed["next"]?.stringValue)
            let later = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/updates?after=\(next)").body }
            #expect(later["updates"]?.arrayValue?.isEmpty == true)
            #expect(later["next"]?.stringValue == next, "polling from next stays put")
            let other = try await relay.withClient("centre-b") { try await $0.call(.GET, "/v1/updates").body }
            #expect(other["updates"]?.arrayValue?.isEmpty == true)
            #expect(try await relay.withClient("centre-b") { try await $0.send(.GET, "/v1/reports/\(reportID.lowercasedString)").status } == 404)

            // The report's status shows the latest update.
            _ = try await post(relay, reportID, Self.update(status: "outcome", extra: ["outcome": ["code": 1, "label": "Charged"], "occurred_at": "2026-11-26T10:00:00Z"]))
            let status = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/reports/\(reportID.lowercasedString)").body }
            #expect(status["latest_update"] == ["status": "outcome", "outcome": ["code": 1, "label": "Charged"], "occurred_at": "2026-11-26T10:00:00Z"])

            // The centre acknowledges: the intake gets a signed update_seen receipt; a repeat gives the same one.
            let ack = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/updates/ack", body: ["update_ids": [.string(updateID.lowercasedString)]]).body }
            let seen = try #require(ack["results"]?.arrayValue?.first)
            #expect(seen["status"] == "seen")
            #expect(seen["receipt"]?["receipt"]?["type"] == "update_seen")
            #expect(seen["receipt"]?["receipt"]?["payload_sha256"] == receipt["receipt"]?["payload_sha256"])
            let repeated = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/updates/ack", body: ["update_ids": [.string(updateID.lowercasedString)]]).body }
            #expect(repeated["results"]?.arrayValue?.first?["receipt"] == seen["receipt"])
            let stranger = try await relay.withClient("centre-b") { try await $0.call(.POST, "/v1/updates/ack", body: ["update_ids": [.string(updateID.lowercasedString)]]).body }
            #expect(stranger["results"]?.arrayValue?.first == ["update_id": .string(updateID.lowercasedString), "status": "unknown"])
            let seenVerified = try await Python.run("receipt_verify.py", [signingKey(relay)], stdin: seen["receipt"]!.canonicalData)
            #expect(seenVerified.hasSuffix("valid\n") && !seenVerified.contains("invalid"))

            let receipts = try await relay.withClient("intake-a") { try await $0.call(.GET, "/v1/intake/receipts?after=0&limit=10").body }
            #expect(receipts["receipts"]?.arrayValue?.map { $0["receipt"]?["type"]?.stringValue ?? "" } == ["update_accepted", "update_accepted", "update_seen"])
            #expect(try await relay.withClient("intake-b") { try await $0.call(.GET, "/v1/intake/receipts").body["receipts"]?.arrayValue?.isEmpty } == true)
        }
    }

    @Test("an intake that has not received the report (queued, not yet acked) cannot post on it")
    func notYetReceived() async throws {
        try await withLiveRelay { relay in
            let id = UUID()
            _ = try await relay.withClient("centre-a") { try await $0.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: id)) }
            #expect(try await post(relay, id, Self.update()).status == 404)
            #expect(try await relay.withClient("intake-a") { try await $0.send(.GET, "/v1/intake/reports/\(id.lowercasedString)/update-key").status } == 404)
        }
    }

    @Test("after the victim withdraws to stats_only, only a final closed update is accepted")
    func withdrawn() async throws {
        try await withLiveRelay { relay in
            let id = try await delivered(relay)
            let change: JSONValue = ["consent": ["level": "stats_only", "method": "phone"]]
            #expect(try await relay.withClient("centre-a") { try await $0.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: change).status } == 200)
            for status in CaseUpdateStatus.allCases where status != .closed {
                let extra: [String: JSONValue] = status == .outcome ? ["outcome": ["code": 18]] : [:]
                let refused = try await post(relay, id, Self.update(status: status.rawValue, extra: extra))
                #expect(refused.status == 409, "\(status)")
                #expect(refused.body["type"] == "https://reportrelay.invalid/problems/consent-withdrawn")
            }
            #expect(try await post(relay, id, Self.update(status: "closed")).status == 201)
        }
    }

    @Test("invalid updates are refused with a pointer to each wrong field")
    func invalid() async throws {
        try await withLiveRelay { relay in
            let id = try await delivered(relay)
            func pointers(_ body: JSONValue) async throws -> [String] {
                let response = try await post(relay, id, body)
                #expect(response.status == 400)
                return (response.body["errors"]?.arrayValue ?? []).compactMap { $0["pointer"]?.stringValue }
            }
            #expect(try await pointers(Self.update(status: "outcome")) == ["/outcome"])
            #expect(try await pointers(Self.update(status: "closed", extra: ["outcome": ["code": 1]])) == ["/outcome"])
            #expect(try await pointers(Self.update(status: "outcome", extra: ["outcome": ["code": 23]])) == ["/outcome/code"])
            #expect(try await pointers(Self.update(status: "solved")) == ["/status"])
            #expect(try await pointers(Self.update(extra: ["occurred_at": "2999-01-01T00:00:00Z"])) == ["/occurred_at"])
            #expect(try await pointers(Self.update(extra: ["victim_name": "x"])) == ["/victim_name"])
            #expect(try await pointers(["status": "closed"]).sorted() == ["/occurred_at", "/update_id"])
            // A message sealed to some other key could never be read by the centre: 422 naming the centre's key.
            let stranger = Curve25519.KeyAgreement.PrivateKey().publicKey
            let wrong = try Envelope.seal(Data("hello".utf8), to: stranger, purpose: .update, reportID: UUID())
            let refused = try await post(relay, id, Self.update(extra: ["message": wrong.jsonValue]))
            #expect(refused.status == 422)
            #expect(refused.body["key_ids"] == [.string(EnvelopeKeyID.of(relay.centreKeys["centre-a"]!.publicKey))])
        }
    }

    @Test("the store keeps what the outcome measures need: times to first update and to outcome, and the latest outcome")
    func measures() async throws {
        try await withLiveRelay { relay in
            var ids: [UUID] = []
            for _ in 0..<6 { ids.append(try await delivered(relay)) }
            for (index, id) in ids.enumerated() {
                #expect(try await post(relay, id, Self.update()).status == 201)
                if index < 5 {
                    _ = try await post(relay, id, Self.update(status: "outcome", extra: ["outcome": ["code": 18]]))
                    // A later outcome replaces the earlier one in the measures.
                    _ = try await post(relay, id, Self.update(status: "outcome", extra: ["outcome": ["code": index < 3 ? 1 : 8]]))
                }
            }
            let journeys = try await relay.database.caseJourneys(from: Date(timeIntervalSince1970: 0), to: Date().addingTimeInterval(3600))
            #expect(journeys.count == 6)
            #expect(journeys.filter { $0.firstUpdateAt != nil }.count == 6)
            #expect(journeys.compactMap(\.outcome?.code).sorted() == [1, 1, 1, 8, 8])
            for journey in journeys where journey.firstOutcomeAt != nil {
                #expect(journey.firstOutcomeAt! >= journey.firstUpdateAt! && journey.firstUpdateAt! >= journey.acceptedAt)
            }
            let measures = OutcomeMeasures.compute(journeys)
            #expect(measures["delivered_reports"] == 6)
            #expect(measures["days_to_first_update"]?["reports"] == 6)
            #expect(measures["days_to_outcome"]?["reports"] == 5)
        }
    }

    @Test("messages are sealed end to end: Python seals as an independent intake, the centre client opens; the relay holds no plaintext")
    func sealedMessages() async throws {
        try await withLiveRelay { relay in
            let reportID = try await delivered(relay)
            let keyBody = try await relay.withClient("intake-a") { try await $0.call(.GET, "/v1/intake/reports/\(reportID.lowercasedString)/update-key").body }
            let centreKey = relay.centreKeys["centre-a"]!
            #expect(keyBody["public_key"]?.stringValue == Base64URL.encode(centreKey.publicKey.rawRepresentation))
            #expect(keyBody["centre_id"] == "centre-a")

            // Python `cryptography` seals as an intake written in another language would.
            let marker = "MARKER-\(UUID().uuidString)"
            let pythonUpdate = UUID()
            let plaintext: JSONValue = [
                "schema": "reportrelay/case-update/v1", "report_id": .string(reportID.lowercasedString), "update_id": .string(pythonUpdate.lowercasedString),
                "status": "officer_assigned", "officer_reference": "PC 1234", "message": .string("Officer assigned; \(marker)"),
            ]
            let sealed = try JSONParser.parse(Array(try await Python.run("hpke_tool.py", [
                "seal", keyBody["public_key"]!.stringValue!, "reportrelay/v1/update/\(pythonUpdate.lowercasedString)",
            ], stdin: plaintext.canonicalData).utf8))
            let envelope: JSONValue = ["suite": .string(Envelope.suiteName), "key_id": keyBody["key_id"]!, "enc": sealed["enc"]!, "ct": sealed["ct"]!]
            let posted = try await post(relay, reportID, Self.update(pythonUpdate, status: "officer_assigned", extra: ["message": envelope]))
            #expect(posted.status == 201)
            let ct = try #require(Base64URL.decode(sealed["ct"]!.stringValue!))
            #expect(posted.body["receipt"]?["receipt"]?["payload_sha256"]?.stringValue == Hex.encode(SHA256.hash(data: ct)), "over the message's ct bytes")

            // Swift seals (the relay CLI's client) and Python opens with the centre's private key.
            let swiftUpdate = UUID()
            let swiftMarker = "SWIFT-\(UUID().uuidString)"
            _ = try await relay.withClient("intake-a") { client in
                try await client.postUpdate(CaseUpdateDraft(reportID: reportID, updateID: swiftUpdate, status: .contactRequested,
                                                            message: "Please ask the victim to call; \(swiftMarker)", nextContactBy: "2026-12-24"),
                                            keys: try await client.keys())
            }
            let listed = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/updates").body["updates"]!.arrayValue! }
            let swiftEntry = try #require(listed.first { $0["update_id"]?.stringValue == swiftUpdate.lowercasedString })
            let opened = try await Python.run("hpke_tool.py", [
                "open", Base64URL.encode(centreKey.rawRepresentation), "reportrelay/v1/update/\(swiftUpdate.lowercasedString)",
                swiftEntry["message"]!["enc"]!.stringValue!, swiftEntry["message"]!["ct"]!.stringValue!,
            ])
            let openedMessage = try CaseUpdateMessage(json: try JSONParser.parse(Array(opened.utf8)))
            #expect(openedMessage.message.contains(swiftMarker))
            #expect(openedMessage.nextContactBy == "2026-12-24")

            // The centre's client verifies receipts and opens both messages.
            let keyFile = relay.directory.file("centre-a.hpke.key")
            try (Base64URL.encode(centreKey.rawRepresentation) + "\n").write(toFile: keyFile, atomically: true, encoding: .utf8)
            let read = try await relay.withClient("centre-a") { client in
                let reader = try CentreUpdates(api: client, stateDirectory: relay.directory.file("state-centre-a"), privateKeyFile: keyFile)
                return try await reader.fetch(keys: try await client.keys(), fromStart: true).updates
            }
            #expect(read.count == 2)
            #expect(read.first?.message?.message.contains(marker) == true)
            #expect(read.first?.message?.officerReference == "PC 1234")
            #expect(read.last?.message?.message.contains(swiftMarker) == true)

            // Neither message's text is anywhere in the relay's files, nor in its audit log.
            for file in try FileManager.default.contentsOfDirectory(atPath: relay.directory.path) where file.hasPrefix("relay.sqlite") {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: relay.directory.file(file)))
                #expect(bytes.range(of: Data(marker.utf8)) == nil, "\(file)")
                #expect(bytes.range(of: Data(swiftMarker.utf8)) == nil, "\(file)")
            }
            let history = try await relay.database.auditHistory(reportID: reportID.lowercasedString).filter { $0.action == "case_update" }
            #expect(history.count == 2)
            for entry in history {
                #expect(Set(entry.details.objectValue!.keys) == ["update_id", "status", "has_message", "centre_id", "receipt_id", "receipt_type", "payload_sha256"])
                #expect(entry.details["has_message"] == true)
            }
        }
    }
}
