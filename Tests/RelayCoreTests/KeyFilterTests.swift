@testable import RelayCore
import RelayFixtures
import Testing

/// The name keys' first check only ever refuses words the set does not hold: for every word
/// the filter's answer is the set's.
@Suite("KeyFilter: a cheap first check that never changes the answer")
struct KeyFilterTests {
    @Test("random keys and words, ASCII and not, empty and long: the same answer as the set", arguments: 0..<20)
    func sameAnswer(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &* 104_729 &+ 3)
        let alphabet: [String] = "abcdefghijklmnopqrstuvwxyzăîșțłżéöüçñß".map(String.init)
        func word() -> String { generator.word(from: alphabet, maxLength: 70) }
        let keys = Set((0..<Int.random(in: 0...12, using: &generator)).map { _ in word() })
        let filter = KeyFilter(keys)
        var words = (0..<500).map { _ in word() } + Array(keys)
        words += keys.map { String($0.dropLast()) } + keys.map { $0 + "s" }
        for word in words { #expect(filter.contains(word) == keys.contains(word), "\(word)") }
    }
}
