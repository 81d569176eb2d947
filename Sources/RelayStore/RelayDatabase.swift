import Foundation
import GRDB
import RelayCore

/// The relay's one database: a `DatabasePool` over a SQLite file in WAL mode with
/// `synchronous = FULL`, and named, transactional operations on it.
public final class RelayDatabase: Sendable {
    let pool: DatabasePool
    let signer: ReceiptSigner

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String, signer: ReceiptSigner) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        // DatabasePool sets synchronous = NORMAL on its writer after prepareDatabase runs
        // (SWIFT-NOTES.md): a 201 must mean the commit reached the disk, so set it back.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        try Migrations.migrator.migrate(pool)
        self.pool = pool
        self.signer = signer
    }

    /// The writer connection's `synchronous` setting (2 = FULL), for checks and tests.
    public func writerSynchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// The journal mode (`wal` expected).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Whether the store accepts writes (for `/readyz`).
    public func isWritable() async -> Bool {
        do {
            try await pool.write { db in try db.execute(sql: "PRAGMA user_version") }
            return true
        } catch {
            return false
        }
    }

    /// Milliseconds since 1970: the store's representation of time.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded(.down)) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

/// Errors from the store. They carry ids and states, never report content.
public enum StoreError: Error, Sendable, Equatable {
    /// The lease token is not the item's current one (or the lease has ended).
    case staleLease
    /// No such delivery for this intake.
    case unknownDelivery
}
