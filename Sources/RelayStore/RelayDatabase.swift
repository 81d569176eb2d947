import Foundation
import GRDB
import RelayCore

/// The relay's one database: a `DatabasePool` over a SQLite file in WAL mode with
/// `synchronous = FULL`, and named, transactional operations on it.
public final class RelayDatabase: Sendable {
    let pool: DatabasePool
    let journal: Journal
    let committer: GroupCommitter
    /// The connection that copies the write-ahead log back into the database file, when that is
    /// done in the background (``backfillWAL()``); `nil` when the writer does it as it commits.
    let backfiller: DatabaseQueue?

    /// Opens (creating if needed) the database at `path` and migrates it. `auditLog: false` exists
    /// only so the benchmark can measure what the log costs; the daemon always keeps it.
    /// `readOnly` opens an existing database for inspection (`relayctl audit verify`): nothing is
    /// created, migrated or written, and a schema older than this program's is refused.
    ///
    /// `backgroundBackfill`: SQLite's checkpoint (copying committed pages from the write-ahead log
    /// into the database file) is left to ``backfillWAL()``, called on a schedule by the caller on
    /// a connection of its own, instead of being run by the writer after whichever commit passes
    /// 1,000 pages of log — where the submitter whose commit it was waits for it, and every write
    /// queued behind. The writer keeps a far threshold (``inlineBackfillFrames``) as a safety
    /// net, should the scheduled backfill stop. (Not the audit log's signed checkpoints.)
    public init(path: String, signer: ReceiptSigner, auditLog: Bool = true, readOnly: Bool = false, backgroundBackfill: Bool = false) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        if readOnly {
            configuration.readonly = true
            let pool = try DatabasePool(path: path, configuration: configuration)
            guard try pool.read({ try Migrations.migrator.hasCompletedMigrations($0) }) else { throw StoreError.schemaOutdated }
            self.pool = pool
            let journal = Journal(signer: signer, enabled: auditLog)
            self.journal = journal
            self.committer = GroupCommitter { _ in throw StoreError.readOnly }
            self.backfiller = nil
            return
        }
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // Deleted content is overwritten, so that a purged body is gone from the file.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Savepoint journals and sorts stay in memory: no temporary files holding copies of
            // pages, and none of the I/O a sub-journal file costs on every grouped submit.
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        try Self.restrictPermissions(path)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // SQLite creates the -wal and -shm files with the database file's mode; make sure of it for
        // files left by an earlier run.
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            chmod(path + suffix, 0o600)
        }
        // DatabasePool sets synchronous = NORMAL on its writer after prepareDatabase runs
        // (SWIFT-NOTES.md): a 201 must mean the commit reached the disk, so set it back.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            if backgroundBackfill { try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.inlineBackfillFrames)") }
        }
        let migrating = try pool.read { try !Migrations.migrator.hasCompletedMigrations($0) }
        try Migrations.migrator.migrate(pool)
        if migrating {
            // A migration that rewrote tables (v8 copies every sealed body) leaves the write-ahead
            // log as long as what it wrote, and SQLite reuses the file without shrinking it: copy
            // it into the database now, while nothing else has the file open, and truncate it.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        }
        if backgroundBackfill {
            var backfill = Configuration()
            // A checkpoint syncs the log before copying and the database file after (in WAL mode
            // under NORMAL too); FULL, as the writer, so that nothing about syncing differs.
            backfill.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            self.backfiller = try DatabaseQueue(path: path, configuration: backfill)
        } else {
            self.backfiller = nil
        }
        self.pool = pool
        let journal = Journal(signer: signer, enabled: auditLog)
        self.journal = journal
        self.committer = GroupCommitter { [pool] submissions in try await Self.writeBatch(pool, journal: journal, submissions) }
    }

    /// A write transaction that may append to the audit log: `body` gets the journal with the
    /// tree's right edge for this transaction. The edge it ends with is kept for the next such
    /// transaction only after the commit has returned; any error forgets it (``AuditTailCache``).
    func journaledWrite<T: Sendable>(_ body: @escaping @Sendable (Database, Journal) throws -> T) async throws -> T {
        try await Self.journaledWrite(pool, journal, body)
    }

    /// ``journaledWrite(_:)`` for callers that hold the pool and journal, not the database.
    static func journaledWrite<T: Sendable>(_ pool: DatabasePool, _ journal: Journal,
                                            _ body: @escaping @Sendable (Database, Journal) throws -> T) async throws -> T {
        do {
            let (value, edge, version) = try await pool.write { db -> (T, AuditTail.State?, Int) in
                var scoped = journal
                var version = 0
                if journal.enabled { (scoped.tail, version) = try journal.tails.begin(db) }
                return (try body(db, scoped), scoped.tail?.state, version)
            }
            if let edge { journal.tails.committed(edge, dataVersion: version) }
            return value
        } catch {
            journal.tails.forget()
            throw error
        }
    }

    /// The database file is created (or set) mode 0600 before SQLite opens it, whatever the
    /// process umask: it holds sealed reports, receipts and the audit log.
    static func restrictPermissions(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT, 0o600)
        guard fd >= 0 else { throw StoreError.cannotOpen(path) }
        defer { close(fd) }
        fchmod(fd, 0o600)
    }

    /// A short read on the calling thread: GRDB's synchronous read runs the body in place on an
    /// idle reader connection, where the asynchronous one hands it to the reader's queue and the
    /// result back, two thread wake-ups. For indexed point reads on a request's path only. When
    /// all of the pool's readers (five) are held by long reads — the purge's selection,
    /// statistics — it blocks its cooperative thread until one is free; it cannot deadlock, as
    /// readers are released on GRDB's own queues.
    func readInPlace<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// The writer connection's settings, for checks and tests: `synchronous` (2 = FULL),
    /// `temp_store` (2 = MEMORY), `secure_delete` (1 = ON) and `wal_autocheckpoint` (pages of log
    /// after which the writer copies it back itself).
    public func writerSettings() throws -> (synchronous: Int, tempStore: Int, secureDelete: Int, walAutocheckpoint: Int) {
        try pool.writeWithoutTransaction { db in
            let value = { (pragma: String) in try Int.fetchOne(db, sql: "PRAGMA \(pragma)") ?? -1 }
            return (try value("synchronous"), try value("temp_store"), try value("secure_delete"), try value("wal_autocheckpoint"))
        }
    }

    /// With background backfill, the log length (in pages) at which the writer still copies the
    /// log back itself: ten times SQLite's default, about 40 MiB, reached only when
    /// ``backfillWAL()`` has not run for a while.
    public static let inlineBackfillFrames = 10_000

    /// How far the write-ahead log was copied back into the database file.
    public struct BackfillProgress: Sendable, Equatable {
        /// Pages in the log (since the writer last started it over).
        public var logFrames: Int
        /// Of those, the pages now in the database file.
        public var backfilledFrames: Int
    }

    /// Copies into the database file every committed page of the write-ahead log that no open
    /// read still needs (SQLite's PASSIVE checkpoint: it waits for no reader and blocks no
    /// writer), syncing the log before and the file after. On the background connection when
    /// there is one, else on the writer's. The writer starts the log over at its next commit once
    /// all of it is copied. `nil` when another copy was under way (a purge's, or the writer's own
    /// past ``inlineBackfillFrames``): SQLite runs one at a time.
    public func backfillWAL() async throws -> BackfillProgress? {
        let pass = { @Sendable (db: Database) throws -> BackfillProgress? in
            do {
                let (log, copied) = try db.checkpoint(.passive)
                return BackfillProgress(logFrames: log, backfilledFrames: copied)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return nil
            }
        }
        if let backfiller { return try await backfiller.writeWithoutTransaction(pass) }
        return try await pool.writeWithoutTransaction(pass)
    }

    /// The journal mode (`wal` expected).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// Whether the store can commit a write now (for `/readyz`): one small committed write to
    /// `store_probe`, so that a full disk or a read-only file system shows. `nil` when it can,
    /// else the reason (``StoreError/failureReason(_:)``).
    ///
    /// Also `disk_full` when the database's file system has less than ``minimumFreeBytes`` free:
    /// a small write can still commit into write-ahead log pages already on disk (the log is
    /// reused once copied back) when a report, which needs new pages, no longer can.
    public func writeProbe(now: Date) async -> String? {
        if let free = Self.freeBytes(onFileSystemOf: pool.path), free < Self.minimumFreeBytes { return "disk_full" }
        do {
            try await pool.write { db in
                try db.execute(sql: "INSERT OR REPLACE INTO store_probe (id, at) VALUES (1, ?)", arguments: [Self.millis(now)])
            }
            return nil
        } catch {
            return StoreError.failureReason(error)
        }
    }

    /// Free space below which the store reports itself full: room for a few dozen reports' pages.
    public static let minimumFreeBytes: UInt64 = 1 << 20

    /// Bytes an unprivileged writer can still use on the file system holding `path`.
    static func freeBytes(onFileSystemOf path: String) -> UInt64? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return UInt64(stats.f_bavail) * UInt64(stats.f_frsize)
    }

    /// Milliseconds since 1970: the store's representation of time. Rounded to the nearest, so
    /// that `millis(date(m)) == m` despite binary floating point.
    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
}

