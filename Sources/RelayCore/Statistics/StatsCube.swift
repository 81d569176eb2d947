import Foundation

/// A dimension the statistics can be grouped by. `month` (of acceptance, UTC) is always the
/// outermost one: every count is a count within one calendar month.
public enum StatsDimension: String, Sendable, CaseIterable, Codable {
    case month
    case borough
    case policeForceArea = "police_force_area"
    case strand
    case community
    case incidentType = "incident_type"
    case consentLevel = "consent_level"
    case deliveryOutcome = "delivery_outcome"
    case policeOutcome = "police_outcome"

    /// The dimensions inside a month, in a fixed order (the bit order of a ``StatsCube`` cell).
    public static let withinMonth: [StatsDimension] = allCases.filter { $0 != .month }
}

/// What the statistics know of one accepted report: nothing of its content, only the closed
/// vocabulary fields, its state and its times.
public struct StatsFact: Sendable, Equatable {
    public var acceptedAt: Date
    public var borough: String?
    public var policeForceArea: String?
    public var strands: [String]
    public var communities: [String]
    public var types: [String]
    public var consentLevel: ConsentLevel
    /// The report's status (`queued`, `leased`, `delivered`, `dead_letter`, `withdrawn`, `stats_only`).
    public var status: String
    public var deliveredAt: Date?
    /// The latest outcome police gave, if any.
    public var outcome: PoliceOutcome?
    /// The victim's pseudonym, when the report identifies a victim.
    public var pseudonym: String?
    /// Whether a report accepted earlier carries the same pseudonym.
    public var victimSeenBefore: Bool

    public init(acceptedAt: Date, borough: String?, policeForceArea: String?, strands: [String], communities: [String],
                types: [String], consentLevel: ConsentLevel, status: String, deliveredAt: Date?, outcome: PoliceOutcome?,
                pseudonym: String?, victimSeenBefore: Bool) {
        self.acceptedAt = acceptedAt
        self.borough = borough
        self.policeForceArea = policeForceArea
        self.strands = strands
        self.communities = communities
        self.types = types
        self.consentLevel = consentLevel
        self.status = status
        self.deliveredAt = deliveredAt
        self.outcome = outcome
        self.pseudonym = pseudonym
        self.victimSeenBefore = victimSeenBefore
    }

    /// `YYYY-MM` of acceptance, UTC.
    public var month: String { String(RFC3339.format(acceptedAt).prefix(7)) }

    /// The report's values along a dimension (several for strands, communities and types).
    public func values(_ dimension: StatsDimension) -> [String] {
        switch dimension {
        case .month: [month]
        case .borough: [borough ?? "outside_london"]
        case .policeForceArea:
            if let policeForceArea { [policeForceArea] } else if borough == "City of London" { ["City of London"] } else { ["Metropolitan Police"] }
        case .strand: strands
        case .community: communities.isEmpty ? ["not_recorded"] : communities
        case .incidentType: types
        case .consentLevel: [consentLevel.rawValue]
        case .deliveryOutcome: [Self.deliveryOutcome(status: status)]
        case .policeOutcome: [outcome?.category.rawValue ?? "none"]
        }
    }

    /// `pending` (queued or leased), `delivered`, `dead_letter`, `withdrawn` or `not_forwarded`
    /// (`stats_only`).
    public static func deliveryOutcome(status: String) -> String {
        switch status {
        case "queued", "leased": "pending"
        case "stats_only": "not_forwarded"
        default: status
        }
    }
}

/// A published count: the number, `"<5"` for 1 to 4, or `"suppressed"` for a count of 5 or more
/// hidden so that a `<5` elsewhere cannot be worked out.
public enum PublishedCount: Sendable, Equatable {
    case count(Int)
    case underFive
    case suppressed

    public var isHidden: Bool { if case .count = self { false } else { true } }
    public var value: Int? { if case .count(let n) = self { n } else { nil } }

    public var jsonValue: JSONValue {
        switch self {
        case .count(let n): .integer(n)
        case .underFive: "<5"
        case .suppressed: "suppressed"
        }
    }

    public var text: String {
        switch self {
        case .count(let n): String(n)
        case .underFive: "<5"
        case .suppressed: "suppressed"
        }
    }
}

/// One calendar month's counts along every combination of at most ``maxDimensions`` of the
/// within-month dimensions, with one suppression pattern that every query shares.
///
/// The rule (README "Statistics"):
/// 1. A cell counts the reports with those values (a report with two strands counts once in each
///    strand's cell). Only nonzero cells exist; a cell that is absent is a published zero.
/// 2. Primary suppression: every count of 1 to 4 is hidden (`"<5"`).
/// 3. Complementary suppression over the whole family of tables: every cell with dimensions `D`
///    and its children along one more dimension `d` (the cells `D ∪ {d}` that agree on `D`) form a
///    *line*, the cell being the line's total. Until no line holds exactly one hidden count, the
///    smallest published nonzero child of such a line is hidden too, or the total when no child is
///    left. Because the pattern is computed once over all tables of the month — not per query — a
///    cell hidden in one query is hidden in every query that shows it, and no published total of
///    any other query recovers it.
/// 4. Nothing is published across months: a query over a range shows each month's cells, so two
///    queries with overlapping ranges show the same numbers for the months they share, and their
///    difference is only whole months, each already protected.
public struct StatsCube: Sendable {
    public static let maxDimensions = 3
    public static let threshold = 5

