import ArgumentParser
import Crypto
import Foundation
import RelayClient
import RelayCore

@main
struct Relay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "ReportRelay client for centres and police intake.",
        discussion: """
            Connection settings come from flags, else RELAY_SERVER, RELAY_CERT, RELAY_KEY, RELAY_CA, \
            RELAY_INTAKE_KEY, RELAY_CENTRE_KEY, RELAY_STATE, else a JSON profile (--profile or RELAY_PROFILE).
            Exit codes: 0 done; 1 failed; 3 the relay refused (see the message); 4 the relay could not be \
            reached (submissions stay spooled: run `relay flush`); 5 a signature did not verify; 64 usage.
            """,
        subcommands: [Submit.self, Preview.self, Flush.self, Status.self, Receipts.self, ConsentCommand.self, Updates.self, Lease.self, Ack.self, Nack.self, Update.self, Whoami.self, Keygen.self])
}

/// Connection flags shared by every networked command.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Profile file (JSON with server, cert, key, ca, intake_key, centre_key, state).") var profile: String?
    @Option(help: "Relay URL, e.g. https://relay.example:8443.") var server: String?
    @Option(help: "Client certificate (PEM).") var cert: String?
    @Option(help: "Client private key (PEM).") var key: String?
    @Option(help: "CA bundle the relay's certificate must chain to (PEM).") var ca: String?
    @Option(help: "Intake X25519 private key file (intakes).") var intakeKey: String?
    @Option(help: "Centre X25519 private key file, to read case update messages (centres).") var centreKey: String?
    @Option(help: "State directory (spool, receipts, cursors).") var state: String?

    func resolve() throws -> ClientProfile {
        try ClientProfile.resolve(.init(profile: profile, server: server, certificate: cert, privateKey: key, caBundle: ca,
                                        intakeKey: intakeKey, centreKey: centreKey, stateDirectory: state))
    }
}

/// Runs a command body, turning client errors into a message and an exit code a caseworker can act on.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("relay: \(error)\n".utf8))
        switch error {
        case .usage: throw ExitCode(64)
        case .rejected: throw ExitCode(3)
        case .unreachable: throw ExitCode(4)
        case .verification: throw ExitCode(5)
        }
    }
}

/// Opens an API client for the duration of `body`.
func withAPI<T>(_ profile: ClientProfile, _ body: (RelayAPIClient) async throws -> T) async throws -> T {
    let api = try RelayAPIClient(profile: profile)
    do {
        let result = try await body(api)
        await api.shutdown()
        return result
    } catch {
        await api.shutdown()
        throw error
    }
}

func printJSON(_ value: JSONValue) {
    print(value.canonicalString)
}
