import Foundation
import GRDB
import RelayCore

/// A report's status as its centre sees it (`GET /v1/reports/{id}`; the body is `V1.ReportStatusBody`).
public struct ReportStatusRecord: Sendable, Equatable {
    public var reportID: String
    public var status: ReportStatus
    public var consentLevel: ConsentLevel
    public var acceptedAt: Date
    public var deliveredAt: Date?
    public var attempts: Int
    public var intakeID: String?
    public var policeReference: String?
    /// The newest case update from police, if any.
    public var latestUpdate: LatestUpdate?
    /// Cursor position for listings.
    public var seq: Int64
}

extension RelayDatabase {
    static let statusColumns = "seq, report_id, status, consent_level, accepted_at, delivered_at, attempts, intake_id, police_reference"

    static func statusRecord(_ row: Row) throws -> ReportStatusRecord {
        ReportStatusRecord(
            reportID: row["report_id"], status: try row.decode("status"),
            consentLevel: try row.decode("consent_level"), acceptedAt: date(row["accepted_at"]),
            deliveredAt: (row["delivered_at"] as Int64?).map(date), attempts: row["attempts"], intakeID: row["intake_id"],
            policeReference: row["police_reference"], latestUpdate: nil, seq: row["seq"])
    }

    /// Fills in each record's newest case update.
    static func withLatestUpdates(_ db: Database, _ records: [ReportStatusRecord]) throws -> [ReportStatusRecord] {
        let latest = try latestUpdates(db, reportIDs: records.map(\.reportID))
        guard !latest.isEmpty else { return records }
        return records.map { record in
            var record = record
            record.latestUpdate = latest[record.reportID]
            return record
        }
    }

    /// One report of one centre; `nil` if it does not exist or belongs to another centre.
    public func reportStatus(reportID: UUID, centreID: String) async throws -> ReportStatusRecord? {
        try await pool.read { db in
            let record = try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.statusColumns) FROM reports WHERE report_id = ? AND centre_id = ?"),
                                          arguments: [reportID.lowercasedString, centreID]).map { try Self.statusRecord($0) }
            return try record.map { try Self.withLatestUpdates(db, [$0])[0] }
        }
    }

    /// A centre's reports, newest first, optionally of one status, before cursor `after`.
    public func reports(centreID: String, status: ReportStatus?, after: Int64?, limit: Int) async throws -> [ReportStatusRecord] {
        try await pool.read { db in
            var sql = "SELECT \(Self.statusColumns) FROM reports WHERE centre_id = ?"
            var arguments: StatementArguments = [centreID]
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            if let after {
                sql += " AND seq < ?"
                arguments += [after]
            }
            sql += " ORDER BY seq DESC LIMIT ?"
            arguments += [limit]
            return try Self.withLatestUpdates(db, try Row.fetchAll(db, sql: sql, arguments: arguments).map { try Self.statusRecord($0) })
        }
    }

    /// A centre's receipts in log order after cursor `after`: `(cursor, signed receipt JSON)`.
    public func receipts(centreID: String, after: Int64, limit: Int) async throws -> [(seq: Int64, receipt: JSONValue)] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT seq, body FROM receipts WHERE centre_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
                             arguments: [centreID, after, limit]).compactMap { row in
                guard let body = try? JSONParser.parse(Array((row["body"] as String).utf8)) else { return nil }
                return (row["seq"], body)
            }
        }
    }

    /// Counts of delivery items by state, for one intake or all.
    public func deliveryCounts(intakeID: String? = nil) async throws -> [DeliveryState: Int] {
        try await pool.read { db in
            var sql = "SELECT state, count(*) AS n FROM deliveries"
            var arguments: StatementArguments = []
            if let intakeID {
                sql += " WHERE intake_id = ?"
                arguments += [intakeID]
            }
            sql += " GROUP BY state"
            var counts: [DeliveryState: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                if let state = DeliveryState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Per intake: items queued, leased and dead-lettered, and the earliest time at which any of
    /// the first ``gaugeHead`` items in line (of each priority) became visible (for metrics), one
    /// gauge for every configured intake and for any other that still holds items.
    ///
    /// Read from the queue's partial indexes, never by scanning the table: at a million queued
    /// items the count over the ready index took 0.1 s, where one grouped query over the table took
    /// 0.76 s. The first items in line are where a stuck intake shows: leases that expire put their
    /// items back at the head with a fresh time, but the items behind them keep theirs. Intakes are
    /// the configured ones (`intakes`) and any other that still holds items.
    public func queueGauges(intakes: [String]) async throws -> [QueueGauge] {
        try await pool.read { db in
            var gauges: [QueueGauge] = []
            let dead = try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: """
                SELECT intake_id, count(*) AS n FROM deliveries WHERE state = 'dead_letter' GROUP BY intake_id
                """).map { ($0["intake_id"] as String, $0["n"] as Int) })
            let holding = try Self.intakes(db, index: "deliveries_ready", state: .queued)
                + Self.intakes(db, index: "deliveries_invisible", state: .leased) + dead.keys
            for intake in intakes + Set(holding).subtracting(intakes).sorted() {
                let queued = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) FROM deliveries INDEXED BY deliveries_ready WHERE intake_id = ? AND state = 'queued'
                    """), arguments: [intake]) ?? 0
                let leased = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT count(*) FROM deliveries INDEXED BY deliveries_invisible WHERE intake_id = ? AND state = 'leased'
                    """), arguments: [intake]) ?? 0
                let head = try Int64.fetchOne(db.cachedStatement(sql: """
                    SELECT min(visible_at) FROM (
                        SELECT * FROM (SELECT visible_at FROM deliveries INDEXED BY deliveries_ready
                                       WHERE intake_id = ?1 AND state = 'queued' AND priority = 0 ORDER BY seq LIMIT ?2)
                        UNION ALL
                        SELECT * FROM (SELECT visible_at FROM deliveries INDEXED BY deliveries_ready
                                       WHERE intake_id = ?1 AND state = 'queued' AND priority = 1 ORDER BY seq LIMIT ?2))
                    """), arguments: [intake, Self.gaugeHead])
                gauges.append(QueueGauge(intakeID: intake, queued: queued, leased: leased, deadLetters: dead[intake] ?? 0,
                                         oldestVisible: head.map(Self.date)))
            }
            return gauges
        }
    }

    /// One intake's queue, for metrics.
    public struct QueueGauge: Sendable, Equatable {
        public var intakeID: String
        public var queued: Int
        public var leased: Int
        public var deadLetters: Int
        /// The earliest time any of the first ``RelayDatabase/gaugeHead`` queued items of each
        /// priority became visible; `nil` when nothing is queued.
        public var oldestVisible: Date?
    }

    /// How many items at the head of each priority the waiting-time gauge looks at.
    static let gaugeHead = 1000

    /// The intakes with at least one item in a partial index led by `intake_id`: one index probe
    /// per intake, not a scan.
    static func intakes(_ db: Database, index: String, state: DeliveryState) throws -> [String] {
        var found: [String] = []
        while let next = try String.fetchOne(db.cachedStatement(sql: """
            SELECT intake_id FROM deliveries INDEXED BY \(index) WHERE state = '\(state.rawValue)' AND intake_id > ? ORDER BY intake_id LIMIT 1
            """), arguments: [found.last ?? ""]) {
            found.append(next)
        }
        return found
    }

    /// The query plan SQLite chooses for the lease's ready-item query (for tests and diagnostics).
    public func leaseQueryPlan(intakeID: String) async throws -> [String] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + Self.readyItemsSQL, arguments: [intakeID, 50]).map { $0["detail"] as String }
        }
    }
}
