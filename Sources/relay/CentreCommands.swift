import ArgumentParser
import Foundation
import RelayAPI
import RelayClient
import RelayCore

struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate, seal and submit report files (each is spooled first and kept until the relay accepts it).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Report files (schema reportrelay/report/v1).") var files: [String]

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let centre = CentreClient(api: api, stateDirectory: profile.stateDirectory)
                guard let (keys, fresh) = try await centre.keys() else {
                    throw ClientError.unreachable("cannot reach the relay to fetch its keys and none are cached from an earlier run, so nothing was spooled; check the connection and try again")
                }
                if !fresh {
                    FileHandle.standardError.write(Data("relay: the relay is unreachable; sealing with its keys cached from an earlier run\n".utf8))
                }
                var worst: ClientError?
                for file in files {
                    guard let data = FileManager.default.contents(atPath: file) else {
                        throw ClientError.usage("cannot read \(file)")
                    }
                    let entry: Spool.Entry
                    do {
                        entry = try centre.prepare(reportBytes: data, keys: keys)
                    } catch let error as ClientError {
                        throw ClientError.usage("\(file): \(error)")
                    }
                    switch try await centre.send(entry, keys: keys) {
                    case .accepted(let status, let acceptance):
                        print("\(file): \(status == 201 ? "accepted" : "already accepted") as \(entry.reportID.lowercasedString), status \(acceptance.status.rawValue)")
                    case .rejected(let error):
                        FileHandle.standardError.write(Data("relay: \(file): \(error)\n".utf8))
                        worst = worst ?? error
                    case .unreachable(let error):
                        FileHandle.standardError.write(Data("relay: \(file): spooled as \(entry.reportID.lowercasedString), not yet sent: \(error)\n".utf8))
                        if case .rejected = worst {} else { worst = error }
                    }
                }
                if let worst { throw worst }
            }
        }
    }
}

struct Flush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Send everything in the spool, retrying with backoff.")
    @OptionGroup var connection: ConnectionOptions
    @Option(help: "Rounds to try before giving up.") var attempts = 5
    @Option(help: "First backoff in seconds (doubles each round, at most 60).") var backoff = 1.0

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let centre = CentreClient(api: api, stateDirectory: profile.stateDirectory)
                var delay = backoff
                for round in 1...max(1, attempts) {
                    let pending = try centre.spool.pending()
                    if pending.isEmpty {
                        print("spool empty")
                        return
                    }
                    var lastError: ClientError?
                    if let (keys, _) = try await centre.keys() {
                        for entry in pending {
                            switch try await centre.send(entry, keys: keys) {
                            case .accepted(let status, _):
                                print("\(entry.reportID.lowercasedString): \(status == 201 ? "accepted" : "already accepted")")
                            case .rejected(let error):
                                FileHandle.standardError.write(Data("relay: \(entry.reportID.lowercasedString): moved to spool/rejected: \(error)\n".utf8))
                            case .unreachable(let error):
                                lastError = error
                            }
                        }
                    } else {
                        lastError = .unreachable("could not reach the relay")
                    }
                    if lastError == nil { continue }
                    if round < attempts {
                        FileHandle.standardError.write(Data("relay: round \(round) left reports spooled; retrying in \(Int(delay)) s\n".utf8))
                        try await Task.sleep(for: .seconds(delay))
                        delay = min(delay * 2, 60)
                    }
                }
                let left = try centre.spool.pending().count
                if left > 0 { throw ClientError.unreachable("\(left) report(s) still spooled; run `relay flush` again later") }
                print("spool empty")
            }
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a report's status.")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Report id.") var id: String

    func run() async throws {
        try await runReporting {
            guard UUID(canonical: id) != nil else { throw ClientError.usage("\(id) is not a report id (a UUID)") }
            let profile = try connection.resolve()
            try await withAPI(profile) { api in printJSON(try await api.call(.GET, "/v1/reports/\(id.lowercased())").body) }
        }
    }
}

struct Receipts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch new receipts, verify every signature against /v1/keys, save them under STATE/receipts/.")
    @OptionGroup var connection: ConnectionOptions
    @Flag(help: "Also fetch each receipt's inclusion proof and check it against a checkpoint signed by the relay.") var prove = false
    @Flag(help: "Fetch every receipt again, not only those after the saved cursor.") var fromStart = false

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let centre = CentreClient(api: api, stateDirectory: profile.stateDirectory)
                guard let (keys, _) = try await centre.keys() else { throw ClientError.unreachable("cannot reach the relay") }
                let (receipts, failures) = try await centre.collectReceipts(keys: keys, fromStart: fromStart)
                var unproved = 0
                for receipt in receipts {
                    let r = receipt.receipt
                    var line = [r["type"], r["report_id"], r["at"], r["police_reference"]].compactMap { $0?.stringValue }.joined(separator: "  ") + "  signature ok"
                    if prove {
                        do {
                            let size = try await centre.prove(receipt, keys: keys)
                            line += "  in audit log (checkpoint size \(size))"
                        } catch let error as ClientError {
                            unproved += 1
                            line += "  NOT PROVED: \(error)"
                        }
                    }
                    print(line)
                }
                if unproved > 0 { throw ClientError.verification("\(unproved) receipt(s) could not be proved to be in the audit log") }
                print("\(receipts.count) receipt(s) verified")
                if failures > 0 { throw ClientError.verification("\(failures) receipt(s) failed signature verification; they were not saved") }
            }
        }
    }
}

struct Whoami: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show which principal the certificate identifies.")
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await runReporting {
            let profile = try connection.resolve()
            try await withAPI(profile) { api in printJSON(try await api.call(.GET, "/v1/whoami").body) }
        }
    }
}

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Vary or withdraw the victim's consent for a report (stats_only withdraws it from police).")
    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "Report id.") var id: String
    @Option(help: "stats_only, anonymous, identity or identity_and_contact.") var level: String
    @Flag(help: "The victim agrees to share demographics (special-category data).") var shareDemographics = false
    @Option(help: "How consent was given: in_person, phone, online, letter or interpreter.") var method: String
    @Option(help: "Caseworker reference (not a name).") var recordedBy: String?

    func run() async throws {
        try await runReporting {
            guard UUID(canonical: id) != nil else { throw ClientError.usage("\(id) is not a report id (a UUID)") }
            guard ConsentLevel(rawValue: level) != nil else {
                throw ClientError.usage("--level must be one of \(ConsentLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard Vocabulary.consentMethods.contains(method) else {
                throw ClientError.usage("--method must be one of \(Vocabulary.consentMethods.sorted().joined(separator: ", "))")
            }
            var consent: [String: JSONValue] = [
                "level": .string(level), "share_demographics": .bool(shareDemographics), "method": .string(method),
                "recorded_at": .string(RFC3339.format(Date())),
            ]
            if let recordedBy { consent["recorded_by"] = .string(recordedBy) }
            let profile = try connection.resolve()
            try await withAPI(profile) { api in
                let change = try await api.call(.PUT, "/v1/reports/\(id.lowercased())/consent", sending: V1.ConsentChangeRequest(consent: .object(consent)),
                                                as: V1.ConsentChange.self).answer
                print("\(id.lowercased()): consent \(change.consentLevel.rawValue), effect \(change.effect), status \(change.status.rawValue)")
            }
        }
    }
}
