import Foundation
import Logging
import ServiceLifecycle

/// Once a minute (and at graceful shutdown), one `rate_limited` audit entry per principal that
/// had requests refused for its rate, with the count; and a warning with the number of
/// connections refused or evicted at a listener's connection cap, if any were.
struct RateLimitAuditService: Service {
    let services: RelayServices
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await self.record()
            }
        }
        await record()
    }

    func record() async {
        for (listener, limiter) in [("api", services.connections), ("ops", services.opsConnections)] {
            let counts = limiter.drainCounts()
            if counts.refused + counts.evicted > 0 {
                logger.warning("connection cap reached", metadata: [
                    "relay.listener": "\(listener)", "relay.refused": "\(counts.refused)",
                    "relay.evicted_in_handshake": "\(counts.evicted)", "relay.capacity": "\(limiter.capacity)",
                ])
            }
        }
        do {
            try await services.recordRateLimitSummaries()
        } catch {
            logger.error("rate-limit summary not recorded", metadata: ["relay.error": "\(type(of: error))"])
        }
    }
}
