import Foundation
import Logging
import RelayApplication
import RelayCore
import RelayStore
import ServiceLifecycle

/// Removes sealed bodies past their retention (`retention:`) at start and then every
/// `retention.interval_hours`; each run that removes something is one `purge` audit entry.
struct PurgeService: Service {
    let services: RelayServices
    let logger: Logger

    func run() async throws {
        let retention = services.configuration.retention
        guard !PurgeCutoffs(retention, now: services.now()).isEmpty else {
            // Nothing to purge; a service that returned would end the whole group, so wait.
            try? await gracefulShutdown()
            return
        }
        let interval = Duration.seconds(retention.intervalHours * 3600)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.purge()
                try? await Task.sleep(for: interval)
            }
        }
    }

    func purge() async {
        do {
            let now = services.now()
            let counts = try await services.database.purge(PurgeCutoffs(services.configuration.retention, now: now), actor: .relay, now: now, dryRun: false)
            if counts.total > 0 { logger.notice("purged sealed bodies past their retention", metadata: ["relay.removed": "\(counts.total)"]) }
            if !counts.walEmptied { logger.warning("purge: the WAL could not be emptied; old copies of purged bodies stay in it until a later checkpoint") }
        } catch is CancellationError {
        } catch {
            logger.error("purge failed; will retry at the next interval", metadata: ["relay.error": "\(type(of: error))"])
        }
    }
}
