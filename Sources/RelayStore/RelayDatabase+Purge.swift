import Foundation
import GRDB
import RelayCore

/// Before when each kind of sealed body is past its retention; `nil` keeps that kind.
public struct PurgeCutoffs: Sendable, Equatable {
    public var originalsDeliveredBefore: Date?
    public var viewsDeliveredBefore: Date?
    public var deadLetteredBefore: Date?
    public var withdrawnBefore: Date?

    public init(originalsDeliveredBefore: Date? = nil, viewsDeliveredBefore: Date? = nil, deadLetteredBefore: Date? = nil, withdrawnBefore: Date? = nil) {
        self.originalsDeliveredBefore = originalsDeliveredBefore
        self.viewsDeliveredBefore = viewsDeliveredBefore
        self.deadLetteredBefore = deadLetteredBefore
        self.withdrawnBefore = withdrawnBefore
    }
}

/// How many sealed bodies a purge removed (or, dry, would remove), by rule.
public struct PurgeCounts: Sendable, Equatable {
    public var originalsAfterDelivery = 0
    public var policeViewsAfterDelivery = 0
    public var deadLetterViews = 0
    public var deadLetterOriginals = 0
    public var withdrawnOriginals = 0
    public var withdrawnViews = 0
    /// Views replaced by a consent change before police had them (never delivered).
    public var supersededViews = 0
    /// Whether the WAL was emptied afterwards; `false` when a long reader kept old page images
    /// (holding purged bodies) in the -wal file until a later checkpoint.
    public var walEmptied = true

    public var total: Int {
        originalsAfterDelivery + policeViewsAfterDelivery + deadLetterViews + deadLetterOriginals + withdrawnOriginals + withdrawnViews + supersededViews
    }

    public var jsonValue: JSONValue {
        ["originals_after_delivery": .integer(originalsAfterDelivery), "police_views_after_delivery": .integer(policeViewsAfterDelivery),
         "dead_letter_views": .integer(deadLetterViews), "dead_letter_originals": .integer(deadLetterOriginals),
         "withdrawn_originals": .integer(withdrawnOriginals), "withdrawn_views": .integer(withdrawnViews),
         "superseded_views": .integer(supersededViews)]
    }
}

extension RelayDatabase {
    /// Removes sealed bodies past their retention: originals of delivered reports, delivered
    /// police views and consent updates (and views a consent change replaced before delivery),
    /// dead letters' views and originals, and everything sealed of a report at `stats_only` —
    /// withdrawn, or so from the start — except a consent update still on its way to police.
    /// Rows keep their ids, states, times, receipts and audit; only `report_originals` and
    /// `delivery_bodies` rows go. With `dryRun` nothing is written and nothing audited.
    /// Otherwise one `purge` audit entry records the counts, and the WAL is checkpointed so that,
    /// with `secure_delete`, the bodies' bytes are gone from the database files.
    ///
    /// The bodies due are found on a read snapshot, so the scans (about a second at a million
    /// reports) never hold the writer that submissions wait for. The write transaction then
    /// checks each one again by its key (``PurgeSelection/originalDue(_:_:_:)`` and
    /// ``PurgeSelection/viewDue(_:_:_:)``): a dead letter requeued or a consent raised again since
    /// the snapshot keeps its body.
    public func purge(_ cutoffs: PurgeCutoffs, actor: AuditActor, now: Date, dryRun: Bool) async throws -> PurgeCounts {
        try await purge(cutoffs, actor: actor, now: now, dryRun: dryRun, afterSelection: nil)
    }

