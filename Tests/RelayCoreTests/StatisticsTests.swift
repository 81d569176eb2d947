import Foundation
@testable import RelayCore
import RelayFixtures
import Testing

@Suite("Statistics: counts with suppression that totals and overlapping queries cannot undo")
struct StatisticsTests {
    typealias Generator = SeededGenerator

    static func month(_ text: String) -> Date { RFC3339.parse(text + "-01T00:00:00Z")! }

    /// Random reports over three months, each with one value per dimension (so that every total is
    /// exactly the sum of its children — the strongest position for an attacker).
    static func facts(seed: UInt64, count: Int) -> [StatsFact] {
        var generator = Generator(state: seed)
        let boroughs = ["Hackney", "Newham", "Brent", "Camden", "Sutton"]
        let communities = ["gypsy_irish_traveller", "roma", "disabled_people", "new_migrants"]
        return (0..<count).map { _ in
            let month = ["2026-01", "2026-02", "2026-03"].randomElement(using: &generator)!
            let accepted = Self.month(month).addingTimeInterval(Double(Int.random(in: 0..<86_400 * 27, using: &generator)))
            let status = ["queued", "delivered", "delivered", "dead_letter", "stats_only"].randomElement(using: &generator)!
            return StatsFact(
                acceptedAt: accepted, borough: boroughs.randomElement(using: &generator), policeForceArea: nil,
                strands: [["race", "religion", "disability"].randomElement(using: &generator)!],
                communities: [communities.randomElement(using: &generator)!],
                types: [["verbal_abuse", "online"].randomElement(using: &generator)!],
                consentLevel: ConsentLevel.allCases.randomElement(using: &generator)!, status: status,
                deliveredAt: status == "delivered" ? accepted.addingTimeInterval(3600) : nil,
                outcome: Bool.random(using: &generator) ? PoliceOutcome(code: 1) : nil,
                pseudonym: nil, victimSeenBefore: false)
        }
    }

    /// Every within-month dimension set a query can ask for (month is implied).
    static let shapes: [[StatsDimension]] = {
        let dimensions = StatsDimension.withinMonth
        return (0..<(1 << dimensions.count)).filter { $0.nonzeroBitCount <= StatsCube.maxDimensions }.map { mask in
            dimensions.indices.filter { mask & (1 << $0) != 0 }.map { dimensions[$0] }
        }
    }()

    struct Key: Hashable {
        var month: String
        var values: [StatsDimension: String]
    }

    /// What an attacker holds after asking every shape over the given ranges: each published
    /// value, and for each hidden cell the truth (to check any value they work out).
    struct Published {
        var known: [Key: Int] = [:]
        var hidden: [Key: Int] = [:]

        mutating func absorb(_ result: StatsResult, cube: (String) -> StatsCube) {
            for shape in StatisticsTests.shapes {
                let shaped = StatsResult(query: StatsQuery(from: result.query.from, to: result.query.to, by: shape), cubes: result.cubes)
                for cell in shaped.cells {
                    let key = Key(month: cell.month, values: cell.values)
                    if let value = cell.count.value {
                        if let earlier = known[key] { #expect(earlier == value, "two queries disagree on \(key)") }
                        known[key] = value
                    } else {
                        #expect(known[key] == nil, "a cell published by one query is hidden by another: \(key)")
                        hidden[key] = cube(cell.month).trueCount(cell.values)
                    }
                }
            }
        }

        /// Solves every line (a total and its children along one dimension) with exactly one
        /// unknown, again and again; returns the hidden cells it worked out.
        func attack() -> [Key: Int] {
            var values = known
            var recovered: [Key: Int] = [:]
            let cells = Set(known.keys).union(hidden.keys)
            var lines: [Key: [Key]] = [:]  // total (with the added dimension as a marker) -> children
            for cell in cells where !cell.values.isEmpty {
                for dimension in cell.values.keys {
                    var parent = cell.values
                    parent[dimension] = nil
                    var marker = parent
                    marker[.month] = dimension.rawValue
                    lines[Key(month: cell.month, values: marker), default: []].append(cell)
                }
            }
            var progress = true
            while progress {
                progress = false
                for (marker, children) in lines {
                    var parentValues = marker.values
                    parentValues[.month] = nil
                    let parent = Key(month: marker.month, values: parentValues)
                    let unknown = ([parent] + children).filter { values[$0] == nil }
                    guard unknown.count == 1, let target = unknown.first else { continue }
                    let sum = children.reduce(0) { $0 + (values[$1] ?? 0) }
                    let solved = target == parent ? sum : values[parent]! - sum
                    values[target] = solved
                    recovered[target] = solved
                    progress = true
                }
            }
            return recovered
        }
    }

