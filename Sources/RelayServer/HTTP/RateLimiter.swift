import Foundation
import NIOConcurrencyHelpers
import RelayConfig
import RelayCore

/// Per-principal token buckets (`limits.rate` per role, `rate` on a principal to override), and
/// the count of requests each principal had refused, for the audit summary.
public final class RateLimiter: Sendable {
    private struct State {
        var buckets: [String: TokenBucket] = [:]
        var refused: [String: (role: String, count: Int)] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let rates: NIOLockedValueBox<[Principal.Role: TokenBucket.Rate]>

    public init(rates: [Principal.Role: TokenBucket.Rate]) { self.rates = NIOLockedValueBox(rates) }

    /// New per-role rates (a reload); a principal whose rate changed starts a fresh bucket.
    public func replaceRates(_ rates: [Principal.Role: TokenBucket.Rate]) { self.rates.withLockedValue { $0 = rates } }

    /// `nil` if `principal` may make a request at `now`, else the seconds to wait.
    public func take(_ principal: Principal, now: Date) -> Int? {
        guard let rate = principal.rate ?? rates.withLockedValue({ $0[principal.role] }) else { return nil }
        return state.withLockedValue { state in
            var bucket = state.buckets[principal.id].flatMap { $0.rate == rate ? $0 : nil } ?? TokenBucket(rate: rate, now: now)
            let wait = bucket.take(at: now)
            state.buckets[principal.id] = bucket
            if wait != nil { state.refused[principal.id, default: (principal.role.rawValue, 0)].count += 1 }
            return wait
        }
    }

    /// The refusals counted since the last call, by principal, and a fresh count.
    public func drainRefusals() -> [(id: String, role: String, count: Int)] {
        state.withLockedValue { state in
            defer { state.refused = [:] }
            return state.refused.map { (id: $0.key, role: $0.value.role, count: $0.value.count) }.sorted { $0.id < $1.id }
        }
    }
}
