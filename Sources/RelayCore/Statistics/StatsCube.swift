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

    /// A cell, packed: the dimension mask (bit i is `StatsDimension.withinMonth[i]`) in the top
    /// byte, then one byte per dimension in the mask, in bit order, holding the value's code.
    /// Codes follow the values' sorted order, so comparing two keys of one mask compares their
    /// values lexicographically, whatever order the reports came in.
    typealias Key = UInt32

    public let month: String
    /// Per dimension, its values in sorted order (a value's code is its position).
    private let values: [[String]]
    private var index: [Key: Int] = [:]
    private var cells: [Key] = []
    private var counts: [Int] = []
    private var hidden: [Bool] = []

    /// Every mask of at most ``maxDimensions`` dimensions, with its bits in order.
    private static let masks: [(mask: UInt32, bits: [Int])] = (0..<UInt32(1 << StatsDimension.withinMonth.count))
        .filter { $0.nonzeroBitCount <= maxDimensions }
        .map { mask in (mask, (0..<StatsDimension.withinMonth.count).filter { mask & (1 << $0) != 0 }) }

    static func pack(_ mask: UInt32, _ codes: [UInt32]) -> Key {
        codes.enumerated().reduce(mask << 24) { $0 | $1.element << (16 - 8 * UInt32($1.offset)) }
    }

    static func unpack(_ key: Key) -> (mask: UInt32, codes: [UInt32]) {
        let mask = key >> 24
        return (mask, (0..<mask.nonzeroBitCount).map { (key >> (16 - 8 * UInt32($0))) & 0xFF })
    }

    /// Builds the month's cube from its facts (all accepted in `month`).
    public init(month: String, facts: [StatsFact]) {
        self.month = month
        let dimensions = StatsDimension.withinMonth
        let factValues = facts.map { fact in dimensions.map { Array(Set(fact.values($0))) } }
        var values = dimensions.indices.map { d in Array(Set(factValues.flatMap { $0[d] })).sorted() }
        // A vocabulary wider than a byte cannot happen with the closed enumerations; cut it rather than
        // mis-pack (the cells of the values beyond are then not counted).
        values = values.map { Array($0.prefix(256)) }
        self.values = values
        let codeOf = values.map { Dictionary(uniqueKeysWithValues: $0.enumerated().map { ($1, UInt32($0)) }) }
        index.reserveCapacity(facts.count * 8)
        for valuesOfFact in factValues {
            let codes = dimensions.indices.map { d in valuesOfFact[d].compactMap { codeOf[d][$0] } }
            for (mask, bits) in Self.masks {
                switch bits.count {
                case 0: add(mask << 24)
                case 1: for a in codes[bits[0]] { add(mask << 24 | a << 16) }
                case 2: for a in codes[bits[0]] { for b in codes[bits[1]] { add(mask << 24 | a << 16 | b << 8) } }
                default:
                    for a in codes[bits[0]] { for b in codes[bits[1]] { for c in codes[bits[2]] { add(mask << 24 | a << 16 | b << 8 | c) } } }
                }
            }
        }
        hidden = counts.map { (1..<Self.threshold).contains($0) }
        suppressComplements()
    }

    private mutating func add(_ key: Key) {
        if let i = index[key] {
            counts[i] += 1
        } else {
            index[key] = cells.count
            cells.append(key)
            counts.append(1)
        }
    }

    /// The lines: a total and its children along one more dimension, in an order fixed by the
    /// cells' content alone (the parent's key, then the dimension added), so that the same
    /// reports always give the same pattern.
    private func lines() -> [(total: Int, children: [Int])] {
        // (line, child) pairs, sorted and grouped: a line is its parent's key and the bit added.
        var pairs: [(line: UInt64, child: Int)] = []
        pairs.reserveCapacity(cells.count * Self.maxDimensions)
        for (i, key) in cells.enumerated() {
            let mask = key >> 24
            var position: UInt32 = 0
            var remaining = mask
            while remaining != 0 {
                let bit = UInt32(remaining.trailingZeroBitCount)
                remaining &= remaining - 1
                // The parent: this value taken out, the values after it moved up a byte.
                let shift = 16 - 8 * position
                let above = shift == 16 ? 0 : key & (0xFFFF_FFFF << (shift + 8)) & 0x00FF_FFFF
                let below = (key & ((1 << shift) - 1)) << 8
                let parent = (mask & ~(1 << bit)) << 24 | above | below
                pairs.append((UInt64(parent) << 8 | UInt64(bit), i))
                position += 1
            }
        }
        pairs.sort { $0.line != $1.line ? $0.line < $1.line : $0.child < $1.child }
        var result: [(total: Int, children: [Int])] = []
        var start = 0
        while start < pairs.count {
            var end = start
            while end < pairs.count, pairs[end].line == pairs[start].line { end += 1 }
            result.append((index[Key(pairs[start].line >> 8)]!, pairs[start..<end].map(\.child)))
            start = end
        }
        return result
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
                let pick = open.min { a, b in counts[a] != counts[b] ? counts[a] < counts[b] : cells[a] < cells[b] }
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

    /// The key of a cell given by its values; nil when a value never occurs this month.
    private func key(_ given: [StatsDimension: String]) -> Key? {
        var mask: UInt32 = 0
        var codes: [UInt32] = []
        for (d, dimension) in StatsDimension.withinMonth.enumerated() {
            guard let value = given[dimension] else { continue }
            guard let code = values[d].firstIndex(of: value) else { return nil }
            mask |= 1 << UInt32(d)
            codes.append(UInt32(code))
        }
        return Self.pack(mask, codes)
    }

    /// The published count of one cell, given by its dimension values (a zero when absent).
    public func published(_ values: [StatsDimension: String]) -> PublishedCount {
        guard let key = key(values), let i = index[key] else { return .count(0) }
        return Self.publish(counts[i], hidden: hidden[i])
    }

    /// The month's total (all reports accepted in it).
    public var total: PublishedCount { published([:]) }

    /// Every nonzero cell along exactly these dimensions, in value order.
    public func cells(by dimensions: [StatsDimension]) -> [(values: [StatsDimension: String], count: PublishedCount)] {
        precondition(dimensions.count <= Self.maxDimensions && !dimensions.contains(.month))
        let bits = StatsDimension.withinMonth.indices.filter { dimensions.contains(StatsDimension.withinMonth[$0]) }
        let mask = bits.reduce(UInt32(0)) { $0 | 1 << UInt32($1) }
        return cells.indices.filter { cells[$0] >> 24 == mask }
            .sorted { cells[$0] < cells[$1] }
            .map { i in
                let codes = Self.unpack(cells[i]).codes
                let named = zip(bits, codes).map { (StatsDimension.withinMonth[$0], values[$0][Int($1)]) }
                return (Dictionary(uniqueKeysWithValues: named), Self.publish(counts[i], hidden: hidden[i]))
            }
    }

    static func publish(_ count: Int, hidden: Bool) -> PublishedCount {
        guard hidden else { return .count(count) }
        return (1..<threshold).contains(count) ? .underFive : .suppressed
    }

    /// The true count of a cell, for tests that attack the suppression.
    public func trueCount(_ values: [StatsDimension: String]) -> Int {
        guard let key = key(values), let i = index[key] else { return 0 }
        return counts[i]
    }
}
