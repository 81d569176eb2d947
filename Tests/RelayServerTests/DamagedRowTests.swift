import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

/// A row damaged on disk (written here with the `sqlite3` CLI, as a bad restore or a tool might)
/// is answered with 503 and a problem, never a crash: the relay keeps serving.
@Suite("A damaged row (live)")
struct DamagedRowTests {
    @Test("a report id that is no UUID in the store: the listing answers 503, the relay still serves")
    func malformedReportID() async throws {
        try await withLiveRelay { relay in
            let damaged = String(repeating: "z", count: 36)
            let sql = """
                INSERT INTO reports (report_id, centre_id, envelope_sha256, status, consent_level, share_demographics, intake_id, risk,
                                     borough, police_force_area, strands, communities, types, occurred_at, accepted_at, acceptance)
                VALUES ('\(damaged)', 'centre-a', '\(String(repeating: "a", count: 64))', 'queued', 'anonymous', 0, 'intake-a', 'standard',
                        'Hackney', NULL, 'race', '', 'online', 1790000000000, 1790000100000, '{}');
                """
            try await Subprocess.run("sqlite3", [relay.directory.file("relay.sqlite"), sql]).checked("sqlite3 insert")
            try await relay.withClient("centre-a") { client in
                let listing = try await client.send(.GET, "/v1/reports")
                #expect(listing.status == 503)
                #expect(listing.body["type"]?.stringValue?.hasSuffix("/unavailable") == true, "\(listing.body)")
                #expect(try await client.send(.GET, "/v1/keys").status == 200, "the relay still serves")
            }
        }
    }
}
