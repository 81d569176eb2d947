import ArgumentParser
import Foundation
import RelayConfig
import RelayCore
import RelayStore

extension Keys {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the relay's envelope and signing keys, and how many stored originals need each envelope key.")
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let directory = try store.keyDirectory()
                let needed = try await store.open().database.originalsByEnvelopeKey()
                for (index, file) in try RelayKeys.envelopeKeyFiles(directory: directory).enumerated() {
                    print("envelope  \(file.keyID)  \(index == 0 ? "current" : "older  ")  originals sealed to it: \(needed[file.keyID] ?? 0)")
                }
                let keys = try RelayKeys.load(directory: directory)
                for (index, key) in keys.signingPublicKeys.enumerated() {
                    print("signing   \(EnvelopeKeyID.of(key))  \(index == 0 ? "current" : "retired (public half kept, still published)")")
                }
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new envelope key, or replace the signing key; restart relayd (SIGTERM drains) to use it.",
            discussion: """
                envelope: a new X25519 key that /v1/keys lists first; older keys keep opening what was sealed to them until \
                retired. signing: a new Ed25519 key; the old one's private half is destroyed and its public half kept in \
                the key directory and published, so receipts and checkpoints it signed still verify.
                """)
        enum Kind: String, ExpressibleByArgument, CaseIterable { case envelope, signing }
        @Argument(help: "envelope or signing.") var kind: Kind
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let directory = try store.keyDirectory()
                switch kind {
                case .envelope:
                    print("new envelope key \(try RelayKeys.rotateEnvelope(directory: directory)); restart relayd to publish it")
                case .signing:
                    let (new, retired) = try RelayKeys.rotateSigning(directory: directory)
                    print("new signing key \(new); \(retired) retired (public half kept); restart relayd to sign with it")
                }
            }
        }
    }

    struct Retire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an older envelope key; refused while a stored original still needs it, unless --force.",
            discussion: "What was sealed to a retired key can never be opened again (no new police view after a consent change). Restart relayd afterwards.")
        @Argument(help: "The key id (see `relayctl keys list`).") var keyID: String
        @Flag(help: "Retire it even though stored originals still need it.") var force = false
        @OptionGroup var store: StoreOptions

        func run() async throws {
            try await reportingConfigurationErrorsAsync {
                let needed = try await store.open().database.originalsByEnvelopeKey()[keyID] ?? 0
                if needed > 0 && !force {
                    throw ConfigurationError(key: "key_directory", problem: "\(needed) stored original(s) are sealed to \(keyID); retiring it would leave them unopenable",
                                             fix: "wait until retention purges them (relayctl purge), or pass --force")
                }
                try RelayKeys.retireEnvelope(directory: try store.keyDirectory(), keyID: keyID)
                print("envelope key \(keyID) retired\(needed > 0 ? " (forced: \(needed) original(s) can no longer be opened)" : ""); restart relayd")
            }
        }
    }
}
