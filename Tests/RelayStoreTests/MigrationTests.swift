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

    @Test("v8 moves the sealed bodies out of WITHOUT ROWID tables: every body reads back byte for byte, leases carry them, keys and cascades hold")
    func sealedBodiesToRowidTables() async throws {
        let directory = try TemporaryDirectory("migration-v8")
        let path = directory.file("relay.sqlite")
        let reports = (0..<40).map { _ in UUID() }
        let deliveries = reports.map { _ in UUID.timeOrdered() }
        // Bodies of several sizes, all past a page, with non-ASCII text: the copy must be exact.
        let original = reports.indices.map { "{\"ciphertext\":\"" + String(repeating: "é\($0)", count: 1500 + $0 * 97) + "\"}" }
        let view = reports.indices.map { "{\"view\":\"" + String(repeating: "ł\($0)", count: 1200 + $0 * 89) + "\"}" }
        do {
            let queue = try DatabaseQueue(path: path)
            try Migrations.migrator.migrate(queue, upTo: "v7-stats-by-month")
            try await queue.write { db in
                for (index, reportID) in reports.enumerated() {
                    let id = reportID.lowercasedString, deliveryID = deliveries[index].lowercasedString
                    try db.execute(sql: """
                        INSERT INTO reports (report_id, centre_id, envelope_sha256, status, consent_level, share_demographics, intake_id, risk,
                                             borough, police_force_area, strands, communities, types, occurred_at, accepted_at, acceptance)
                        VALUES (?, 'centre-a', ?, 'queued', 'anonymous', 0, 'intake-a', 'standard', NULL, NULL, 'race', '', 'verbal_abuse',
                                1790000000000, 1790000100000, '{}')
                        """, arguments: [id, String(repeating: "a", count: 64)])
                    try db.execute(sql: "INSERT INTO report_originals (report_id, envelope) VALUES (?, ?)", arguments: [id, original[index]])
                    try db.execute(sql: """
                        INSERT INTO deliveries (delivery_id, report_id, intake_id, kind, state, priority, visible_at, payload_sha256)
                        VALUES (?, ?, 'intake-a', 'report', 'queued', 1, 1790000100000, ?)
                        """, arguments: [deliveryID, id, String(repeating: "b", count: 64)])
                    try db.execute(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) VALUES (?, ?)", arguments: [deliveryID, view[index]])
                }
            }
        }
        let database = try RelayDatabase(path: path, signer: ReceiptSigner(key: Curve25519.Signing.PrivateKey()))
        // The copy went through the write-ahead log; relayd truncates the log after migrating.
        let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int
        #expect(walBytes == 0, "the write-ahead log after the migration: \(walBytes ?? -1) bytes")
        let queue = try DatabaseQueue(path: path)
        try await queue.read { db in
            for table in ["report_originals", "delivery_bodies"] {
                let sql = try #require(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]))
                #expect(!sql.uppercased().contains("WITHOUT ROWID"), "\(table): \(sql)")
            }
            #expect(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE name LIKE '%_v8'").isEmpty)
            for (index, reportID) in reports.enumerated() {
                #expect(try String.fetchOne(db, sql: "SELECT envelope FROM report_originals WHERE report_id = ?", arguments: [reportID.lowercasedString]) == original[index])
            }
            #expect(try String.fetchAll(db, sql: "PRAGMA integrity_check") == ["ok"])
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
        // The queue hands out the bodies as they were stored, oldest first.
        let leased = try await database.lease(intakeID: "intake-a", max: 50, duration: 60, now: Date(timeIntervalSince1970: 1_790_000_200),
                                              policy: QueuePolicy(maxAttempts: 5))
        #expect(leased.map(\.deliveryID) == deliveries.map(\.lowercasedString))
        #expect(leased.map(\.envelope) == view)
        // Keys and cascades are those of v1: a second body for a report or a delivery is refused,
        // so is a body without an id or for no delivery, and a report's row takes its original with it.
        try await queue.write { db in
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO report_originals (report_id, envelope) VALUES (?, 'x')", arguments: [reports[0].lowercasedString])
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) VALUES (?, 'x')", arguments: [deliveries[0].lowercasedString])
            }
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) VALUES (?, 'x')", arguments: [UUID().lowercasedString])
            }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "INSERT INTO report_originals (report_id, envelope) VALUES (NULL, 'x')") }
            #expect(throws: DatabaseError.self) { try db.execute(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) VALUES (NULL, 'x')") }
        }
        try await queue.write { db in
            // A delivery's body keeps its row: the foreign key refuses the delivery's deletion first.
            #expect(throws: DatabaseError.self) {
                try db.execute(sql: "DELETE FROM deliveries WHERE delivery_id = ?", arguments: [deliveries[1].lowercasedString])
            }
            try db.execute(sql: "DELETE FROM delivery_bodies WHERE delivery_id = ?", arguments: [deliveries[1].lowercasedString])
            try db.execute(sql: "DELETE FROM deliveries WHERE delivery_id = ?", arguments: [deliveries[1].lowercasedString])
            try db.execute(sql: "DELETE FROM reports WHERE report_id = ?", arguments: [reports[1].lowercasedString])
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM report_originals WHERE report_id = ?", arguments: [reports[1].lowercasedString]) == 0)
        }
    }
}
