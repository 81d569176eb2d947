import Foundation
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

    public init(configuration: RelayConfiguration, database: RelayDatabase, keys: RelayKeys, registry: PrincipalRegistry,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.configuration = configuration
        self.database = database
        self.keys = keys
        self.registry = registry
        self.now = now
        self.bodyBudget = BodyBudget(capacity: configuration.limits.bodyBudgetBytes)
    }

    var queuePolicy: QueuePolicy { QueuePolicy(maxAttempts: configuration.queue.maxAttempts) }
}
