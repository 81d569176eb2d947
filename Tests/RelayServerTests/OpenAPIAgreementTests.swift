import Crypto
import Foundation
import NIOConcurrencyHelpers
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// The relay and `openapi/reportrelay.openapi.yaml` agree: every documented operation is served
/// (and refuses the wrong role with 403), and every response a full flow produces — statuses,
/// content types and bodies — is documented and validates against the document's schemas
/// (checked by Python `jsonschema`, an independent JSON Schema 2020-12 implementation).
@Suite("OpenAPI document and server agree")
struct OpenAPIAgreementTests {
    static let document = "\(Repository.root)/openapi/reportrelay.openapi.yaml"

    final class Recorder: Sendable {
        private let lines = NIOLockedValueBox<[String]>([])

        func record(_ method: String, _ path: String, _ response: RelayAPIClient.RawResponse) {
            let body: JSONValue = response.contentType.hasPrefix("text/plain") ? .string(response.text) : response.body
            let line: JSONValue = ["method": .string(method), "path": .string(path), "status": .integer(response.status),
                                   "content_type": .string(response.contentType), "body": body]
            lines.withLockedValue { $0.append(line.canonicalString) }
        }

        var text: String { lines.withLockedValue { $0.joined(separator: "\n") + "\n" } }
    }

    /// Calls through a principal's client and records the response.
    func call(_ relay: LiveRelay, _ recorder: Recorder, as principal: String, _ method: String, _ pathAndQuery: String,
              body: JSONValue? = nil) async throws -> RelayAPIClient.RawResponse {
        let response = try await relay.withClient(principal) { try await $0.send(.init(rawValue: method), pathAndQuery, body: body) }
        recorder.record(method, String(pathAndQuery.split(separator: "?", maxSplits: 1)[0]), response)
        return response
    }

    @Test("every documented operation is served and refuses the wrong role")
    func served() async throws {
        let list = try await Subprocess.run("python3", [Repository.interopScript("openapi_check.py"), Self.document, "list"]).checked("openapi list")
        let operations = list.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(operations.count >= 20)
        try await withLiveRelay { relay in
            for operation in operations where operation[1].hasPrefix("/v1/") {
                let (method, template, tag, built) = (operation[0], operation[1], operation[2], operation[3] == "yes")
                let path = template.replacingOccurrences(of: "{id}", with: UUID().lowercasedString)
                    .replacingOccurrences(of: "{receipt_id}", with: UUID().lowercasedString)
                let wrong = tag == "centre" ? "intake-a" : tag == "intake" ? "auditor" : tag == "auditor" ? "centre-a" : "stranger"
                let body: JSONValue? = method == "GET" ? nil : [:]
                let status = try await relay.withClient(wrong) { try await $0.send(.init(rawValue: method), path, body: body).status }
                if built {
                    #expect(status == 403, "\(method) \(template) as \(wrong)")
                } else {
                    #expect(status == 404 || status == 403, "\(method) \(template) is marked not built")
                }
            }
        }
    }