    @Test("property: from every query shape and overlapping ranges, subtraction recovers no suppressed cell", arguments: 0..<40)
    func attackBySubtraction(seed: Int) {
        let facts = Self.facts(seed: UInt64(seed) &* 7919 &+ 17, count: 20 + seed * 3)
        let all = StatsResult(query: StatsQuery(from: Self.month("2026-01"), to: Self.month("2026-04"), by: []), facts: facts)
        let cubes = Dictionary(uniqueKeysWithValues: all.cubes.map { ($0.month, $0) })
        // The pattern depends on the reports, not on the order they are read in.
        let reversed = StatsResult(query: all.query, facts: facts.reversed())
        #expect(reversed.jsonValue == all.jsonValue)
        var published = Published()
        // Overlapping ranges: Jan–Mar, Jan–Feb, Feb–Mar, and each month alone.
        for (from, to) in [("2026-01", "2026-04"), ("2026-01", "2026-03"), ("2026-02", "2026-04"), ("2026-02", "2026-03")] {
            published.absorb(StatsResult(query: StatsQuery(from: Self.month(from), to: Self.month(to), by: []), facts: facts)) { cubes[$0]! }
        }
        for (key, truth) in published.hidden where (1..<5).contains(truth) {
            #expect(published.known[key] == nil, "\(key)")
        }
        let recovered = published.attack()
        #expect(recovered.isEmpty, "seed \(seed): recovered \(recovered.count) suppressed cells, e.g. \(recovered.first.map { "\($0.key)" } ?? "")")
        // The attack's own arithmetic is right: every value it would have worked out is the truth.
        for (key, value) in recovered { #expect(published.hidden[key] == value) }
        #expect(published.hidden.values.contains { (1..<5).contains($0) }, "the case should have small cells to protect")
    }

    @Test("the attacker is not toothless: with complementary suppression undone it recovers cells")
    func attackerWorks() {
        // One month, two boroughs: Hackney 9, Newham 3. Primary suppression alone would publish
        // the total 12 and Hackney 9, giving Newham away.
        var published = Published()
        let hackney = Key(month: "2026-01", values: [.borough: "Hackney"])
        let newham = Key(month: "2026-01", values: [.borough: "Newham"])
        published.known = [Key(month: "2026-01", values: [:]): 12, hackney: 9]
        published.hidden = [newham: 3]
        #expect(published.attack() == [newham: 3])
    }

    @Test("suppression: 1-4 is <5, a lone small cell takes a partner, totals of months are never published")
    func smallCells() throws {
        var facts: [StatsFact] = []
        func add(_ n: Int, _ borough: String, month: String) {
            for i in 0..<n {
                facts.append(StatsFact(acceptedAt: Self.month(month).addingTimeInterval(Double(i) * 60), borough: borough, policeForceArea: nil,
                                       strands: ["race"], communities: ["roma"], types: ["online"], consentLevel: .anonymous, status: "delivered",
                                       deliveredAt: nil, outcome: nil, pseudonym: nil, victimSeenBefore: false))
            }
        }
        add(9, "Hackney", month: "2026-01")
        add(7, "Brent", month: "2026-01")
        add(3, "Newham", month: "2026-01")
        add(12, "Hackney", month: "2026-02")
        let result = StatsResult(query: StatsQuery(from: Self.month("2026-01"), to: Self.month("2026-03"), by: [.borough]), facts: facts)
        let counts = Dictionary(uniqueKeysWithValues: result.cells.map { ("\($0.month) \($0.values[.borough]!)", $0.count) })
        #expect(counts["2026-01 Newham"] == .underFive)
        #expect(counts["2026-01 Brent"] == .suppressed)  // the smallest partner
        #expect(counts["2026-01 Hackney"] == .count(9))
        #expect(counts["2026-02 Hackney"] == .count(12))
        let json = result.jsonValue
        #expect(json["suppressed"] == .integer(2))
        #expect(json["cells"]?.arrayValue?.count == 4)
        #expect(json["by"] == ["month", "borough"])
        #expect(json["measures"]?["months"]?.arrayValue?.first?["reports"] == .integer(19))
    }

    @Test("measures: repeat victims as a count, identity share only from published cells, delivery hours over five or more")
    func measures() {
        var facts: [StatsFact] = []
        for i in 0..<12 {
            let accepted = Self.month("2026-05").addingTimeInterval(Double(i) * 3600)
            facts.append(StatsFact(acceptedAt: accepted, borough: "Camden", policeForceArea: nil, strands: ["race"], communities: ["roma"],
                                   types: ["online"], consentLevel: i < 6 ? .identity : .anonymous, status: "delivered",
                                   deliveredAt: accepted.addingTimeInterval(Double(i + 1) * 3600), outcome: nil,
                                   pseudonym: i < 2 ? "victim-a" : nil, victimSeenBefore: i == 1))
        }
        let month = StatsResult(query: StatsQuery(from: Self.month("2026-05"), to: Self.month("2026-06"), by: []), facts: facts)
            .jsonValue["measures"]?["months"]?.arrayValue?.first
        #expect(month?["repeat_victims"] == "<5")
        #expect(month?["hours_to_delivery"]?["median"] == .number(6))
        #expect(month?["hours_to_delivery"]?["p90"] == .number(11))
        // identity 6 is published, identity_and_contact 0 is a published zero, the total 12.
        #expect(month?["identity_consent_percent"] == .number(50))
        #expect(month?["dead_letters"] == .integer(0))
    }

    @Test("query: months are the unit, the open month is not published, violations name their parameter")
    func query() throws {
        let now = RFC3339.parse("2026-12-03T16:00:00Z")!
        let defaulted = try StatsQuery.parse(from: nil, to: nil, by: nil, now: now)
        #expect(RFC3339.format(defaulted.from) == "2025-12-01T00:00:00Z")
        #expect(RFC3339.format(defaulted.to) == "2026-12-01T00:00:00Z")
        #expect(defaulted.months.count == 12)
        let rounded = try StatsQuery.parse(from: "2026-03-15", to: "2026-05-02T10:00:00Z", by: "borough,month,strand", now: now)
        #expect(rounded.months == ["2026-03", "2026-04", "2026-05"])
        #expect(rounded.by == [.borough, .strand])
        let open = try StatsQuery.parse(from: "2026-12", to: nil, by: nil, now: now, includeOpenMonth: true)
        #expect(open.months == ["2026-12"])
        func violations(_ from: String?, _ to: String?, _ by: String?) -> [String] {
            do {
                _ = try StatsQuery.parse(from: from, to: to, by: by, now: now)
                return []
            } catch {
                return error.violations.map(\.pointer)
            }
        }
        #expect(violations("2026-12", nil, nil) == ["/from"])
        #expect(violations("soon", nil, nil) == ["/from"])
        #expect(violations(nil, nil, "borough,postcode") == ["/by"])
        #expect(violations(nil, nil, "borough,strand,community,incident_type") == ["/by"])
        #expect(violations("2020-01", "2026-01", nil) == ["/to"])
    }
}