    /// A cell: which dimensions (bit i is `StatsDimension.withinMonth[i]`) and their values, in that order.
    public struct Cell: Hashable, Sendable {
        public var mask: UInt16
        public var values: [String]
    }

    public let month: String
    private var index: [Cell: Int] = [:]
    private var cells: [Cell] = []
    private var counts: [Int] = []
    private var hidden: [Bool] = []

    /// Builds the month's cube from its facts (all accepted in `month`).
    public init(month: String, facts: [StatsFact]) {
        self.month = month
        let dimensions = StatsDimension.withinMonth
        let masks = (0..<UInt16(1 << dimensions.count)).filter { $0.nonzeroBitCount <= Self.maxDimensions }
        for fact in facts {
            let values = dimensions.map { Array(Set(fact.values($0))).sorted() }
            for mask in masks {
                var combinations: [[String]] = [[]]
                for (bit, options) in values.enumerated() where mask & (1 << bit) != 0 {
                    combinations = combinations.flatMap { prefix in options.map { prefix + [$0] } }
                }
                for combination in combinations { add(Cell(mask: mask, values: combination)) }
            }
        }
        hidden = counts.map { (1..<Self.threshold).contains($0) }
        suppressComplements()
    }

    private mutating func add(_ cell: Cell) {
        if let i = index[cell] {
            counts[i] += 1
        } else {
            index[cell] = cells.count
            cells.append(cell)
            counts.append(1)
        }
    }

    /// The lines: a total and its children along one more dimension.
    private func lines() -> [(total: Int, children: [Int])] {
        var children: [Cell: [Int]] = [:]  // key: the total with a marker bit for the dimension added
        for (i, cell) in cells.enumerated() where cell.mask != 0 {
            var position = 0
            for bit in 0..<StatsDimension.withinMonth.count where cell.mask & (1 << bit) != 0 {
                var values = cell.values
                values.remove(at: position)
                // The line's key: the parent's mask, its values, and which dimension was added.
                let key = Cell(mask: cell.mask & ~(1 << bit), values: values + ["\u{0}\(bit)"])
                children[key, default: []].append(i)
                position += 1
            }
        }
        // In an order fixed by the cells' content alone, so that the same reports always give the
        // same pattern, whatever order they came in (dictionary order varies from run to run).
        return children.sorted { a, b in
            a.key.mask != b.key.mask ? a.key.mask < b.key.mask : a.key.values.lexicographicallyPrecedes(b.key.values)
        }.map { key, members in
            let parent = Cell(mask: key.mask, values: Array(key.values.dropLast()))
            return (index[parent]!, members)
        }
    }

    private mutating func suppressComplements() {
        let lines = lines()
        var changed = true
        while changed {
            changed = false
            for line in lines {
                let hiddenMembers = (hidden[line.total] ? 1 : 0) + line.children.reduce(0) { $0 + (hidden[$1] ? 1 : 0) }
                guard hiddenMembers == 1 else { continue }
                let open = line.children.filter { !hidden[$0] && counts[$0] > 0 }
                let pick = open.min { a, b in
                    counts[a] != counts[b] ? counts[a] < counts[b] : cells[a].values.lexicographicallyPrecedes(cells[b].values)
                }
                if let pick {
                    hidden[pick] = true
                } else if !hidden[line.total] {
                    hidden[line.total] = true
                } else {
                    continue
                }
                changed = true
            }
        }
    }

    static func mask(_ dimensions: [StatsDimension]) -> UInt16 {
        dimensions.reduce(0) { mask, dimension in
            mask | (1 << UInt16(StatsDimension.withinMonth.firstIndex(of: dimension)!))
        }
    }

    /// The published count of one cell, given by its dimension values (a zero when absent).
    public func published(_ values: [StatsDimension: String]) -> PublishedCount {
        let dimensions = StatsDimension.withinMonth.filter { values[$0] != nil }
        let cell = Cell(mask: Self.mask(dimensions), values: dimensions.map { values[$0]! })
        guard let i = index[cell] else { return .count(0) }
        return Self.publish(counts[i], hidden: hidden[i])
    }

    /// The month's total (all reports accepted in it).
    public var total: PublishedCount { published([:]) }

    /// Every nonzero cell along exactly these dimensions, in value order.
    public func cells(by dimensions: [StatsDimension]) -> [(values: [StatsDimension: String], count: PublishedCount)] {
        precondition(dimensions.count <= Self.maxDimensions && !dimensions.contains(.month))
        let ordered = StatsDimension.withinMonth.filter(dimensions.contains)
        let mask = Self.mask(ordered)
        return cells.indices.filter { cells[$0].mask == mask }
            .sorted { cells[$0].values.lexicographicallyPrecedes(cells[$1].values) }
            .map { i in (Dictionary(uniqueKeysWithValues: zip(ordered, cells[i].values)), Self.publish(counts[i], hidden: hidden[i])) }
    }

    static func publish(_ count: Int, hidden: Bool) -> PublishedCount {
        guard hidden else { return .count(count) }
        return (1..<threshold).contains(count) ? .underFive : .suppressed
    }

    /// The true count of a cell, for tests that attack the suppression.
    public func trueCount(_ values: [StatsDimension: String]) -> Int {
        let dimensions = StatsDimension.withinMonth.filter { values[$0] != nil }
        return index[Cell(mask: Self.mask(dimensions), values: dimensions.map { values[$0]! })].map { counts[$0] } ?? 0
    }
}
