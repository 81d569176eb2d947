import ArgumentParser
import Foundation
import RelayConfig
import RelayCore
import RelayStore

struct Outcomes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The strategy's outcome measures from police case updates, with small-number suppression.",
        discussion: """
            Over reports delivered to police and submitted in [--from, --to): days from submission to the first \
            police update and to an outcome (median, p90; only over five reports or more), and outcomes by category \
            per month, community and strand. Counts of 1-4 are "<5", and further counts are "suppressed" so that \
            none can be worked out from a row or column and its total. Reads the database without writing.
            """)
    @OptionGroup var store: StoreOptions
    @Option(help: "First month, YYYY-MM (default: all).") var from: String?
    @Option(help: "Month after the last, YYYY-MM (default: all).") var to: String?
    @Option(help: "table or json.") var format: Format = .table

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    func run() async throws {
        let start = try Self.month(from, flag: "--from") ?? Date(timeIntervalSince1970: 0)
        let end = try Self.month(to, flag: "--to") ?? Date(timeIntervalSince1970: 253_402_300_799)
        let opened: StoreOptions.Opened
        do {
            opened = try store.open()
        } catch let error as ConfigurationError {
            FileHandle.standardError.write(Data("relayctl: \(error)\n".utf8))
            throw ExitCode(78)
        }
        let measures = OutcomeMeasures.compute(try await opened.database.caseJourneys(from: start, to: end))
        switch format {
        case .json: print(measures.canonicalString)
        case .table: print(Self.text(measures))
        }
    }

    static func month(_ text: String?, flag: String) throws -> Date? {
        guard let text else { return nil }
        guard let date = RFC3339.parse(text + "-01T00:00:00Z"), text.count == 7 else {
            FileHandle.standardError.write(Data("relayctl: \(flag) must be a month such as 2026-11\n".utf8))
            throw ExitCode(64)
        }
        return date
    }

    static func text(_ measures: JSONValue) -> String {
        func show(_ value: JSONValue?) -> String {
            switch value {
            case .number(let n)?: n.rounded() == n ? String(Int(n)) : String(n)
            case .string(let s)?: s
            default: "-"
            }
        }
        var lines = ["delivered reports: \(show(measures["delivered_reports"]))"]
        for (key, name) in [("days_to_first_update", "days to first police update"), ("days_to_outcome", "days to outcome")] {
            let m = measures[key]
            lines.append("\(name): reports \(show(m?["reports"])), median \(show(m?["median"])), p90 \(show(m?["p90"]))")
        }
        let columns = PoliceOutcome.Category.allCases.map(\.rawValue) + ["no_outcome_yet", "total"]
        for (key, rowName) in [("outcomes_by_month", "month"), ("outcomes_by_community", "community"), ("outcomes_by_strand", "strand")] {
            lines.append("")
            lines.append(([rowName] + columns).joined(separator: "\t"))
            for row in (measures[key]?["rows"]?.arrayValue ?? []) + [measures[key]?["total"] ?? .null] {
                lines.append(([row[rowName]?.stringValue ?? "total"] + columns.map { show(row[$0]) }).joined(separator: "\t"))
            }
        }
        return lines.joined(separator: "\n")
    }
}
