import Foundation

/// A count table published with small-number suppression: every count of 1 to 4 is shown as
/// `"<5"` (primary suppression), and then, so that no suppressed count can be worked out from
/// what is published, more counts are suppressed (complementary suppression) until every row
/// and every column — each with its total, which is published too — holds either no suppressed
/// entry or at least two. A line with exactly one hidden entry would give it away by subtraction.
///
/// Zeros are published as they are. The rule protects one table against recovery from its own
/// totals; it is not a guarantee across different tables of overlapping data.
public struct SuppressedTable: Sendable, Equatable {
    public let rows: [String]
    public let columns: [String]
    /// `counts[row][column]`.
    public let counts: [[Int]]
    /// `hidden[row][column]`, with the row totals as the last column and the column totals (and
    /// the grand total) as the last row.
    public private(set) var hidden: [[Bool]]

    public static let threshold = 5

    public init(rows: [String], columns: [String], counts: [[Int]]) {
        precondition(counts.count == rows.count && counts.allSatisfy { $0.count == columns.count })
        self.rows = rows
        self.columns = columns
        self.counts = counts
        let full = Self.withTotals(counts, columns: columns.count)
        hidden = full.map { $0.map { (1..<Self.threshold).contains($0) } }
        suppressComplements(full)
    }

    /// The counts with the row totals as the last column and the column totals as the last row
    /// (the shape of ``hidden``).
    public var countsWithTotals: [[Int]] { Self.withTotals(counts, columns: columns.count) }

    /// The counts with a totals column and a totals row.
    static func withTotals(_ counts: [[Int]], columns: Int) -> [[Int]] {
        var full = counts.map { $0 + [$0.reduce(0, +)] }
        full.append((0...columns).map { column in full.reduce(0) { $0 + $1[column] } })
        return full
    }

    private mutating func suppressComplements(_ full: [[Int]]) {
        let height = full.count, width = full[0].count
        var changed = true
        while changed {
            changed = false
            let lines: [[(Int, Int)]] = (0..<height).map { r in (0..<width).map { (r, $0) } }
                + (0..<width).map { c in (0..<height).map { ($0, c) } }
            for line in lines where line.filter({ hidden[$0.0][$0.1] }).count == 1 {
                // Hide the smallest published count in the line (a nonzero one if there is).
                let candidates = line.filter { !hidden[$0.0][$0.1] }
                let pick = candidates.filter { full[$0.0][$0.1] > 0 }.min { full[$0.0][$0.1] < full[$1.0][$1.1] } ?? candidates.first
                guard let (r, c) = pick else { continue }
                hidden[r][c] = true
                changed = true
            }
        }
    }

    /// A count as published: the number, or `"<5"` when it is 1 to 4, or `"suppressed"` when it
    /// is hidden only to protect another.
    public func published(_ row: Int, _ column: Int) -> JSONValue {
        let full = Self.withTotals(counts, columns: columns.count)
        return Self.publish(full[row][column], hidden: hidden[row][column])
    }

    static func publish(_ count: Int, hidden: Bool) -> JSONValue {
        guard hidden else { return .integer(count) }
        return (1..<threshold).contains(count) ? "<5" : "suppressed"
    }

    /// `{"rows": [{"<rowName>": row, "<column>": count, ..., "total": n}], "total": {...}}`.
    public func jsonValue(rowName: String) -> JSONValue {
        let full = Self.withTotals(counts, columns: columns.count)
        func line(_ r: Int) -> [String: JSONValue] {
            var members: [String: JSONValue] = [:]
            for (c, column) in columns.enumerated() { members[column] = Self.publish(full[r][c], hidden: hidden[r][c]) }
            members["total"] = Self.publish(full[r][columns.count], hidden: hidden[r][columns.count])
            return members
        }
        return [
            "rows": .array(rows.indices.map { r in
                var members = line(r)
                members[rowName] = .string(rows[r])
                return .object(members)
            }),
            "total": .object(line(rows.count)),
        ]
    }
}

/// What the relay knows about one delivered report's journey, for the outcome measures.
public struct CaseJourney: Sendable, Equatable {
    public var acceptedAt: Date
    public var communities: [String]
    public var strands: [String]
    /// When the first case update arrived.
    public var firstUpdateAt: Date?
    /// When the first `outcome` update arrived.
    public var firstOutcomeAt: Date?
    /// The latest outcome police gave.
    public var outcome: PoliceOutcome?

    public init(acceptedAt: Date, communities: [String], strands: [String], firstUpdateAt: Date?, firstOutcomeAt: Date?, outcome: PoliceOutcome?) {
        self.acceptedAt = acceptedAt
        self.communities = communities
        self.strands = strands
        self.firstUpdateAt = firstUpdateAt
        self.firstOutcomeAt = firstOutcomeAt
        self.outcome = outcome
    }
}

/// The strategy's outcome measures over delivered reports: time from submission to the first
/// police update and to an outcome (median and 90th percentile, in days, published only over at
/// least five reports), and outcomes by category per month of submission, community and strand,
/// each table suppressed with ``SuppressedTable``. A report in two communities (or strands)
/// counts in each of their rows.
public enum OutcomeMeasures {
    public static func compute(_ journeys: [CaseJourney]) -> JSONValue {
        let columns = PoliceOutcome.Category.allCases.map(\.rawValue) + ["no_outcome_yet"]
        func column(_ journey: CaseJourney) -> Int {
            journey.outcome.map { outcome in PoliceOutcome.Category.allCases.firstIndex(of: outcome.category)! } ?? columns.count - 1
        }
        func table(_ keys: (CaseJourney) -> [String]) -> SuppressedTable {
            let rows = Array(Set(journeys.flatMap(keys))).sorted()
            var counts = rows.map { _ in [Int](repeating: 0, count: columns.count) }
            let index = Dictionary(uniqueKeysWithValues: rows.enumerated().map { ($1, $0) })
            for journey in journeys {
                for key in Set(keys(journey)) { counts[index[key]!][column(journey)] += 1 }
            }
            return SuppressedTable(rows: rows, columns: columns, counts: counts)
        }
        return [
            "delivered_reports": SuppressedTable.publish(journeys.count, hidden: (1..<SuppressedTable.threshold).contains(journeys.count)),
            "days_to_first_update": durations(journeys.compactMap { j in j.firstUpdateAt.map { $0.timeIntervalSince(j.acceptedAt) } }),
            "days_to_outcome": durations(journeys.compactMap { j in j.firstOutcomeAt.map { $0.timeIntervalSince(j.acceptedAt) } }),
            "outcomes_by_month": table { [RFC3339.format($0.acceptedAt).prefix(7).description] }.jsonValue(rowName: "month"),
            "outcomes_by_community": table(\.communities).jsonValue(rowName: "community"),
            "outcomes_by_strand": table(\.strands).jsonValue(rowName: "strand"),
        ]
    }

    /// `{"reports", "median", "p90"}` in days (one decimal), or only `reports: "<5"` when fewer
    /// than five reports would be described.
    static func durations(_ seconds: [TimeInterval]) -> JSONValue {
        guard seconds.count >= SuppressedTable.threshold else {
            return ["reports": SuppressedTable.publish(seconds.count, hidden: !seconds.isEmpty)]
        }
        let days = seconds.map { $0 / 86_400 }.sorted()
        func rank(_ p: Double) -> Double { days[min(days.count - 1, Int((p * Double(days.count)).rounded(.up)) - 1)] }
        func round(_ value: Double) -> JSONValue { .number((value * 10).rounded() / 10) }
        return ["reports": .integer(days.count), "median": round(rank(0.5)), "p90": round(rank(0.9))]
    }
}
