import ArgumentParser
import Foundation
import RelayCore

/// The cost of the statistics' suppression: building one month's cube (every table of up to
/// three dimensions, complementary suppression to a fixpoint) from N synthetic reports.
struct StatsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "CPU to compute GET /v1/stats over synthetic months: cube, suppression and measures, per month of N reports.")
    @Option(help: "Reports per month.") var reports = 1000
    @Option(help: "Months in the query.") var months = 12
    @Option(help: "Rounds.") var rounds = 3

    func run() throws {
        var generator = SystemRandomNumberGenerator()
        let strands = ["race", "religion", "disability", "sexual_orientation", "transgender_identity"]
        let communities = ["gypsy_irish_traveller_roma", "disabled_people", "new_migrants", "asylum_seekers_refugees", "transgender_people"]
        let types = ["verbal_abuse", "threat", "harassment", "assault", "criminal_damage", "online"]
        let statuses = ["queued", "delivered", "delivered", "delivered", "dead_letter", "stats_only", "withdrawn"]
        let start = RFC3339.parse("2024-01-01T00:00:00Z")!
        var facts: [StatsFact] = []
        for month in 0..<months {
            let monthStart = StatsQuery.months(month, from: start)
            for _ in 0..<reports {
                let accepted = monthStart.addingTimeInterval(Double.random(in: 0..<(27 * 86_400), using: &generator))
                let status = statuses.randomElement(using: &generator)!
                facts.append(StatsFact(
                    acceptedAt: accepted, borough: Vocabulary.londonBoroughs.randomElement(using: &generator), policeForceArea: nil,
                    strands: Array(strands.shuffled(using: &generator).prefix(Int.random(in: 1...2, using: &generator))),
                    communities: [communities.randomElement(using: &generator)!],
                    types: Array(types.shuffled(using: &generator).prefix(Int.random(in: 1...2, using: &generator))),
                    consentLevel: ConsentLevel.allCases.randomElement(using: &generator)!, status: status,
                    deliveredAt: status == "delivered" ? accepted.addingTimeInterval(Double.random(in: 60...86_400, using: &generator)) : nil,
                    outcome: Bool.random(using: &generator) ? PoliceOutcome(code: Int.random(in: 1...22, using: &generator)) : nil,
                    pseudonym: "p\(Int.random(in: 0..<(reports * months), using: &generator))", victimSeenBefore: Bool.random(using: &generator)))
            }
        }
        let query = StatsQuery(from: start, to: StatsQuery.months(months, from: start), by: [.borough, .strand])
        print("stats: \(months) months of \(reports) reports; by month, borough, strand; release build expected")
        var perMonth: [Double] = []
        for round in 1...rounds {
            let cpu = cpuSeconds(), wall = Date()
            let body = StatsResult(query: query, facts: facts).jsonValue.canonicalString
            let used = cpuSeconds() - cpu
            perMonth.append(used / Double(months))
            print(String(format: "round %d: %.1f ms CPU for the query (%.1f ms wall), %.1f ms per month; body %d bytes",
                         round, used * 1000, Date().timeIntervalSince(wall) * 1000, used * 1000 / Double(months), body.utf8.count))
        }
        print(String(format: "median CPU per month of %d reports: %.1f ms", reports, perMonth.sorted()[perMonth.count / 2] * 1000))
    }
}
