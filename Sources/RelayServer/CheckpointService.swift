import Foundation
import Logging
import RelayCore
import ServiceLifecycle

/// Signs a checkpoint of the audit log on a schedule (`checkpoint_interval_seconds`) whenever the
/// log has grown, and once more at graceful shutdown.
struct CheckpointService: Service {
    let services: RelayServices
    let logger: Logger

    func run() async throws {
        let interval = Duration.seconds(services.configuration.checkpointIntervalSeconds)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.checkpoint()
                try? await Task.sleep(for: interval)
            }
        }
        await checkpoint()
    }

    func checkpoint() async {
        do {
            try await services.database.checkpoint(origin: services.configuration.checkpointOrigin, key: services.keys.signingKey, now: services.now())
        } catch is CancellationError {
            // Shutting down before a checkpoint could be written: the next start signs one.
        } catch {
            logger.error("checkpoint failed", metadata: ["relay.error": "\(type(of: error))"])
        }
    }
}
