import ArgumentParser
import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// `relayctl backup FILE`: a consistent copy while the daemon runs, verified before it is kept.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database consistently while relayd runs (VACUUM INTO), then verify the copy's audit log.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The backup file to create (must not exist; written mode 0600).") var file: String

    func run() async throws {
        try await reportingConfigurationErrorsAsync {
            let opened = try store.open()
            guard !FileManager.default.fileExists(atPath: file) else {
                throw ConfigurationError(key: "FILE", problem: "\(file) already exists", fix: "name a new file; a backup never overwrites one")
            }
            try opened.database.backup(to: file)
            let result: AuditVerification
            do {
                result = try await verifiedCopy(file, keys: opened.keys, origin: opened.origin)
            } catch {
                try? FileManager.default.removeItem(atPath: file)
                throw error
            }
            guard result.isValid else {
                try? FileManager.default.removeItem(atPath: file)
                throw ConfigurationError(key: "FILE", problem: "the copy did not verify, so it was removed",
                                         fix: "run `relayctl audit verify` on the live database; if it verifies, run the backup again")
            }
            print("backup written to \(file): \(result.size) audit entries, verified; latest signed checkpoint covers \(result.checkpointSize ?? 0)")
        }
    }
}

/// `relayctl restore FILE`: replaces the database with a backup that verifies (relayd stopped).
struct Restore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replace the database with a backup, after checking that the backup's audit log verifies. Stop relayd first.")
    @OptionGroup var store: StoreOptions
    @Argument(help: "The backup file (from `relayctl backup`).") var file: String

    func run() async throws {
        try await reportingConfigurationErrorsAsync {
            let target = try store.databasePath()
            let keys = try store.loadKeys()
            guard FileManager.default.fileExists(atPath: file) else {
                throw ConfigurationError(key: "FILE", problem: "\(file) does not exist", fix: "give the file `relayctl backup` wrote")
            }
            let result = try await verifiedCopy(file, keys: keys, origin: try store.checkpointOrigin())
            guard result.isValid else {
                throw ConfigurationError(key: "FILE", problem: "the backup does not verify; nothing was replaced", fix: "restore another backup")
            }
            // Stage beside the target, then swap: the old WAL and shared memory belong to the old
            // file and must not be applied to the restored one.
            let staged = target + ".restoring"
            try? FileManager.default.removeItem(atPath: staged)
            try FileManager.default.copyItem(atPath: file, toPath: staged)
            chmod(staged, 0o600)
            for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            guard rename(staged, target) == 0 else {
                throw ConfigurationError(key: "database", problem: "cannot replace \(target)", fix: "check the directory is writable")
            }
            print("restored \(target) from \(file): \(result.size) audit entries, verified")
        }
    }
}

/// Opens a database copy read-only and verifies its audit log against the relay's signing key,
/// printing each problem found.
func verifiedCopy(_ file: String, keys: RelayKeys, origin: String) async throws -> AuditVerification {
    let copy: RelayDatabase
    do {
        copy = try RelayDatabase(path: file, signer: ReceiptSigner(key: keys.signingKey), readOnly: true)
    } catch {
        throw ConfigurationError(key: "FILE", problem: "\(file) is not a relay database of this version, so it was not used",
                                 fix: "give a file `relayctl backup` wrote")
    }
    let result = try await copy.verifyAudit(origin: origin, keys: keys.signingPublicKeys)
    result.problems.forEach { print("FAILED: \($0)") }
    return result
}
