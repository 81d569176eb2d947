import Foundation
import RelayApplication
import RelayConfig
import RelayCore
import RelayStore

/// What the request handlers need: configuration, store, keys, principals and a clock.
public struct RelayServices: Sendable {
    public var configuration: RelayConfiguration
    public var database: RelayDatabase
    public var keys: RelayKeys
    public var registry: PrincipalRegistry
    /// The clock; injected so that tests can move time.
    public var now: @Sendable () -> Date
    /// Set when graceful shutdown begins.
    public var drain = DrainState()
    /// Memory held by request bodies in flight.
    public let bodyBudget: BodyBudget
    /// Per-principal request rates.
    public let rateLimiter: RateLimiter
    /// Open connections on the API listener, and on the operations listener (its own budget).
    public let connections: ConnectionLimiter
    public let opsConnections: ConnectionLimiter
    /// The verified client of each open API connection.
    public let peerIdentities = PeerIdentities()
    /// The API listener's TLS context and revocations (replaced on reload).
    public let tls: TLSState
    /// Prometheus metrics (`GET /metrics` on the operations listener).
    public let metrics = RelayMetrics()
    /// The configuration file a reload reads again (`nil`: reload only with a given configuration).
    public let configurationPath: String?
    /// The use cases the handlers call.
    public var application: RelayApplication {
        RelayApplication(store: database, keys: keys, registry: registry, queuePolicy: queuePolicy, now: now)
    }

    public init(configuration: RelayConfiguration, database: RelayDatabase, keys: RelayKeys, registry: PrincipalRegistry,
                configurationPath: String? = nil, now: @escaping @Sendable () -> Date = Date.init) throws {
        self.configuration = configuration
        self.configurationPath = configurationPath
        self.tls = TLSState(try TLSMaterial(configuration))
        self.database = database
        self.keys = keys
        self.registry = registry
        self.now = now
        self.bodyBudget = BodyBudget(capacity: configuration.limits.bodyBudgetBytes)
        self.rateLimiter = RateLimiter(rates: configuration.limits.rates)
        self.connections = ConnectionLimiter(capacity: configuration.limits.maxConnections)
        self.opsConnections = ConnectionLimiter(capacity: configuration.limits.opsMaxConnections)
        database.observeGroupCommits { [metrics] size in metrics.groupCommit(size: size) }
    }

    var queuePolicy: QueuePolicy { QueuePolicy(maxAttempts: configuration.queue.maxAttempts) }

    /// Writes one audit entry per principal that had requests refused for its rate since the
    /// last call, with the count (never one entry per refused request).
    public func recordRateLimitSummaries() async throws {
        for (id, role, count) in rateLimiter.drainRefusals() {
            try await database.record(AuditActor(id: id, role: AuditActor.Role(rawValue: role) ?? .unknown).event(
                .rateLimited, details: ["refused": .integer(count), "window_seconds": 60]), at: now())
        }
    }
}
