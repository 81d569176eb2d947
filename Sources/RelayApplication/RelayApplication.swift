import Foundation
import RelayConfig
import RelayCore
import RelayStore

/// The relay's use cases, free of HTTP: submit, change consent, and the intake's queue
/// operations. Each takes typed input, returns typed output and refuses with a ``RelayError``
/// (or a store error); the server only reads requests, calls one of these, and writes responses.
public struct RelayApplication: Sendable {
    public let store: any RelayStorePort
    public let keys: RelayKeys
    public let registry: PrincipalRegistry
    public let queuePolicy: QueuePolicy
    /// The clock; injected so that tests can move time.
    public let now: @Sendable () -> Date

    public init(store: any RelayStorePort, keys: RelayKeys, registry: PrincipalRegistry, queuePolicy: QueuePolicy,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keys = keys
        self.registry = registry
        self.queuePolicy = queuePolicy
        self.now = now
    }
}

// MARK: Queue (the intake's side)

extension RelayApplication {
    public func lease(intakeID: String, max: Int, duration: TimeInterval) async throws -> [LeasedItem] {
        try await store.lease(intakeID: intakeID, max: max, duration: duration, now: now(), policy: queuePolicy)
    }

    public func ack(intakeID: String, _ acks: [AckRequest]) async throws -> [AckResult] {
        try await store.ack(intakeID: intakeID, acks: acks, now: now(), policy: queuePolicy)
    }

    public func nack(intakeID: String, deliveryID: String, leaseToken: String, retryAfter: TimeInterval) async throws {
        try await store.nack(intakeID: intakeID, deliveryID: deliveryID, leaseToken: leaseToken, retryAfter: retryAfter, now: now(), policy: queuePolicy)
    }

    public func extend(intakeID: String, deliveryID: String, leaseToken: String, duration: TimeInterval) async throws -> Date {
        try await store.extend(intakeID: intakeID, deliveryID: deliveryID, leaseToken: leaseToken, duration: duration, now: now(), policy: queuePolicy)
    }
}