    /// ``purge(_:actor:now:dryRun:)`` with `afterSelection` run between the snapshot's selection
    /// and the write (tests: a change that lands in between).
    func purge(_ cutoffs: PurgeCutoffs, actor: AuditActor, now: Date, dryRun: Bool,
               afterSelection: (@Sendable () async throws -> Void)?) async throws -> PurgeCounts {
        let selection = try await pool.read { db in try PurgeSelection(db, cutoffs) }
        guard !dryRun, !selection.isEmpty else { return selection.counts }
        try await afterSelection?()
        var counts: PurgeCounts = try await journaledWrite { db, journal in
            var due = selection
            try due.retain(originals: { try PurgeSelection.originalDue(db, $0, cutoffs) }, views: { try PurgeSelection.viewDue(db, $0, cutoffs) })
            let counts = due.counts, originals = due.originals, views = due.views
            guard !(originals.isEmpty && views.isEmpty) else { return counts }
            for id in originals {
                try db.cachedStatement(sql: "DELETE FROM report_originals WHERE report_id = ?").execute(arguments: [id])
            }
            for id in views {
                try db.cachedStatement(sql: "DELETE FROM delivery_bodies WHERE delivery_id = ?").execute(arguments: [id])
            }
            try journal.record(db, actor.event(.purge, details: counts.jsonValue), at: now)
            return counts
        }
        if counts.total > 0 {
            // Move the WAL's pages into the database file and empty the WAL, so that old page images
            // holding the purged bodies do not linger in it.
            // A reader holding an old snapshot can keep the checkpoint from finishing (it answers
            // busy rather than failing): try again briefly, then say so.
            counts.walEmptied = false
            for _ in 0..<20 where !counts.walEmptied {
                // The first column, `busy`, is 0 once the log is copied and emptied. (An `Int`, not a
                // `Row`: a Sendable result selects the async write, which does not block this thread.)
                let busy = try await pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
                counts.walEmptied = busy == 0
                if !counts.walEmptied { try await Task.sleep(for: .milliseconds(100)) }
            }
        }
        return counts
    }
}

/// The sealed bodies past their retention, by rule (a body can be due under several).
struct PurgeSelection: Sendable {
    var originalsDelivered: [String] = []
    var viewsDelivered: [String] = []
    var deadViews: [String] = []
    var deadOriginals: [String] = []
    var withdrawnOriginals: [String] = []
    var withdrawnViews: [String] = []
    var supersededViews: [String] = []

    /// Finds them with set-wise queries (scans; run on a read snapshot).
    init(_ db: Database, _ cutoffs: PurgeCutoffs) throws {
        func ids(_ sql: String, _ cutoff: Date?) throws -> [String] {
            guard let cutoff else { return [] }
            return try String.fetchAll(db, sql: sql, arguments: [RelayDatabase.millis(cutoff)])
        }
        originalsDelivered = try ids("""
            SELECT o.report_id FROM report_originals o JOIN reports r ON r.report_id = o.report_id
            WHERE r.delivered_at IS NOT NULL AND r.delivered_at < ?
            """, cutoffs.originalsDeliveredBefore)
        viewsDelivered = try ids("""
            SELECT b.delivery_id FROM delivery_bodies b JOIN deliveries d ON d.delivery_id = b.delivery_id
            WHERE d.state = 'delivered' AND d.delivered_at < ?
            """, cutoffs.viewsDeliveredBefore)
        deadViews = try ids("""
            SELECT b.delivery_id FROM delivery_bodies b JOIN deliveries d ON d.delivery_id = b.delivery_id
            WHERE d.state = 'dead_letter' AND d.dead_lettered_at < ?
            """, cutoffs.deadLetteredBefore)
        deadOriginals = try ids("""
            SELECT o.report_id FROM report_originals o JOIN reports r ON r.report_id = o.report_id
            WHERE r.status = 'dead_letter' AND (SELECT max(d.dead_lettered_at) FROM deliveries d WHERE d.report_id = r.report_id) < ?
            """, cutoffs.deadLetteredBefore)
        // At stats_only since before the cutoff: withdrawn then, or submitted so (the latest consent
        // event set the level).
        let withdrawn = """
            SELECT e.report_id FROM consent_events e
            WHERE e.seq = (SELECT max(seq) FROM consent_events WHERE report_id = e.report_id)
              AND e.to_level = 'stats_only' AND e.at < ?
            """
        withdrawnOriginals = try ids("SELECT report_id FROM report_originals WHERE report_id IN (\(withdrawn))", cutoffs.withdrawnBefore)
        withdrawnViews = try ids("""
            SELECT b.delivery_id FROM delivery_bodies b JOIN deliveries d ON d.delivery_id = b.delivery_id
            WHERE d.report_id IN (\(withdrawn)) AND d.state NOT IN ('queued', 'leased')
              AND NOT (d.kind = 'consent_update' AND d.state = 'dead_letter')
            """, cutoffs.withdrawnBefore)
        // Views a consent change replaced (superseded) or took out of the queue (withdrawn),
        // counted from that change.
        supersededViews = try ids("""
            SELECT b.delivery_id FROM delivery_bodies b JOIN deliveries d ON d.delivery_id = b.delivery_id
            WHERE d.state IN ('superseded', 'withdrawn') AND (SELECT max(e.at) FROM consent_events e WHERE e.report_id = d.report_id) < ?
            """, cutoffs.viewsDeliveredBefore)
    }