/// Errors from the store. They carry ids and states, never report content.
public enum StoreError: Error, Sendable, Equatable {
    /// The lease token is not the item's current one (or the lease has ended).
    case staleLease
    /// No such delivery for this intake.
    case unknownDelivery
    /// Only dead-lettered items can be requeued.
    case notDeadLetter
    /// The item's sealed body was purged (retention): it cannot be delivered any more.
    case bodyPurged
    /// The report changed state while a change to it was being prepared; prepare it again.
    case changedMeanwhile
    /// The database file cannot be created or opened (the path is given: it is no personal data).
    case cannotOpen(String)
    /// Opened read-only, the database's schema is older than this program's: it would need
    /// migrating, which a read-only opening never does.
    case schemaOutdated
    /// A write was asked of a database opened read-only.
    case readOnly
    /// A row holds a value outside its column's vocabulary (the column is named; no content).
    case damagedRow(column: String)

    /// The store's error for a refused queue event.
    init(_ refusal: DeliveryLifecycle.Refusal) {
        switch refusal {
        case .staleLease, .superseded, .stillHidden, .notQueued: self = .staleLease
        case .notDeadLetter: self = .notDeadLetter
        }
    }

    /// Whether `error` is SQLite's own (a failed statement, a full disk, a locked file), so that
    /// callers can answer "store unavailable" without depending on the database library.
    public static func isDatabaseFailure(_ error: any Error) -> Bool { error is DatabaseError }

