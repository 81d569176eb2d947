import ArgumentParser
import Foundation
import RelayApplication
import RelayConfig
import RelayCore
import RelayStore

struct Purge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove sealed bodies past their retention now (relayd also does it on a schedule); --dry-run only counts.",
        discussion: """
            By the configuration's retention: originals of delivered reports, delivered police views, dead letters, and \
            reports whose consent was withdrawn. Rows keep their ids, states, times, receipts and audit; the bodies are \
            overwritten in the database file. Safe while relayd runs. A real run is one `purge` audit entry.
            """)
    @OptionGroup var store: StoreOptions
    @Flag(help: "Count what would be removed; change nothing.") var dryRun = false
    @Option(help: "Purge as of this time (RFC 3339; default now), e.g. to see what a future run would remove.") var now: String?

    func run() async throws {
        try await reportingConfigurationErrorsAsync {
            let retention = try RelayConfiguration.load(path: store.config).retention
            let at = try now.map { text in
                guard let date = RFC3339.parse(text) else {
                    throw ConfigurationError(key: "--now", problem: "is not an RFC 3339 time", fix: "e.g. --now 2027-01-01T00:00:00Z")
                }
                return date
            } ?? Date()
            let cutoffs = PurgeCutoffs(retention, now: at)
            guard !cutoffs.isEmpty else {
                print("no retention is configured (retention: in the configuration); nothing to purge")
                return
            }
            let counts = try await store.open(writing: !dryRun).database.purge(cutoffs, actor: .localAdmin, now: at, dryRun: dryRun)
            for (key, value) in counts.jsonValue.objectValue!.sorted(by: { $0.key < $1.key }) {
                print("\(key): \(Int(value.numberValue ?? 0))")
            }
            print(dryRun ? "dry run: \(counts.total) sealed bodies would be removed" : "\(counts.total) sealed bodies removed")
            if !counts.walEmptied {
                FileHandle.standardError.write(Data("relayctl: the WAL could not be emptied (a long-running reader); old copies of the purged bodies stay in the -wal file until relayd's next checkpoint\n".utf8))
            }
        }
    }
}
