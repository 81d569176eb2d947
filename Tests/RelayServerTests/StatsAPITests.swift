import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// `GET /v1/stats`, live over mutual TLS with a clock the test moves: only ended months are
/// published, small counts are hidden with a partner, `stats_only` reports count, and the body
/// carries no report id or pseudonym.
@Suite("Statistics API (live)")
struct StatsAPITests {
    @Test("an ended month's counts by borough, with <5, a complementary suppression and the measures")
    func ended() async throws {
        let clock = TestClock(RFC3339.parse("2026-11-25T10:00:00Z")!)
        try await withLiveRelay(clock: clock) { relay in
            var ids: [String] = []
            try await relay.withClient("centre-a") { client in
                for (borough, count) in [("Hackney", 7), ("Camden", 3), ("Newham", 6)] {
                    for _ in 0..<count {
                        let id = UUID()
                        ids.append(id.lowercasedString)
                        _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(borough: borough), reportID: id))
                    }
                }
                _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(level: .statsOnly, borough: "Hackney")))
            }
            clock.advance(by: 2 * 3600)
            try await relay.withClient("intake-a") { client in
                let items = try await client.call(.POST, "/v1/intake/lease", body: ["max": 50]).body["items"]!.arrayValue!
                #expect(items.count == 16)
                let acks: [JSONValue] = items.map { ["delivery_id": $0["delivery_id"]!, "lease_token": $0["lease_token"]!] }
                _ = try await client.call(.POST, "/v1/intake/ack", body: ["acks": .array(acks)])
            }
            try await relay.withClient("auditor") { client in
                // November has not ended: nothing of it is published yet.
                let early = try await client.send(.GET, "/v1/stats?from=2026-11&by=borough")
                #expect(early.status == 400)
                #expect(early.body["errors"]?.arrayValue?.first?["pointer"] == "/from")
            }
            clock.advance(by: 10 * 86_400)
            try await relay.withClient("auditor") { client in
                let response = try await client.call(.GET, "/v1/stats?from=2026-11-01&to=2026-12-01&by=month,borough")
                let body = response.body
                #expect(body["from"] == "2026-11-01T00:00:00Z")
                #expect(body["to"] == "2026-12-01T00:00:00Z")
                var counts: [String: JSONValue] = [:]
                for cell in body["cells"]?.arrayValue ?? [] {
                    #expect(cell["month"] == "2026-11")
                    counts[cell["borough"]?.stringValue ?? "?"] = cell["count"]
                }
                #expect(counts == ["Hackney": .integer(8), "Camden": "<5", "Newham": "suppressed"])
                #expect(body["suppressed"] == .integer(2))
                let month = try #require(body["measures"]?["months"]?.arrayValue?.first)
                #expect(month["reports"] == .integer(17), "stats_only reports count")
                #expect(month["hours_to_delivery"]?["median"] == .number(2))
                #expect(month["repeat_victims"] == "<5", "the same victim reported again: one repeat victim, shown as <5")
                #expect(month["dead_letters"] == .integer(0))
                let text = response.body.canonicalString
                for id in ids { #expect(!text.contains(id)) }
                #expect(!text.contains("Maria") && !text.contains("Lovell"))

                // Asked by strand as well (every report is race), the same month shows each borough as before.
                let byStrand = try await client.call(.GET, "/v1/stats?from=2026-11&to=2026-12&by=borough,strand").body
                var strandCounts: [String: JSONValue] = [:]
                for cell in byStrand["cells"]?.arrayValue ?? [] where cell["strand"] == "race" { strandCounts[cell["borough"]?.stringValue ?? "?"] = cell["count"] }
                #expect(strandCounts == counts)
                let strandOnly = try await client.call(.GET, "/v1/stats?from=2026-11&to=2026-12&by=strand").body
                #expect(strandOnly["cells"]?.arrayValue?.map { $0["count"] } == [.integer(17)])

                let bad = try await client.send(.GET, "/v1/stats?by=borough,postcode&strand=race")
                #expect(bad.status == 400)
                #expect(Set(bad.body["errors"]?.arrayValue?.compactMap { $0["pointer"]?.stringValue } ?? []) == ["/by", "/strand"])
            }
            let centre = try await relay.withClient("centre-a") { try await $0.send(.GET, "/v1/stats").status }
            #expect(centre == 403)
            let reads = try await relay.services.database.auditEntries(start: 0, end: 1000)
                .filter { $0.action == "auditor_read" && $0.details["path"] == "/v1/stats" }
            #expect(reads.count == 3, "every answered stats read is audited")
        }
    }
}