    /// Why the store failed, in a word an operator can act on (never content): `disk_full`,
    /// `read_only`, `io_error`, `busy`, or `database_error`.
    public static func failureReason(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "database_error" }
        switch error.resultCode {
        case .SQLITE_FULL: return "disk_full"
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM: return "read_only"
        case .SQLITE_IOERR: return "io_error"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "busy"
        default: return "database_error"
        }
    }
}

/// What every state-changing operation needs inside its transaction: the receipt signer and the
/// audit log.
struct Journal: Sendable {
    let signer: ReceiptSigner
    let enabled: Bool
    /// The tree's right edge, kept between the writer's transactions.
    let tails = AuditTailCache()
    /// The edge of the transaction under way (set by ``RelayDatabase/journaledWrite(_:)``).
    var tail: AuditTail?

    /// Appends an audit entry; its index, or `nil` when the log is disabled (benchmark only).
    @discardableResult
    func record(_ db: Database, _ event: AuditEvent, at: Date) throws -> Int? {
        guard enabled else { return nil }
        guard let tail else { preconditionFailure("audit entries are appended inside journaledWrite, which sets the tail") }
        return try AuditLog.append(db, event, at: at, tail: tail).index
    }

    /// Where a signed receipt is kept: with its centre's receipts, or with an intake's.
    enum Ledger {
        case centre
        case intake
    }

    /// Records `event` for a receipt, then signs the receipt with the entry's index and stores it
    /// in `ledger`.
    func issue(_ db: Database, _ receipt: Receipt, event: AuditEvent, ledger: Ledger = .centre) throws -> SignedReceipt {
        var receipt = receipt
        var details = event.details.objectValue ?? [:]
        details["receipt_id"] = .string(receipt.receiptID.lowercasedString)
        details["receipt_type"] = .string(receipt.type.rawValue)
        details["payload_sha256"] = .string(receipt.payloadSHA256)
        var event = event
        event.details = .object(details)
        receipt.auditIndex = try record(db, event, at: receipt.at)
        let signed = try signer.sign(receipt)
        switch ledger {
        case .centre:
            try db.cachedStatement(sql: "INSERT INTO receipts (receipt_id, centre_id, report_id, type, body, audit_index) VALUES (?, ?, ?, ?, ?, ?)").execute(
                           arguments: [receipt.receiptID.lowercasedString, receipt.centreID, receipt.reportID.lowercasedString,
                                       receipt.type.rawValue, signed.jsonValue.canonicalString, receipt.auditIndex])
        case .intake:
            try db.cachedStatement(sql: """
                INSERT INTO intake_receipts (receipt_id, intake_id, report_id, update_id, type, body, audit_index) VALUES (?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [receipt.receiptID.lowercasedString, receipt.intakeID, receipt.reportID.lowercasedString,
                                         receipt.updateID?.lowercasedString, receipt.type.rawValue, signed.jsonValue.canonicalString, receipt.auditIndex])
        }
        return signed
    }
}
