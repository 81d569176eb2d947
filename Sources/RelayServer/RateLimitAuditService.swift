import Foundation
import Logging
import ServiceLifecycle

/// Once a minute (and at graceful shutdown), one `rate_limited` audit entry per principal that
/// had requests refused for its rate, with the count.
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
        do {
            try await services.recordRateLimitSummaries()
        } catch {
            logger.error("rate-limit summary not recorded", metadata: ["relay.error": "\(type(of: error))"])
        }
    }
}
