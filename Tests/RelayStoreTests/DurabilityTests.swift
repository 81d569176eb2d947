import Foundation
import GRDB
import RelayCore
import RelayStore
import RelayTestSupport
import Testing

@Suite("SQLite layout and durability settings")
struct DurabilityTests {
    @Test("the writer runs WAL with synchronous = FULL, secure_delete on, and temporary storage in memory")
    func synchronousFull() throws {
        let store = try StoreFixture()
        let settings = try store.database.writerSettings()
        #expect(settings.synchronous == 2)
        #expect(try store.database.journalMode() == "wal")
        #expect(settings.secureDelete == 1, "a purged body must be overwritten in the file")
        // Savepoint sub-journals (one per grouped submit) would otherwise be temporary files in
        // /var/tmp holding copies of pages.
        #expect(settings.tempStore == 2)
        #expect(settings.walAutocheckpoint == 1_000, "SQLite's default: the writer copies the log back itself")
    }

    @Test("with background backfill the writer leaves the log to backfillWAL(), which copies all of it back; the next commit starts it over")
    func backgroundBackfill() async throws {
        let inline = try StoreFixture(), background = try StoreFixture(backgroundBackfill: true)
        #expect(try background.database.writerSettings().walAutocheckpoint == RelayDatabase.inlineBackfillFrames)
        for _ in 0..<80 {
            try await inline.submit()
            try await background.submit()
        }
        let inlineLog = try #require(try await inline.database.backfillWAL())
        let first = try #require(try await background.database.backfillWAL())
        #expect(first.logFrames > 1_000, "the writer copied the log back itself: \(first.logFrames) pages in it")
        #expect(inlineLog.logFrames < first.logFrames, "the same writes, copied back by the writer: \(inlineLog.logFrames) pages")
        #expect(first.backfilledFrames == first.logFrames, "no reader was open: everything is copied")
        // What was copied is in the database file itself: a copy of the file without its -wal
        // holds every report.
        let copy = background.directory.file("copy.sqlite")
        try FileManager.default.copyItem(atPath: background.path, toPath: copy)
        let stored = try await DatabaseQueue(path: copy).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM reports") }
        #expect(stored == 80)
        try await background.submit()
        let next = try #require(try await background.database.backfillWAL())
        #expect(next.logFrames < first.logFrames / 10, "the log started over: \(next.logFrames) pages")
        #expect(next.backfilledFrames == next.logFrames)
    }

    @Test("no report content is stored in clear: bodies are the sealed envelopes")
    func noClearContent() async throws {
        let store = try StoreFixture()
        try await store.submit(level: .identityAndContact)
        let dump = try await store.rawQueue().read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'").flatMap { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map(\.description)
            }
        }.joined(separator: "\n")
        #expect(dump.contains("centre-a") && dump.contains("sealed"), "the dump reads the rows")
        for identity in SampleReports.identityStrings { #expect(!dump.contains(identity), "\(identity) in the database") }
        #expect(!dump.contains("38 bus"), "narrative text in the database")
    }

    @Test("a lease on 100,000 queued items reads one index range")
    func leaseUsesIndex() async throws {
        let store = try StoreFixture()
        let urgent = try await store.submit(risk: .high)
        // Bulk-load 100,000 standard items behind it in one statement.
        try await store.rawQueue().write { db in
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
                INSERT INTO deliveries (delivery_id, report_id, intake_id, kind, state, priority, visible_at, payload_sha256)
                SELECT printf('%08x-0000-4000-8000-%012x', i, i), ?, 'intake-a', 'report', 'queued', 1, 0, 'x' FROM n
                """, arguments: [urgent.report.lowercasedString])
            try db.execute(sql: "INSERT INTO delivery_bodies (delivery_id, envelope) SELECT delivery_id, '{}' FROM deliveries WHERE delivery_id LIKE '%-0000-4000-8000-%'")
            try db.execute(sql: "ANALYZE")
        }
        let plan = try await store.database.leaseQueryPlan(intakeID: "intake-a").joined(separator: "\n")
        #expect(plan.contains("USING INDEX deliveries_ready") || plan.contains("USING COVERING INDEX deliveries_ready"), "\(plan)")
        #expect(!plan.contains("USE TEMP B-TREE"), "ordering must come from the index: \(plan)")
        #expect(!plan.contains("SCAN b"), "bodies are fetched by key: \(plan)")
        let items = try await store.lease(max: 50)
        #expect(items.count == 50)
        #expect(items.first?.reportID == urgent.report.lowercasedString)
    }
}
