import ArgumentParser
import Foundation
import RelayConfig
import RelayDevPKI

@main
struct Relayctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relayctl",
        abstract: "ReportRelay administration: PKI, keys and the audit log.",
        subcommands: [PKI.self, Keys.self, Audit.self, Outcomes.self, Stats.self, Reload.self, Purge.self, Backup.self, Restore.self])
}

/// Runs a body, printing configuration errors with their fix and exiting 78 (EX_CONFIG).
func reportingConfigurationErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ConfigurationError {
        FileHandle.standardError.write(Data("relayctl: \(error)\n".utf8))
        throw ExitCode(78)
    }
}

struct PKI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pki", abstract: "Development PKI.", subcommands: [Init.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a development CA, a server certificate for localhost and 127.0.0.1, a client certificate and `relay` profile per principal, and an HPKE key pair per intake (only what is missing).")
        @Option(help: "Configuration file naming the principals and TLS paths.") var config = "config/relayd.example.yaml"
        @Option(help: "Directory for the PKI (default: dev_pki.directory of the configuration, else certs/dev).") var dir: String?

        func run() async throws {
            try reportingConfigurationErrors {
                let configuration = try RelayConfiguration.load(path: config)
                let directory = dir ?? configuration.devPKI?.directory ?? "certs/dev"
                let written = try DevPKI.ensure(configuration: configuration, directory: directory)
                written.forEach { print("wrote \($0)") }
                print(written.isEmpty ? "nothing to do: every file exists in \(directory)" : "\(written.count) file(s) written; private keys are mode 0600")
            }
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "The relay's own keys.",
                                                    subcommands: [Init.self, List.self, Rotate.self, Retire.self])

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the envelope (X25519), signing (Ed25519) and pseudonym (HMAC) keys, mode 0600, keeping any that exist.")
        @Option(help: "Key directory (default: key_directory of the configuration).") var dir: String?
        @Option(help: "Configuration file.") var config = "config/relayd.example.yaml"

        func run() async throws {
            try reportingConfigurationErrors {
                let directory = try dir ?? RelayConfiguration.load(path: config).keyDirectory
                let written = try RelayKeys.initialise(directory: directory)
                written.forEach { print("wrote \($0)") }
                print(written.isEmpty ? "nothing to do: every key exists in \(directory)" : "\(written.count) key file(s) written (mode 0600)")
            }
        }
    }
}
