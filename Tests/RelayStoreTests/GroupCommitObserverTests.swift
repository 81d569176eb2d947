import Foundation
import NIOConcurrencyHelpers
import RelayStore
import Testing

/// The group-commit observer (the metrics' batch-size histogram) is called once per batch, and
/// calling it costs the same after many batches as after the first: the closure is not wrapped
/// again on each batch. Measured structurally, by the call stack's depth inside the observer.
@Suite("Group commit observer")
struct GroupCommitObserverTests {
    @Test("300 batches: the observer is called 300 times, at the same stack depth each time")
    func constantDepth() async throws {
        let store = try StoreFixture()
        let depths = NIOLockedValueBox<[Int]>([])
        store.database.observeGroupCommits { _ in
            let depth = Thread.callStackSymbols.count
            depths.withLockedValue { $0.append(depth) }
        }
        for _ in 0..<300 { try await store.submit() }
        let seen = depths.withLockedValue { $0 }
        #expect(seen.count == 300)
        // Before the fix each batch added two frames: the 300th call stood ~600 frames deeper.
        #expect(seen.max()! - seen.min()! < 8, "stack depths from \(seen.min()!) to \(seen.max()!)")
    }
}
