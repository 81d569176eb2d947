import Crypto
import Foundation
import GRDB
import RelayCore
@testable import RelayStore
import RelayTestSupport
import Testing

/// A database written by an earlier release, with data in it, migrates to the current schema
/// with its reports intact and the new tables backfilled.
@Suite("Migrations on a populated database")
struct MigrationTests {
    @Test("a v1 database with a report migrates to the current schema: the report reads back, its consent is backfilled, statistics count it")
    func fromV1WithData() async throws {
        let directory = try TemporaryDirectory("migration")
        let path = directory.file("relay.sqlite")
        let reportID = UUID()
        do {
            // What the first release left on disk.
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "v1-reports-and-queue")
            try await queue.write { db in
                try db.execute(sql: """
                    INSERT INTO reports (report_id, centre_id, envelope_sha256, status, consent_level, share_demographics, intake_id, risk,
                                         borough, police_force_area, strands, communities, types, occurred_at, accepted_at, acceptance)
                    VALUES (?, 'centre-a', ?, 'queued', 'identity', 1, 'intake-a', 'standard', 'Hackney', NULL, 'race,religion',
                            'gypsy_irish_traveller_roma', 'verbal_abuse', 1790000000000, 1790000100000, '{"status":"queued"}')
                    """, arguments: [reportID.lowercasedString, String(repeating: "a", count: 64)])
            }
        }
        let database = try RelayDatabase(path: path, signer: ReceiptSigner(key: Curve25519.Signing.PrivateKey()))
        let status = try #require(try await database.reportStatus(reportID: reportID, centreID: "centre-a"))
        #expect(status.status == .queued)
        #expect(status.consentLevel == .identity)
        let events = try await database.consentEvents(reportID: reportID)
        #expect(events.count == 1, "the consent given at submission is backfilled as the first event")
        #expect(events.first?.to == .identity && events.first?.from == nil && events.first?.effect == "recorded")
        #expect(events.first?.recordedBy == nil, "v4's column exists, empty for old events")
        // v7's index serves the statistics, which read the old row's vocabulary columns.
        let facts = try await database.statsFacts(from: Date(timeIntervalSince1970: 1_789_000_000), to: Date(timeIntervalSince1970: 1_791_000_000))
        #expect(facts.count == 1 && facts.first?.borough == "Hackney" && facts.first?.strands == ["race", "religion"])
        // A read-only opening now finds nothing left to migrate.
        _ = try RelayDatabase(path: path, signer: ReceiptSigner(key: Curve25519.Signing.PrivateKey()), readOnly: true)
    }
}
