import Foundation
import RelayCore
import Testing

@Suite("Case updates: outcome categories, message schema, measures with suppression")
struct OutcomeMeasuresTests {
    @Test("outcome types group as the measures count them")
    func categories() {
        let expected: [PoliceOutcome.Category: Set<Int>] = [
            .sanctionDetection: [1, 2, 3, 4, 6, 7], .outOfCourtResolution: [8, 22], .evidentialDifficulties: [14, 15, 16],
            .noSuspectIdentified: [18], .notInPublicInterest: [9, 10, 21], .prosecutionPrevented: [5, 11, 12, 13, 17], .otherBody: [19, 20],
        ]
        for code in PoliceOutcome.codes {
            let category = PoliceOutcome(code: code)!.category
            #expect(expected[category]!.contains(code), "type \(code)")
            #expect(category.isPositive == (expected[.sanctionDetection]!.contains(code) || [8, 22].contains(code)))
        }
        #expect(PoliceOutcome(code: 0) == nil && PoliceOutcome(code: 23) == nil)
    }

    @Test("a case update message refuses fields outside its schema, so no identity can ride along")
    func messageSchema() throws {
        let id = UUID(), update = UUID()
        let message = CaseUpdateMessage(reportID: id, updateID: update, status: .outcome, outcome: PoliceOutcome(code: 8), message: "Resolved.")
        #expect(try CaseUpdateMessage(json: message.jsonValue) == message)
        var smuggled = message.jsonValue.objectValue!
        smuggled["victim"] = ["name": "Someone"]
        #expect(throws: ReportValidationError.self) { try CaseUpdateMessage(json: .object(smuggled)) }
        var wrong = message.jsonValue.objectValue!
        wrong["next_contact_by"] = "tomorrow"
        do {
            _ = try CaseUpdateMessage(json: .object(wrong))
            Issue.record("a bad date was accepted")
        } catch {
            #expect(error.violations.map(\.pointer) == ["/next_contact_by"])
        }
    }

    /// An attacker who knows the table's published entries and solves every row or column that
    /// has exactly one unknown (its entries sum to its total), as often as that helps.
    static func recoverBySubtraction(_ table: SuppressedTable) -> Set<[Int]> {
        let full = table.countsWithTotals
        var known = table.hidden.map { $0.map { !$0 } }
        var recovered = Set<[Int]>()
        let height = full.count, width = full[0].count
        var progress = true
        while progress {
            progress = false
            let lines: [[(Int, Int)]] = (0..<height).map { r in (0..<width).map { (r, $0) } } + (0..<width).map { c in (0..<height).map { ($0, c) } }
            for line in lines {
                let unknown = line.filter { !known[$0.0][$0.1] }
                if unknown.count == 1 {
                    known[unknown[0].0][unknown[0].1] = true
                    recovered.insert([unknown[0].0, unknown[0].1])
                    progress = true
                }
            }
        }
        return recovered
    }

    @Test("property: every 1-4 is hidden, every line hides none or at least two, and subtraction recovers nothing", arguments: 0..<200)
    func suppression(seed: Int) {
        var generator = ScrubbingVariantPropertyTests.Generator(state: UInt64(seed))
        let rows = Int.random(in: 1...6, using: &generator), columns = Int.random(in: 1...8, using: &generator)
        let counts = (0..<rows).map { _ in (0..<columns).map { _ in [0, 0, 1, 2, 3, 4, 5, 7, 12, 40].randomElement(using: &generator)! } }
        let table = SuppressedTable(rows: (0..<rows).map { "r\($0)" }, columns: (0..<columns).map { "c\($0)" }, counts: counts)
        let full = table.countsWithTotals
        for r in full.indices {
            for c in full[r].indices where (1...4).contains(full[r][c]) {
                #expect(table.hidden[r][c], "a small count is published")
            }
        }
        for r in full.indices { #expect(table.hidden[r].filter { $0 }.count != 1) }
        for c in full[0].indices { #expect(full.indices.filter { table.hidden[$0][c] }.count != 1) }
        #expect(Self.recoverBySubtraction(table).isEmpty)
    }

    @Test("measures: durations only over five reports or more; tables suppressed")
    func measures() throws {
        let start = RFC3339.parse("2026-11-01T00:00:00Z")!
        func journey(_ days: Double, code: Int?, community: String) -> CaseJourney {
            CaseJourney(acceptedAt: start, communities: [community], strands: ["race"], firstUpdateAt: start.addingTimeInterval(days * 86_400),
                        firstOutcomeAt: code == nil ? nil : start.addingTimeInterval(days * 2 * 86_400), outcome: code.flatMap { PoliceOutcome(code: $0) })
        }
        let few = OutcomeMeasures.compute((1...3).map { journey(Double($0), code: 1, community: "disabled") })
        #expect(few["delivered_reports"] == "<5")
        #expect(few["days_to_first_update"] == ["reports": "<5"])
        let many = OutcomeMeasures.compute((1...10).map { journey(Double($0), code: $0 <= 6 ? 1 : nil, community: $0 <= 8 ? "disabled" : "transgender") })
        #expect(many["delivered_reports"] == 10)
        #expect(many["days_to_first_update"] == ["reports": 10, "median": 5, "p90": 9])
        #expect(many["days_to_outcome"] == ["reports": 6, "median": 6, "p90": 12])
        let byCommunity = try #require(many["outcomes_by_community"]?["rows"]?.arrayValue)
        #expect(byCommunity.map { $0["community"]?.stringValue } == ["disabled", "transgender"])
        #expect(byCommunity[0]["no_outcome_yet"] == "<5", "two reports")
        #expect(byCommunity[1]["no_outcome_yet"] == "<5")
        #expect(byCommunity[1]["total"] == "<5")
        // 8 - 6 would give the 2 away: the 6 or the 8 is hidden as well.
        #expect(byCommunity[0]["total"] == "suppressed" || byCommunity[0]["sanction_detection"] == "suppressed")
        let byMonth = try #require(many["outcomes_by_month"]?["rows"]?.arrayValue?.first)
        #expect(byMonth["month"] == "2026-11")
        #expect(byMonth["no_outcome_yet"] == "<5")
        #expect(byMonth["total"] == "suppressed" || byMonth["sanction_detection"] == "suppressed")
    }
}
