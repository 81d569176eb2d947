import Crypto
import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

@Suite("Centre and intake API (live)")
struct ReportAPITests {
    @Test("submit: 201 with a signed acceptance receipt, 200 with the same body on retry, 409 on a different envelope")
    func submitIdempotency() async throws {
        try await withLiveRelay { relay in
            let id = UUID()
            let body = try relay.submission(SampleReports.full(), reportID: id)
            let (first, retry, different) = try await relay.withClient("centre-a") { client in
                (try await client.send(.POST, "/v1/reports", body: body), try await client.send(.POST, "/v1/reports", body: body),
                 try await client.send(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: id)))
            }
            #expect(first.status == 201)
            #expect(first.body["report_id"] == .string(id.lowercasedString))
            #expect(first.body["status"] == "queued")
            let receipt = try #require(first.body["receipt"].flatMap(SignedReceipt.init(json:)))
            #expect(receipt.verify(with: [relay.services.keys.signingKey.publicKey]))
            #expect(receipt.receipt["type"] == "accepted")
            #expect(receipt.receipt["intake_id"] == "intake-a")
            let ct = try #require(body["envelope"]?["ct"]?.stringValue.flatMap(Base64URL.decode))
            #expect(receipt.receipt["payload_sha256"] == .string(Hex.encode(SHA256.hash(data: ct))))
            #expect(retry.status == 200)
            #expect(retry.body == first.body)
            #expect(different.status == 409)
            #expect(different.body["type"] == "https://reportrelay.invalid/problems/idempotency")
        }
    }

    @Test("envelopes that do not open get 422: unknown key (naming the ids held), another report id")
    func unopenable() async throws {
        try await withLiveRelay { relay in
            let report = SampleReports.full().canonicalBytes
            let strangerKey = Curve25519.KeyAgreement.PrivateKey().publicKey
            let wrongKey = try Envelope.seal(report, to: strangerKey, purpose: .report, reportID: UUID())
            let id = UUID()
            let wrongID = try Envelope.seal(report, to: relay.services.keys.envelopeKeys[0].publicKey, purpose: .report, reportID: UUID())
            let (a, b) = try await relay.withClient("centre-a") { client in
                (try await client.send(.POST, "/v1/reports", body: ["report_id": .string(UUID().lowercasedString), "envelope": wrongKey.jsonValue]),
                 try await client.send(.POST, "/v1/reports", body: ["report_id": .string(id.lowercasedString), "envelope": wrongID.jsonValue]))
            }
            #expect(a.status == 422)
            #expect(a.body["key_ids"] == [.string(EnvelopeKeyID.of(relay.services.keys.envelopeKeys[0].publicKey))])
            #expect(b.status == 422)
            #expect(try await relay.database.reports(centreID: "centre-a", status: nil, after: nil, limit: 10).isEmpty)
        }
    }

    @Test("an invalid report gets 400 with pointers into the report, echoes nothing, and stores nothing")
    func invalidReport() async throws {
        try await withLiveRelay { relay in
            var document = SampleReports.full().objectValue!
            var incident = document["incident"]!.objectValue!
            incident["occurred_at"] = "2099-01-01T00:00:00Z"
            incident["strands"] = ["Maria Lovell"]
            document["incident"] = .object(incident)
            let response = try await relay.withClient("centre-a") { try await $0.send(.POST, "/v1/reports", body: try relay.submission(.object(document))) }
            #expect(response.status == 400)
            let pointers = Set(response.body["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? [])
            #expect(pointers == ["/incident/occurred_at", "/incident/strands/0"])
            #expect(!response.body.canonicalString.contains("Maria"))
            #expect(try await relay.database.reports(centreID: "centre-a", status: nil, after: nil, limit: 10).isEmpty)
        }
    }

    @Test("malformed bodies: 400 with pointer \"\", 415 for another content type, 413 over the limit")
    func malformed() async throws {
        try await withLiveRelay(maxBodyBytes: 4096) { relay in
            let url = "\(relay.baseURL)/v1/reports"
            let cert = (relay.pki.certificate("centre-a"), relay.pki.key("centre-a"))
            let notJSON = try await Curl.request(url, ca: relay.pki.caFile, clientCertificate: cert, method: "POST", contentType: "application/json", body: Data("{nope".utf8))
            #expect(notJSON.status == 400)
            #expect(notJSON.contentType == "application/problem+json")
            let pointer = try JSONParser.parse(Array(notJSON.body.utf8))["errors"]?.arrayValue?.first?["pointer"]
            #expect(pointer == "")
            let text = try await Curl.request(url, ca: relay.pki.caFile, clientCertificate: cert, method: "POST", contentType: "text/plain", body: Data("{}".utf8))
            #expect(text.status == 415)
            let big = try await Curl.request(url, ca: relay.pki.caFile, clientCertificate: cert, method: "POST", contentType: "application/json",
                                             body: Data(("{\"pad\":\"" + String(repeating: "x", count: 8000) + "\"}").utf8))
            #expect(big.status == 413)
            let missing = try await relay.withClient("centre-a") { try await $0.send(.POST, "/v1/reports", body: ["report_id": "nope"]) }
            #expect(Set(missing.body["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? []) == ["/report_id", "/envelope"])
        }
    }

    @Test("routing, lease, decrypt, ack, receipts and status through the API")
    func flow() async throws {
        try await withLiveRelay { relay in
            let hackney = UUID(), city = UUID(), stats = UUID()
            try await relay.withClient("centre-a") { client in
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: .identity), reportID: hackney))
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(borough: "City of London"), reportID: city))
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: .statsOnly), reportID: stats))
            }
            let leased = try await relay.withClient("intake-a") { try await $0.call(.POST, "/v1/intake/lease", body: ["max": 10, "lease_seconds": 30]).body }
            let items = try #require(leased["items"]?.arrayValue)
            #expect(items.count == 1, "the City of London report goes to intake-b, stats_only to nobody")
            let item = items[0]
            #expect(item["report_id"] == .string(hackney.lowercasedString))
            #expect(item["kind"] == "report")
            #expect(item["attempts"] == 1)
            let envelope = try Envelope(json: try #require(item["envelope"]), pointer: "/envelope")
            let view = try JSONParser.parse(Array(try envelope.open(with: [relay.intakeKeys["intake-a"]!], purpose: .delivery, reportID: hackney)))
            #expect(view["schema"] == "reportrelay/police-view/v1")
            #expect(view["centre"]?["id"] == "centre-a")
            #expect(view["victim"]?["name"] == "Maria Lovell")
            #expect(view["victim"]?["phone"] == nil)
            let cityItems = try await relay.withClient("intake-b") { try await $0.call(.POST, "/v1/intake/lease", body: ["max": 10]).body["items"]?.arrayValue ?? [] }
            #expect(cityItems.map { $0["report_id"] } == [.string(city.lowercasedString)])

            let deliveryID = try #require(item["delivery_id"]?.stringValue), token = try #require(item["lease_token"]?.stringValue)
            let (extended, staleExtend, unknownNack) = try await relay.withClient("intake-a") { client in
                (try await client.send(.POST, "/v1/intake/extend", body: ["delivery_id": .string(deliveryID), "lease_token": .string(token), "lease_seconds": 60]),
                 try await client.send(.POST, "/v1/intake/extend", body: ["delivery_id": .string(deliveryID), "lease_token": "wrong", "lease_seconds": 60]),
                 try await client.send(.POST, "/v1/intake/nack", body: ["delivery_id": .string(UUID().lowercasedString), "lease_token": "x"]))
            }
            #expect(extended.status == 200 && extended.body["lease_expires_at"]?.stringValue != nil)
            #expect(staleExtend.status == 409)
            #expect(unknownNack.status == 404)
            let acked = try await relay.withClient("intake-a") { client in
                try await client.call(.POST, "/v1/intake/ack", body: ["acks": [["delivery_id": .string(deliveryID), "lease_token": .string(token), "police_reference": "CAD 77/26"]]]).body
            }
            let result = try #require(acked["results"]?.arrayValue?.first)
            #expect(result["status"] == "delivered")
            #expect(result["receipt"]?["receipt"]?["police_reference"] == "CAD 77/26")

            try await relay.withClient("centre-a") { client in
                let status = try await client.call(.GET, "/v1/reports/\(hackney.lowercasedString)").body
                #expect(status["status"] == "delivered")
                #expect(status["police_reference"] == "CAD 77/26")
                #expect(status["attempts"] == 1)
                #expect(status["delivered_at"]?.stringValue != nil)
                let list = try await client.call(.GET, "/v1/reports?limit=2").body
                #expect(list["reports"]?.arrayValue?.map { $0["report_id"] } == [.string(stats.lowercasedString), .string(city.lowercasedString)])
                let next = try #require(list["next"]?.stringValue)
                let rest = try await client.call(.GET, "/v1/reports?limit=2&after=\(next)").body
                #expect(rest["reports"]?.arrayValue?.map { $0["report_id"] } == [.string(hackney.lowercasedString)])
                let statsOnly = try await client.call(.GET, "/v1/reports?status=stats_only").body
                #expect(statsOnly["reports"]?.arrayValue?.count == 1)
                let receipts = try await client.call(.GET, "/v1/receipts").body
                let types = receipts["receipts"]?.arrayValue?.compactMap { $0["receipt"]?["type"]?.stringValue }
                #expect(types == ["accepted", "accepted", "accepted", "delivered"])
                let after = try #require(receipts["next"]?.stringValue)
                #expect(try await client.call(.GET, "/v1/receipts?after=\(after)").body["receipts"]?.arrayValue?.isEmpty == true)
            }
        }
    }

    @Test("hostile numbers and upper-case ids are refused with 400, and the relay stays up")
    func hostileInput() async throws {
        try await withLiveRelay { relay in
            try await relay.withClient("intake-a") { client in
                for body: JSONValue in [["max": .number(1e19)], ["max": .number(-1e300)], ["lease_seconds": .number(1e19)]] {
                    let response = try await client.send(.POST, "/v1/intake/lease", body: body)
                    #expect(response.status == 400)
                }
                let extend = try await client.send(.POST, "/v1/intake/extend", body: ["delivery_id": .string(UUID().lowercasedString), "lease_token": "x", "lease_seconds": .number(-1e19)])
                #expect(extend.status == 400)
                #expect(try await client.send(.GET, "/v1/whoami").status == 200, "still serving")
            }
            let id = UUID()
            var body = try relay.submission(SampleReports.full(), reportID: id).objectValue!
            body["report_id"] = .string(id.uuidString)
            let upper = try await relay.withClient("centre-a") { try await $0.send(.POST, "/v1/reports", body: .object(body)) }
            #expect(upper.status == 400)
            #expect(upper.body["errors"]?.arrayValue?.first?["pointer"] == "/report_id")
        }
    }

    @Test("operations listener: /healthz and /readyz over plain HTTP")
    func ops() async throws {
        try await withLiveRelay { relay in
            let health = try await Subprocess.run("curl", ["-sS", "http://127.0.0.1:\(relay.opsPort)/healthz"])
            #expect(health.stdout.contains("ok"))
            let ready = try await Subprocess.run("curl", ["-sS", "-w", "%{http_code}", "http://127.0.0.1:\(relay.opsPort)/readyz"])
            #expect(ready.stdout.hasSuffix("200"))
            #expect(ready.stdout.contains("\"store_writable\":true"))
        }
    }

    @Test("GET /v1/keys publishes the envelope and signing keys")
    func keys() async throws {
        try await withLiveRelay { relay in
            let keys = try await relay.withClient("intake-b") { try await $0.keys() }
            #expect(keys.envelopeKeys.map(\.rawRepresentation) == [relay.services.keys.envelopeKeys[0].publicKey.rawRepresentation])
            #expect(keys.signingKeys.map(\.rawRepresentation) == [relay.services.keys.signingKey.publicKey.rawRepresentation])
            #expect(keys.checkpointOrigin == "reportrelay.example/log")
        }
    }
}

@Suite("Draining")
struct DrainingTests {
    @Test("while draining, /readyz says so with 503 and new API requests get 503 with Retry-After")
    func draining() async throws {
        try await withLiveRelay { relay in
            #expect(try await relay.withClient("centre-a") { try await $0.send(.GET, "/v1/whoami").status } == 200)
            relay.services.drain.beginDraining()
            let ready = try await Subprocess.run("curl", ["-sS", "-w", " %{http_code}", "http://127.0.0.1:\(relay.opsPort)/readyz"])
            #expect(ready.stdout.hasSuffix(" 503"))
            #expect(ready.stdout.contains("\"draining\":true"))
            let refused = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile,
                                                 clientCertificate: (relay.pki.certificate("centre-a"), relay.pki.key("centre-a")))
            #expect(refused.status == 503)
            #expect(refused.contentType == "application/problem+json")
        }
    }
}