    @Test("every response of a full flow is documented and matches its schema")
    func responses() async throws {
        let recorder = Recorder()
        try await withLiveRelay(maxBodyBytes: 1_048_576) { relay in
            let c = "centre-a", i = "intake-a", a = "auditor"
            _ = try await call(relay, recorder, as: c, "GET", "/v1/keys")
            _ = try await call(relay, recorder, as: i, "GET", "/v1/whoami")
            let id = UUID()
            let submission = try relay.submission(SampleReports.full(level: .identity), reportID: id)
            let created = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: submission)
            #expect(created.status == 201)
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: submission)
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: id))
            let strangerKey = Curve25519.KeyAgreement.PrivateKey().publicKey
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: [
                "report_id": .string(UUID().lowercasedString),
                "envelope": try Envelope.seal(SampleReports.minimal().canonicalBytes, to: strangerKey, purpose: .report, reportID: UUID()).jsonValue,
            ])
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: try relay.submission(["schema": "nope"]))
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: ["report_id": 7])
            _ = try await call(relay, recorder, as: c, "POST", "/v1/reports", body: try relay.submission(SampleReports.full(level: .statsOnly)))
            _ = try await call(relay, recorder, as: c, "GET", "/v1/reports/\(id.lowercasedString)")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/reports/\(UUID().lowercasedString)")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/reports?limit=1")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/reports?status=bogus")
            let receipts = try await call(relay, recorder, as: c, "GET", "/v1/receipts?after=0&limit=10")
            let receiptID = try #require(receipts.body["receipts"]?.arrayValue?.first?["receipt"]?["receipt_id"]?.stringValue)
            _ = try await call(relay, recorder, as: c, "GET", "/v1/receipts/\(receiptID)/proof")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/receipts/\(UUID().lowercasedString)/proof")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/whoami")

            let leased = try await call(relay, recorder, as: i, "POST", "/v1/intake/lease", body: ["max": 5, "lease_seconds": 60])
            let item = try #require(leased.body["items"]?.arrayValue?.first)
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/lease", body: ["max": 500])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/extend", body: ["delivery_id": item["delivery_id"]!, "lease_token": item["lease_token"]!, "lease_seconds": 30])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/extend", body: ["delivery_id": item["delivery_id"]!, "lease_token": "stale", "lease_seconds": 30])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/nack", body: ["delivery_id": .string(UUID().lowercasedString), "lease_token": "x"])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/nack", body: ["delivery_id": item["delivery_id"]!, "lease_token": item["lease_token"]!, "retry_after_seconds": 0])
            let again = try #require(try await call(relay, recorder, as: i, "POST", "/v1/intake/lease", body: ["max": 5]).body["items"]?.arrayValue?.first)
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/ack", body: ["acks": [
                ["delivery_id": again["delivery_id"]!, "lease_token": again["lease_token"]!, "police_reference": "CAD-1"],
                ["delivery_id": .string(UUID().lowercasedString), "lease_token": "x"],
            ]])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/ack", body: ["acks": []])

            let updates = "/v1/intake/reports/\(id.lowercasedString)"
            let update: JSONValue = ["update_id": .string(UUID().lowercasedString), "status": "outcome", "outcome": ["code": 8], "occurred_at": "2026-11-25T09:00:00Z"]
            #expect(try await call(relay, recorder, as: i, "POST", "\(updates)/updates", body: update).status == 201)
            #expect(try await call(relay, recorder, as: i, "POST", "\(updates)/updates", body: update).status == 200)
            #expect(try await call(relay, recorder, as: i, "POST", "\(updates)/updates", body: ["update_id": update["update_id"]!, "status": "closed", "occurred_at": "2026-11-25T09:00:00Z"]).status == 409)
            _ = try await call(relay, recorder, as: i, "POST", "\(updates)/updates", body: ["status": "nope"])
            _ = try await call(relay, recorder, as: i, "POST", "/v1/intake/reports/\(UUID().lowercasedString)/updates", body: update)
            _ = try await call(relay, recorder, as: i, "GET", "\(updates)/update-key")
            _ = try await call(relay, recorder, as: i, "GET", "/v1/intake/reports/\(UUID().lowercasedString)/update-key")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/reports/\(id.lowercasedString)")
            _ = try await call(relay, recorder, as: c, "GET", "/v1/updates?after=0&limit=10")
            _ = try await call(relay, recorder, as: c, "POST", "/v1/updates/ack", body: ["update_ids": [update["update_id"]!, .string(UUID().lowercasedString)]])
            _ = try await call(relay, recorder, as: i, "GET", "/v1/intake/receipts?after=0")
            _ = try await call(relay, recorder, as: c, "PUT", "/v1/reports/\(id.lowercasedString)/consent", body: ["consent": ["level": "anonymous", "method": "phone"]])
            _ = try await call(relay, recorder, as: c, "PUT", "/v1/reports/\(id.lowercasedString)/consent", body: ["consent": ["level": "all"]])

            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/checkpoint")
            let size = try await relay.database.auditSize()
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/entries?start=0&end=\(size)")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/entries?start=5")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/proof/inclusion?index=1&tree_size=\(size)")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/proof/consistency?from=2&to=\(size)")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/reports/\(id.lowercasedString)")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/audit/reports/\(UUID().lowercasedString)")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/deliveries?state=superseded")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/stats")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/stats?from=2026-01&to=2026-07&by=month,borough,strand")
            _ = try await call(relay, recorder, as: a, "GET", "/v1/stats?by=postcode")
            _ = try await call(relay, recorder, as: "stranger", "GET", "/v1/keys")
            for path in ["/healthz", "/readyz"] {
                let curl = try await Subprocess.run("curl", ["-sS", "-w", "\n%{http_code} %{content_type}", "http://127.0.0.1:\(relay.opsPort)\(path)"])
                let lines = curl.stdout.split(separator: "\n").map(String.init)
                let trailer = lines.last!.split(separator: " ").map(String.init)
                recorder.record("GET", path, .init(status: Int(trailer[0])!, body: try JSONParser.parse(Array(lines[0].utf8)), contentType: trailer[1]))
            }
        }
        let file = try TemporaryDirectory("openapi")
        try recorder.text.write(toFile: file.file("responses.jsonl"), atomically: true, encoding: .utf8)
        let result = try await Subprocess.run("python3", [Repository.interopScript("openapi_check.py"), Self.document, "check", file.file("responses.jsonl")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("53 responses checked, 0 disagreements"), "\(result.stdout)")
    }
}
