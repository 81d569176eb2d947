import Foundation

/// A token bucket: `burst` requests at once, refilled at `perSecond`. A pure decision: the
/// caller passes the time and keeps the bucket.
public struct TokenBucket: Sendable, Equatable {
    /// A rate: sustained requests a second and the burst allowed on top.
    public struct Rate: Sendable, Equatable {
        public var perSecond: Double
        public var burst: Int

        public init(perSecond: Double, burst: Int) {
            self.perSecond = perSecond
            self.burst = burst
        }
    }

    public let rate: Rate
    public private(set) var tokens: Double
    public private(set) var updated: Date

    /// A full bucket at `now`.
    public init(rate: Rate, now: Date) {
        self.rate = rate
        self.tokens = Double(rate.burst)
        self.updated = now
    }

    /// Takes a token for a request at `now`: `nil` if it may go ahead, else the seconds (rounded
    /// up, at least 1) until a token will be there.
    public mutating func take(at now: Date) -> Int? {
        let elapsed = max(0, now.timeIntervalSince(updated))
        tokens = min(Double(rate.burst), tokens + elapsed * rate.perSecond)
        updated = max(updated, now)
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        let wait = (1 - tokens) / max(rate.perSecond, 0.000_001)
        return max(1, Int(wait.rounded(.up)))
    }
}
