import Foundation
import GRDB
import RelayCore
@testable import RelayStore
import Testing

/// The purge finds due bodies on a read snapshot and checks each again, by its key, in the write
/// transaction. These tests pin both halves: the per-key checks say what the set-wise selection
/// says, and a change landing between the two keeps the body.
@Suite("Purge: selection on a snapshot, checked again per key")
struct PurgeSelectionTests {
    /// One report in each state the rules tell apart.
    func populatedStore() async throws -> StoreFixture {
        let store = try StoreFixture()
        // Delivered.
        try await store.submit()
        let leased = try #require(try await store.lease(max: 1).first)
        _ = try await store.ack(leased)
        // Dead-lettered: three expired leases.
        let dead = try await store.submit()
        for _ in 1...3 {
            #expect(try await store.lease(max: 10).contains { $0.deliveryID == dead.delivery!.lowercasedString })
            store.clock.advance(by: 61)
        }
        _ = try await store.lease(max: 10)
        // Still queued; then one withdrawn (its latest consent event at stats_only, its view taken
        // out of the queue) and one whose view a consent change superseded.
        try await store.submit()
        let withdrawn = try await store.submit(), superseded = try await store.submit()
        try await store.rawQueue().write { db in
            let at = RelayDatabase.millis(store.clock.now)
            for (report, level) in [(withdrawn.report, "stats_only"), (superseded.report, "identity")] {
                try db.execute(sql: """
                    INSERT INTO consent_events (report_id, at, actor, from_level, to_level, share_demographics, effect)
                    VALUES (?, ?, 'centre-a', 'anonymous', ?, 0, 'recorded')
                    """, arguments: [report.lowercasedString, at, level])
            }
            try db.execute(sql: "UPDATE deliveries SET state = 'withdrawn' WHERE report_id = ?", arguments: [withdrawn.report.lowercasedString])
            try db.execute(sql: "UPDATE deliveries SET state = 'superseded' WHERE report_id = ?", arguments: [superseded.report.lowercasedString])
        }
        // A stats_only report from the start.
        try await store.submit(level: .statsOnly)
        return store
    }

    @Test("for every body and every combination of cutoffs, the per-key check says what the selection says")
    func checksAgree() async throws {
        let store = try await populatedStore()
        let now = store.clock.now
        let times: [Date?] = [nil, now.addingTimeInterval(-86_400), now.addingTimeInterval(86_400)]
        let due = try await store.rawQueue().read { db in
            var due = 0
            let originals = try String.fetchAll(db, sql: "SELECT report_id FROM report_originals")
            let views = try String.fetchAll(db, sql: "SELECT delivery_id FROM delivery_bodies")
            #expect(originals.count == 6 && views.count == 5)
            for a in times { for b in times { for c in times { for d in times {
                let cutoffs = PurgeCutoffs(originalsDeliveredBefore: a, viewsDeliveredBefore: b, deadLetteredBefore: c, withdrawnBefore: d)
                let selection = try PurgeSelection(db, cutoffs)
                for id in originals {
                    #expect(try PurgeSelection.originalDue(db, id, cutoffs) == selection.originals.contains(id), "original \(id), \(cutoffs)")
                }
                for id in views {
                    #expect(try PurgeSelection.viewDue(db, id, cutoffs) == selection.views.contains(id), "view \(id), \(cutoffs)")
                }
                due += selection.originals.count + selection.views.count
            } } } }
            return due
        }
        #expect(due > 0, "the combinations find bodies due")
    }

    @Test("a dead letter requeued after the selection keeps its view and its original; the rest is purged")
    func requeuedMeanwhile() async throws {
        let store = try await populatedStore()
        let dead = try #require(try await store.database.deliveries(state: .deadLetter, after: nil, limit: 10).first)
        let later = store.clock.now.addingTimeInterval(86_400)
        let cutoffs = PurgeCutoffs(originalsDeliveredBefore: later, viewsDeliveredBefore: later, deadLetteredBefore: later, withdrawnBefore: later)
        let dry = try await store.database.purge(cutoffs, actor: .localAdmin, now: store.clock.now, dryRun: true)
        #expect(dry.deadLetterViews == 1 && dry.deadLetterOriginals == 1)
        let counts = try await store.database.purge(cutoffs, actor: .localAdmin, now: store.clock.now, dryRun: false) {
            try await store.database.requeue(deliveryID: dead.deliveryID, actor: .localAdmin, now: store.clock.now)
        }
        #expect(counts.deadLetterViews == 0 && counts.deadLetterOriginals == 0)
        #expect(counts.total == dry.total - 2)
        // No read was open: the log holding the purged bodies' old pages was copied back and emptied.
        #expect(counts.walEmptied)
        #expect(try FileManager.default.attributesOfItem(atPath: store.path + "-wal")[.size] as? Int == 0)
        let (view, original, originals) = try await store.rawQueue().read { db in
            (try Bool.fetchOne(db, sql: "SELECT 1 FROM delivery_bodies WHERE delivery_id = ?", arguments: [dead.deliveryID]),
             try Bool.fetchOne(db, sql: "SELECT 1 FROM report_originals WHERE report_id = ?", arguments: [dead.reportID]),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM report_originals"))
        }
        #expect(view == true && original == true)
        #expect(originals == 6 - (dry.originalsAfterDelivery + dry.withdrawnOriginals))
    }

    @Test("two purges at once: the second finds the bodies gone and neither counts nor audits them twice")
    func concurrentPurges() async throws {
        let store = try await populatedStore()
        let later = store.clock.now.addingTimeInterval(86_400)
        let cutoffs = PurgeCutoffs(originalsDeliveredBefore: later, viewsDeliveredBefore: later, deadLetteredBefore: later, withdrawnBefore: later)
        let sizeBefore = try await store.database.auditSize()
        let inner = PurgeBox()
        let outer = try await store.database.purge(cutoffs, actor: .localAdmin, now: store.clock.now, dryRun: false) {
            inner.counts = try await store.database.purge(cutoffs, actor: .localAdmin, now: store.clock.now, dryRun: false)
        }
        #expect((inner.counts?.total ?? 0) > 0)
        #expect(outer.total == 0)
        #expect(try await store.database.auditSize() == sizeBefore + 1, "one purge entry, from the purge that removed the bodies")
    }
}

/// Carries the inner purge's counts out of the hook.
final class PurgeBox: @unchecked Sendable {
    var counts: PurgeCounts?
}
