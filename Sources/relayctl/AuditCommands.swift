import ArgumentParser
import Foundation
import RelayAPI
import RelayApplication
import RelayConfig
import RelayCore
import RelayStore

/// Where `relayctl` finds the database and keys: the configuration, or explicit overrides.
struct StoreOptions: ParsableArguments {
    @Option(help: "Configuration file.") var config = "config/relayd.example.yaml"
    @Option(help: "Database file (default: the configuration's).") var database: String?
    @Option(help: "Key directory (default: the configuration's).") var keys: String?
    @Option(help: "Checkpoint origin (default: the configuration's).") var origin: String?

    struct Opened {
        var database: RelayDatabase
        var keys: RelayKeys
        var origin: String
    }

    /// The configuration, read only when some path is not given explicitly.
    private func configuration() throws -> RelayConfiguration? {
        database == nil || keys == nil || origin == nil ? try RelayConfiguration.load(path: config) : nil
    }

    func databasePath() throws -> String { try database ?? configuration()!.databasePath }
    func keyDirectory() throws -> String { try keys ?? configuration()!.keyDirectory }
    func loadKeys() throws -> RelayKeys { try RelayKeys.load(directory: keys ?? configuration()!.keyDirectory) }
    func checkpointOrigin() throws -> String { try origin ?? configuration()!.checkpointOrigin }

    /// Opens the relay's database: read-only (never created, migrated or written) unless the
    /// command writes (`requeue`, `checkpoint --new`).
    func open(writing: Bool = false) throws -> Opened {
        let configuration = try configuration()
        let databasePath = database ?? configuration!.databasePath
        guard FileManager.default.fileExists(atPath: databasePath) else {
            throw ConfigurationError(key: "database", problem: "\(databasePath) does not exist", fix: "pass --database or --config naming the relay's database")
        }
        let loaded = try RelayKeys.load(directory: keys ?? configuration!.keyDirectory)
        let database: RelayDatabase
        do {
            database = try RelayDatabase(path: databasePath, signer: ReceiptSigner(key: loaded.signingKey), readOnly: !writing)
        } catch StoreError.schemaOutdated {
            throw ConfigurationError(key: "database", problem: "\(databasePath) has an older schema than this relayctl",
                                     fix: "start relayd once (it migrates the database at start), then run this again")
        }
        return Opened(database: database, keys: loaded, origin: origin ?? configuration!.checkpointOrigin)
    }
}

struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Read and verify the tamper-evident audit log (local administrator on the relay host).",
        subcommands: [Entries.self, Report.self, Deliveries.self, Requeue.self, CheckpointCommand.self, Verify.self])

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, jsonl, csv }

    struct Entries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries (filters combine).")
        @OptionGroup var store: StoreOptions
        @Option(help: "Only entries with index greater than this.") var after = -1
        @Option(help: "Most entries to print.") var limit = 1000
        @Option(help: "Only this actor (principal id, relay, local-admin).") var actor: String?
        @Option(help: "Only this action (submission, consent, lease, ack, ...).") var action: String?
        @Option(help: "Only entries about this report id.") var report: String?
        @Option(help: "Only entries at or after this RFC 3339 time.") var from: String?
        @Option(help: "Only entries before this RFC 3339 time.") var to: String?
        @Option(help: "table, jsonl or csv.") var format: Format = .table

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let opened = try store.open()
                let fromDate = try from.map { try parseTime($0, option: "--from") }
                let toDate = try to.map { try parseTime($0, option: "--to") }
                let entries = try await opened.database.auditEntries(after: after, limit: limit, actor: actor, action: action,
                                                                     reportID: report?.lowercased(), from: fromDate, to: toDate)
                switch format {
                case .jsonl: entries.forEach { print($0.jsonValue.canonicalString) }
                case .csv:
                    print("index,at,actor,role,action,report_id,delivery_id,details")
                    for e in entries {
                        print([String(e.index), RFC3339.format(e.at, milliseconds: true), e.actor, e.role, e.action, e.reportID ?? "", e.deliveryID ?? "",
                               e.details.canonicalString].map(csvField).joined(separator: ","))
                    }
                case .table:
                    for e in entries {
                        print("\(e.index)\t\(RFC3339.format(e.at, milliseconds: true))\t\(e.actor)/\(e.role)\t\(e.action)\t\(e.reportID ?? "-")\t\(e.details.canonicalString)")
                    }
                }
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The consent and delivery history of one report (no content).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Report id.") var id: String

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let history = try await store.open().database.auditHistory(reportID: id.lowercased())
                guard !history.isEmpty else { throw ConfigurationError(key: "id", problem: "no audit entry names report \(id)", fix: "check the id") }
                for e in history {
                    print("\(RFC3339.format(e.at, milliseconds: true))\t\(e.action)\t\(e.actor)/\(e.role)\t\(e.details.canonicalString)")
                }
            }
        }
    }

    struct Deliveries: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delivery items in one state (default dead_letter).")
        @OptionGroup var store: StoreOptions
        @Option(help: "queued, leased, delivered, dead_letter, withdrawn, superseded.") var state = "dead_letter"
        @Option(help: "Most items.") var limit = 1000

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                guard let state = DeliveryState(rawValue: state) else {
                    throw ConfigurationError(key: "--state", problem: "is not a delivery state", fix: "use one of \(DeliveryState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                for record in try await store.open().database.deliveries(state: state, after: nil, limit: limit) {
                    print(String(decoding: record.item.object.bytes, as: UTF8.self))
                }
            }
        }
    }

    struct Requeue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Return a dead-lettered delivery to its queue (audited as local-admin).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Delivery id.") var deliveryID: String

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                do {
                    try await store.open(writing: true).database.requeue(deliveryID: deliveryID.lowercased(), actor: .localAdmin, now: Date())
                    print("\(deliveryID.lowercased()) requeued")
                } catch StoreError.unknownDelivery {
                    throw ConfigurationError(key: "delivery id", problem: "no such delivery", fix: "list them with `relayctl audit deliveries`")
                } catch StoreError.notDeadLetter {
                    throw ConfigurationError(key: "delivery id", problem: "that delivery is not dead-lettered", fix: "only dead letters can be requeued")
                } catch StoreError.bodyPurged {
                    throw ConfigurationError(key: "delivery id", problem: "its sealed police view was purged under the retention policy",
                                             fix: "the centre must submit the report again")
                }
            }
        }
    }

    struct CheckpointCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the latest signed checkpoint (with --new, sign one covering the whole log first).")
        @OptionGroup var store: StoreOptions
        @Flag(help: "Sign a new checkpoint if the log has grown.") var new = false

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let opened = try store.open(writing: new)
                let checkpoint = new
                    ? try await opened.database.checkpoint(origin: opened.origin, key: opened.keys.signingKey, now: Date())
                    : try await opened.database.latestCheckpoint()
                guard let checkpoint else {
                    throw ConfigurationError(key: "checkpoints", problem: "none has been signed yet", fix: "run `relayctl audit checkpoint --new`")
                }
                print(checkpoint.note, terminator: "")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the whole tree from the entries and check it against the stored hashes, every signed checkpoint and, with --against, a checkpoint saved earlier.")
        @OptionGroup var store: StoreOptions
        @Option(help: "A checkpoint note saved earlier (e.g. from `relayctl audit checkpoint` or GET /v1/audit/checkpoint).") var against: String?

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let opened = try store.open()
                var earlier: String?
                if let against {
                    guard let text = try? String(contentsOfFile: against, encoding: .utf8) else {
                        throw ConfigurationError(key: "--against", problem: "cannot read \(against)", fix: "give the path of a saved checkpoint note")
                    }
                    earlier = text
                }
                let result = try await opened.database.verifyAudit(origin: opened.origin, keys: opened.keys.signingPublicKeys, against: earlier)
                if result.isValid {
                    print("audit log verified: \(result.size) entries; latest signed checkpoint covers \(result.checkpointSize ?? 0)\(against == nil ? "" : "; consistent with \(against!)")")
                    return
                }
                if let index = result.firstBadIndex { print("first entry that does not match: \(index)") }
                result.problems.forEach { print("FAILED: \($0)") }
                throw ExitCode(1)
            }
        }
    }
}

func parseTime(_ text: String, option: String) throws -> Date {
    guard let date = RFC3339.parse(text) else {
        throw ConfigurationError(key: option, problem: "is not an RFC 3339 time", fix: "write it like 2026-11-20T18:30:00Z")
    }
    return date
}

func csvField(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}

/// The async form of ``reportingConfigurationErrors(_:)``.
func reportingConfigurationErrorsAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("relayctl: \(error)\n".utf8))
        throw ExitCode(78)
    }
}
