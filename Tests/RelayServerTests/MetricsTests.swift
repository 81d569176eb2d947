import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// `GET /metrics` on the operations listener, scraped from a live relay after real traffic and
/// parsed by Prometheus's own Python parser (`prometheus_client`): the series API.md lists, with
/// the values the traffic must have produced, and no label holding a report id or content.
@Suite("Metrics (live, parsed by prometheus_client)")
struct MetricsTests {
    struct Sample: Sendable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    static func scrape(_ relay: LiveRelay) async throws -> (samples: [Sample], contentType: String) {
        let curl = try await Curl.request("http://127.0.0.1:\(relay.opsPort)/metrics", ca: relay.pki.caFile, clientCertificate: nil)
        #expect(curl.status == 200)
        let parsed = try await Python.run("metrics_parse.py", [], stdin: Data(curl.body.utf8))
        let samples = try parsed.split(separator: "\n").map { line in
            let json = try JSONParser.parse(Array(line.utf8))
            return Sample(name: json["name"]!.stringValue!, labels: (json["labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
                          value: json["value"]!.numberValue!)
        }
        return (samples, curl.contentType)
    }

    @Test("requests by route and status, submit latency, queue depth, lease and ack counts, batch sizes, audit size, handshake failures")
    func series() async throws {
        try await withLiveRelay { relay in
            var ids: [UUID] = []
            try await relay.withClient("centre-a") { client in
                for _ in 0..<3 {
                    let id = UUID()
                    ids.append(id)
                    _ = try await client.call(.POST, "/v1/reports", body: try relay.submission(SampleReports.full(), reportID: id))
                }
                _ = try await client.send(.GET, "/v1/reports/\(ids[0].lowercasedString)")
                _ = try await client.send(.GET, "/v1/reports/\(UUID().lowercasedString)")
            }
            try await relay.withClient("intake-a") { client in
                let items = try await client.call(.POST, "/v1/intake/lease", body: ["max": 2]).body["items"]!.arrayValue!
                _ = try await client.call(.POST, "/v1/intake/ack", body: ["acks": .array(items.map { ["delivery_id": $0["delivery_id"]!, "lease_token": $0["lease_token"]!] })])
            }
            // A connection without a client certificate: a refused handshake.
            _ = try await Curl.request("\(relay.baseURL)/v1/whoami", ca: relay.pki.caFile, clientCertificate: nil)

            let (samples, contentType) = try await Self.scrape(relay)
            #expect(contentType.hasPrefix("text/plain"))
            func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
                samples.first { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }?.value
            }
            #expect(value("relay_http_requests_total", ["route": "/v1/reports", "method": "POST", "status": "201"]) == 3)
            #expect(value("relay_http_requests_total", ["route": "/v1/reports/{id}", "method": "GET", "status": "200"]) == 1)
            #expect(value("relay_http_requests_total", ["route": "/v1/reports/{id}", "method": "GET", "status": "404"]) == 1)
            #expect(value("relay_submit_duration_seconds_count") == 3)
            #expect(value("relay_queue_depth", ["intake": "intake-a", "state": "queued"]) == 1)
            #expect(value("relay_queue_depth", ["intake": "intake-b", "state": "queued"]) == 0, "every intake has a series")
            #expect(value("relay_leased_items_total", ["intake": "intake-a"]) == 2)
            #expect(value("relay_acks_total", ["intake": "intake-a", "result": "delivered"]) == 2)
            #expect(value("relay_group_commit_batch_size_count") == 3)
            #expect((value("relay_oldest_queued_age_seconds", ["intake": "intake-a"]) ?? -1) >= 0)
            #expect((value("relay_audit_tree_size") ?? 0) >= 10)
            #expect(value("relay_tls_handshake_failures_total", ["reason": "no_certificate"]) == 1)
            #expect(value("relay_store_writable") == 1)
            #expect((value("relay_checkpoint_age_seconds") ?? -1) >= 0, "the relay signs a checkpoint at start")
            // The write-ahead log is copied back by a pass every 100 ms, which reports the log's
            // length: after the writes above, a pass finds pages in it.
            var walPages = value("relay_store_wal_pages")
            for _ in 0..<50 where (walPages ?? 0) == 0 {
                try await Task.sleep(for: .milliseconds(100))
                walPages = try await Self.scrape(relay).samples.first { $0.name == "relay_store_wal_pages" }?.value
            }
            #expect((walPages ?? 0) > 0)
            #expect(value("relay_store_wal_pages_not_backfilled") != nil)
            // No label holds a report id (or anything shaped like one).
            let labelValues = samples.flatMap { $0.labels.values }
            #expect(!labelValues.contains { value in ids.contains { value.contains($0.lowercasedString) } })
            #expect(!labelValues.contains { $0.range(of: "[0-9a-f]{8}-[0-9a-f]{4}-", options: .regularExpression) != nil })
        }
    }
}
