import NIOConcurrencyHelpers

/// The bytes that request bodies in flight may hold in memory together (`limits.body_budget_bytes`).
/// A request reserves what it may read (its declared length, or the body limit) before reading
/// and gives it back when done; when the budget is spent, new requests are refused with 503
/// rather than letting many slow bodies grow the process without bound.
public final class BodyBudget: Sendable {
    private let used = NIOLockedValueBox(0)
    public let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// Reserves `bytes`; false if that would pass the capacity.
    public func reserve(_ bytes: Int) -> Bool {
        used.withLockedValue { used in
            guard used + bytes <= capacity else { return false }
            used += bytes
            return true
        }
    }

    public func release(_ bytes: Int) {
        used.withLockedValue { $0 = max(0, $0 - bytes) }
    }

    /// Bytes reserved now.
    public var inUse: Int { used.withLockedValue { $0 } }
}