    /// Whether the original of `reportID` is still there and due now under any rule: the same
    /// rules as the selection, for one key (index lookups only). A body another purge removed
    /// meanwhile is not counted twice.
    static func originalDue(_ db: Database, _ reportID: String, _ cutoffs: PurgeCutoffs) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM reports r WHERE r.report_id = ?1 AND EXISTS (SELECT 1 FROM report_originals WHERE report_id = ?1) AND (
                r.delivered_at < ?2
                OR (r.status = 'dead_letter' AND (SELECT max(d.dead_lettered_at) FROM deliveries d WHERE d.report_id = r.report_id) < ?3)
                OR (SELECT e.to_level = 'stats_only' AND e.at < ?4 FROM consent_events e WHERE e.report_id = r.report_id ORDER BY e.seq DESC LIMIT 1))
            """), arguments: [reportID, cutoffs.originalsDeliveredBefore.map(RelayDatabase.millis), cutoffs.deadLetteredBefore.map(RelayDatabase.millis),
                              cutoffs.withdrawnBefore.map(RelayDatabase.millis)]) ?? false
    }

    /// Whether the body of delivery item `deliveryID` is due now under any rule (index lookups only).
    static func viewDue(_ db: Database, _ deliveryID: String, _ cutoffs: PurgeCutoffs) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM deliveries d WHERE d.delivery_id = ?1 AND EXISTS (SELECT 1 FROM delivery_bodies WHERE delivery_id = ?1) AND (
                (d.state = 'delivered' AND d.delivered_at < ?2)
                OR (d.state = 'dead_letter' AND d.dead_lettered_at < ?3)
                OR (d.state NOT IN ('queued', 'leased') AND NOT (d.kind = 'consent_update' AND d.state = 'dead_letter')
                    AND (SELECT e.to_level = 'stats_only' AND e.at < ?4 FROM consent_events e WHERE e.report_id = d.report_id ORDER BY e.seq DESC LIMIT 1))
                OR (d.state IN ('superseded', 'withdrawn') AND (SELECT max(e.at) FROM consent_events e WHERE e.report_id = d.report_id) < ?2))
            """), arguments: [deliveryID, cutoffs.viewsDeliveredBefore.map(RelayDatabase.millis), cutoffs.deadLetteredBefore.map(RelayDatabase.millis),
                              cutoffs.withdrawnBefore.map(RelayDatabase.millis)]) ?? false
    }

    var originals: Set<String> { Set(originalsDelivered + deadOriginals + withdrawnOriginals) }
    var views: Set<String> { Set(viewsDelivered + deadViews + withdrawnViews + supersededViews) }
    var isEmpty: Bool { originals.isEmpty && views.isEmpty }

    /// Keeps only the bodies `originals` and `views` still find due.
    mutating func retain(originals originalDue: (String) throws -> Bool, views viewDue: (String) throws -> Bool) throws {
        let keptOriginals = try originals.filter(originalDue), keptViews = try views.filter(viewDue)
        for path in [\Self.originalsDelivered, \Self.deadOriginals, \Self.withdrawnOriginals] as [WritableKeyPath<Self, [String]>] {
            self[keyPath: path].removeAll { !keptOriginals.contains($0) }
        }
        for path in [\Self.viewsDelivered, \Self.deadViews, \Self.withdrawnViews, \Self.supersededViews] as [WritableKeyPath<Self, [String]>] {
            self[keyPath: path].removeAll { !keptViews.contains($0) }
        }
    }

    /// The counts by rule, each body counted under the first rule that finds it.
    var counts: PurgeCounts {
        var counts = PurgeCounts()
        counts.originalsAfterDelivery = originalsDelivered.count
        counts.policeViewsAfterDelivery = viewsDelivered.count
        counts.deadLetterViews = deadViews.count
        counts.deadLetterOriginals = deadOriginals.count
        counts.withdrawnOriginals = Set(withdrawnOriginals).subtracting(originalsDelivered + deadOriginals).count
        counts.withdrawnViews = Set(withdrawnViews).subtracting(viewsDelivered + deadViews).count
        counts.supersededViews = Set(supersededViews).subtracting(viewsDelivered + deadViews + withdrawnViews).count
        return counts
    }
}
