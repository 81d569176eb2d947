import Foundation
import GRDB
import Logging
import RelayStore
import ServiceLifecycle

/// Copies the store's write-ahead log back into the database file every ``interval``
/// (``RelayDatabase/backfillWAL()``), on a connection of its own, so that no submit or ack waits
/// for that copy and its two syncs behind its own commit: under load the log is copied back in
/// passes of a few hundred pages while the writer goes on committing. Once more at graceful
/// shutdown. (SQLite's WAL checkpoint: not the audit log's signed checkpoints.)
struct WALBackfillService: Service {
    static let interval = Duration.milliseconds(100)

    let services: RelayServices
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                failing = await backfill(failing: failing)
                try? await Task.sleep(for: Self.interval)
            }
        }
        _ = await backfill(failing: false)
    }

    /// One pass; whether it failed. A failure is logged once until a pass succeeds again (the
    /// writer's own threshold keeps the log bounded meanwhile).
    func backfill(failing: Bool) async -> Bool {
        do {
            if let progress = try await services.database.backfillWAL() { services.metrics.walBackfilled(progress) }
            if failing { logger.notice("write-ahead log backfill recovered") }
            return false
        } catch is CancellationError {
            return failing
        } catch let error as DatabaseError where error.resultCode == .SQLITE_INTERRUPT {
            // Graceful shutdown cancelled the pass; the last pass runs after.
            return failing
        } catch {
            if !failing { logger.error("write-ahead log backfill failed", metadata: ["relay.error": "\(StoreError.failureReason(error))"]) }
            return true
        }
    }
}
