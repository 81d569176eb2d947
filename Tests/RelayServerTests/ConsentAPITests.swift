import Crypto
import Foundation
import RelayClient
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@Suite("Consent variation and withdrawal (live)")
struct ConsentAPITests {
    static func consent(_ level: ConsentLevel, share: Bool = false) -> JSONValue {
        ["consent": ["level": .string(level.rawValue), "share_demographics": .bool(share), "method": "phone", "recorded_at": "2026-11-24T09:00:00Z"]]
    }

    func submit(_ relay: LiveRelay, level: ConsentLevel, centre: String = "centre-a") async throws -> UUID {
        let id = UUID()
        _ = try await relay.withClient(centre) { try await $0.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: level), reportID: id)) }
        return id
    }

    func put(_ relay: LiveRelay, _ id: UUID, _ level: ConsentLevel, share: Bool = false, centre: String = "centre-a") async throws -> RelayAPIClient.RawResponse {
        try await relay.withClient(centre) { try await $0.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: Self.consent(level, share: share)) }
    }

    func lease(_ relay: LiveRelay, intake: String = "intake-a") async throws -> [JSONValue] {
        try await relay.withClient(intake) { try await $0.call(.POST, "/v1/intake/lease", body: ["max": 10]).body["items"]?.arrayValue ?? [] }
    }

    func open(_ relay: LiveRelay, _ item: JSONValue, intake: String = "intake-a") throws -> JSONValue {
        let envelope = try Envelope(json: item["envelope"]!, pointer: "")
        let plaintext = try envelope.open(with: [relay.intakeKeys[intake]!], purpose: .delivery, reportID: UUID(uuidString: item["report_id"]!.stringValue!)!)
        return try JSONParser.parse(Array(plaintext))
    }

    func ack(_ relay: LiveRelay, _ item: JSONValue) async throws -> JSONValue {
        try await relay.withClient("intake-a") { client in
            try await client.call(.POST, "/v1/intake/ack", body: ["acks": [["delivery_id": item["delivery_id"]!, "lease_token": item["lease_token"]!, "police_reference": "CAD-9"]]]).body
        }["results"]!.arrayValue![0]
    }

    @Test("queued: the view is derived again and the queued item replaced")
    func queued() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .anonymous)
            let response = try await put(relay, id, .identityAndContact)
            #expect(response.status == 200)
            #expect(response.body == ["report_id": .string(id.lowercasedString), "status": "queued", "consent_level": "identity_and_contact", "effect": "requeued"])
            let items = try await lease(relay)
            #expect(items.count == 1, "only the new view is in the queue")
            let view = try open(relay, items[0])
            #expect(view["victim"]?["phone"] == "07700 900123")
            #expect(view["consent"]?["level"] == "identity_and_contact")
            let events = try await relay.database.consentEvents(reportID: id)
            #expect(events.map(\.to) == [.anonymous, .identityAndContact])
            #expect(events.last?.from == .anonymous)
            #expect(events.last?.method == "phone")
            #expect(events.last?.actor == "centre-a")
            #expect(events.last?.effect == "requeued")
            let audited = try await relay.database.auditHistory(reportID: id.lowercasedString).filter { $0.action == "consent" }
            #expect(audited.count == 2)
        }
    }

    @Test("the view, the consent event and the audit entry carry the latest change's recorded_by, method and recorded_at")
    func provenance() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .anonymous)
            // The change names another caseworker and gives no method: the submission's method must not linger.
            let change: JSONValue = ["consent": ["level": "identity", "share_demographics": false, "recorded_at": "2026-11-24T09:30:00Z", "recorded_by": "CW-99"]]
            let response = try await relay.withClient("centre-a") { try await $0.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: change) }
            #expect(response.status == 200)
            let view = try open(relay, try #require(try await lease(relay).first))
            #expect(view["consent"] == ["level": "identity", "share_demographics": false, "recorded_at": "2026-11-24T09:30:00Z", "recorded_by": "CW-99"])
            let events = try await relay.database.consentEvents(reportID: id)
            #expect(events.first?.recordedBy == "CW-17", "the submission's own record")
            #expect(events.last?.recordedBy == "CW-99")
            #expect(events.last?.method == nil)
            #expect(events.last?.recordedAt == RFC3339.parse("2026-11-24T09:30:00Z"))
            let audited = try await relay.database.auditHistory(reportID: id.lowercasedString).filter { $0.action == "consent" }
            #expect(audited.last?.details["recorded_by"] == "CW-99")
            #expect(audited.last?.details["recorded_at"] == "2026-11-24T09:30:00Z")
            #expect(audited.last?.details["method"] == nil)
            // A later change that gives a method carries it, and its own caseworker.
            let again: JSONValue = ["consent": ["level": "anonymous", "method": "interpreter", "recorded_by": "CW-3"]]
            _ = try await relay.withClient("centre-a") { try await $0.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: again) }
            let newer = try open(relay, try #require(try await lease(relay).first))
            #expect(newer["consent"]?["method"] == "interpreter")
            #expect(newer["consent"]?["recorded_by"] == "CW-3")
            #expect(newer["consent"]?["recorded_at"] == nil)
        }
    }

    @Test("leased: the outstanding lease is invalidated and its ack answers superseded")
    func leased() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .identity)
            let old = try #require(try await lease(relay).first)
            #expect(try await put(relay, id, .anonymous).body["effect"] == "requeued")
            #expect(try await ack(relay, old)["status"] == "superseded")
            let fresh = try #require(try await lease(relay).first)
            #expect(fresh["delivery_id"] != old["delivery_id"])
            #expect(try open(relay, fresh)["victim"]?["name"] == nil, "the new view is anonymous")
            #expect(try await ack(relay, fresh)["status"] == "delivered")
        }
    }

    @Test("delivered: narrowing sends a consent update, receipted like a report")
    func delivered() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .identityAndContact)
            let item = try #require(try await lease(relay).first)
            _ = try await ack(relay, item)
            let response = try await put(relay, id, .anonymous)
            #expect(response.body["effect"] == "update_forwarded")
            #expect(response.body["status"] == "delivered")
            let update = try #require(try await lease(relay).first)
            #expect(update["kind"] == "consent_update")
            let document = try open(relay, update)
            #expect(document["schema"] == "reportrelay/consent-update/v1")
            #expect(document["required_action"] == "erase_identity")
            #expect(document["level"] == "anonymous")
            let fields = document["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(fields.contains("/victim/name") && fields.contains("/victim/phone"))
            #expect(!document.canonicalString.contains("Maria"), "an erase request carries no identity")
            let acked = try await ack(relay, update)
            #expect(acked["receipt"]?["receipt"]?["type"] == "consent_update_delivered")
            let types = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/receipts").body }["receipts"]?.arrayValue?.compactMap { $0["receipt"]?["type"]?.stringValue }
            #expect(types == ["accepted", "delivered", "consent_update_delivered"])
        }
    }

    @Test("delivered, then withdrawn: police are asked to erase the identity")
    func deliveredWithdrawn() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .identity)
            _ = try await ack(relay, try #require(try await lease(relay).first))
            #expect(try await put(relay, id, .statsOnly).body["effect"] == "update_forwarded")
            let document = try open(relay, try #require(try await lease(relay).first))
            #expect(document["required_action"] == "erase_identity")
            #expect(document["level"] == "stats_only")
            let fields = document["fields"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(fields.contains("/victim") && fields.contains("/victim/name"))
            #expect(fields.contains("/incident/narrative"), "the narrative police hold names the victim too")
        }
    }

    @Test("queued, then withdrawn: it leaves the queue")
    func queuedWithdrawn() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .anonymous)
            let response = try await put(relay, id, .statsOnly)
            #expect(response.body["effect"] == "withdrawn")
            #expect(response.body["status"] == "withdrawn")
            #expect(try await lease(relay).isEmpty)
            #expect(try await relay.database.deliveryCounts()[.withdrawn] == 1)
        }
    }

    @Test("dead-lettered: a new consent replaces the held view (requeue stays an administrator's), a withdrawal withdraws it")
    func deadLetter() async throws {
        let clock = TestClock()
        try await withLiveRelay(clock: clock, maxAttempts: 1) { relay in
            let varied = try await submit(relay, level: .anonymous)
            let withdrawn = try await submit(relay, level: .anonymous)
            #expect(try await lease(relay).count == 2)
            clock.advance(by: 61)
            #expect(try await lease(relay).isEmpty, "both dead-lettered")
            let response = try await put(relay, varied, .identity)
            #expect(response.body["effect"] == "unchanged")
            #expect(response.body["status"] == "dead_letter")
            #expect(try await put(relay, withdrawn, .statsOnly).body["effect"] == "withdrawn")
            #expect(try await lease(relay).isEmpty, "a centre's consent change does not requeue a dead letter")
            let status = try await relay.withClient("centre-a") { try await $0.call(.GET, "/v1/reports/\(varied.lowercasedString)").body }
            #expect(status["attempts"] == 1, "attempts keep counting leases")
            let held = try #require(try await relay.database.deliveries(state: .deadLetter, after: nil, limit: 10).first)
            try await relay.database.requeue(deliveryID: held.deliveryID, actor: .localAdmin, now: clock.now)
            let items = try await lease(relay)
            #expect(items.map { $0["report_id"] } == [.string(varied.lowercasedString)])
            #expect(try open(relay, items[0])["victim"]?["name"] == "Maria Lovell", "the requeued item carries the view for the new consent")
        }
    }

    @Test("already stats_only: forwarding it queues it; the same consent again is unchanged")
    func statsOnly() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .statsOnly)
            #expect(try await put(relay, id, .statsOnly).body["effect"] == "unchanged")
            #expect(try await lease(relay).isEmpty)
            let response = try await put(relay, id, .anonymous)
            #expect(response.body["effect"] == "requeued")
            #expect(response.body["status"] == "queued")
            #expect(try await lease(relay).count == 1)
            #expect(try await put(relay, id, .anonymous).body["effect"] == "unchanged")
            #expect(try await relay.database.consentEvents(reportID: id).count == 4, "every consent event is kept")
        }
    }

    @Test("another centre gets 404; an invalid consent gets 400 with a pointer")
    func refusals() async throws {
        try await withLiveRelay { relay in
            let id = try await submit(relay, level: .anonymous)
            #expect(try await put(relay, id, .identity, centre: "centre-b").status == 404)
            let invalid = try await relay.withClient("centre-a") { client in
                try await client.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: ["consent": ["level": "everything"]])
            }
            #expect(invalid.status == 400)
            #expect(invalid.body["errors"]?.arrayValue?.first?["pointer"] == "/consent/level")
            let asIntake = try await relay.withClient("intake-a") { client in
                try await client.send(.PUT, "/v1/reports/\(id.lowercasedString)/consent", body: Self.consent(.identity))
            }
            #expect(asIntake.status == 403)
        }
    }
}
