import Foundation
import RelayCore
import Testing

@Suite("Token bucket (per-principal rate limit decisions)")
struct TokenBucketTests {
    @Test("a burst goes through, the next waits for the refill, and the wait is given in whole seconds")
    func burstAndRefill() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var bucket = TokenBucket(rate: .init(perSecond: 2, burst: 3), now: start)
        #expect((0..<3).map { _ in bucket.take(at: start) } == [nil, nil, nil])
        #expect(bucket.take(at: start) == 1, "empty: half a second to the next token, rounded up")
        #expect(bucket.take(at: start.addingTimeInterval(0.5)) == nil, "refilled at 2 a second")
        #expect(bucket.take(at: start.addingTimeInterval(0.5)) == 1)
        // A long pause refills to the burst, not beyond.
        let later = start.addingTimeInterval(3600)
        #expect((0..<4).map { _ in bucket.take(at: later) } == [nil, nil, nil, 1])
    }

    @Test("a slow rate gives a longer wait; a clock going backwards adds no tokens")
    func slowRate() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        var bucket = TokenBucket(rate: .init(perSecond: 0.1, burst: 1), now: start)
        #expect(bucket.take(at: start) == nil)
        #expect(bucket.take(at: start) == 10)
        #expect(bucket.take(at: start.addingTimeInterval(-100)) == 10)
    }
}
