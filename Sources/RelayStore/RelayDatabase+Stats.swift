import Foundation
import GRDB
import RelayCore

extension RelayDatabase {
    /// The statistics facts of every report accepted in `[from, to)`: closed-vocabulary fields,
    /// state, times, the latest police outcome, and the victim's pseudonym with whether an earlier
    /// report carried it. No content is read.
    public func statsFacts(from: Date, to: Date) async throws -> [StatsFact] {
        try await pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: """
                SELECT r.accepted_at, r.borough, r.police_force_area, r.strands, r.communities, r.types,
                       r.consent_level, r.status, r.delivered_at, p.pseudonym,
                       (SELECT u.outcome_code FROM case_updates u WHERE u.report_id = r.report_id AND u.status = 'outcome'
                        ORDER BY u.seq DESC LIMIT 1) AS outcome_code,
                       EXISTS (SELECT 1 FROM victim_pseudonyms p2 JOIN reports r2 ON r2.report_id = p2.report_id
                               WHERE p2.pseudonym = p.pseudonym AND r2.seq < r.seq) AS seen_before
                FROM reports r LEFT JOIN victim_pseudonyms p ON p.report_id = r.report_id
                WHERE r.accepted_at >= ? AND r.accepted_at < ?
                ORDER BY r.seq
                """), arguments: [Self.millis(from), Self.millis(to)]).map { row in
                func list(_ column: String) -> [String] { (row[column] as String).split(separator: ",").map(String.init) }
                return StatsFact(
                    acceptedAt: Self.date(row["accepted_at"]), borough: row["borough"], policeForceArea: row["police_force_area"],
                    strands: list("strands"), communities: list("communities"), types: list("types"),
                    consentLevel: ConsentLevel(rawValue: row["consent_level"]) ?? .statsOnly, status: row["status"],
                    deliveredAt: (row["delivered_at"] as Int64?).map(Self.date),
                    outcome: (row["outcome_code"] as Int?).flatMap { PoliceOutcome(code: $0) },
                    pseudonym: row["pseudonym"], victimSeenBefore: row["seen_before"])
            }
        }
    }
}
