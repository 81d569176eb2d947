import Foundation
@testable import RelayCore
import RelayFixtures
import Testing

/// The scrubber's substring test answers as Foundation's `contains` does.
@Suite("textContains: Foundation's answer, without its search for plain ASCII")
struct TextSearchTests {
    @Test("random texts and needles, ASCII, accented, decomposed, with line breaks: Foundation's answer", arguments: 0..<20)
    func sameAnswer(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &* 6_151 &+ 5)
        let alphabets: [[String]] = [
            "abch".map(String.init),
            "abch.@_-".map(String.init) + ["\r\n", "\n", "é", "e\u{301}", "\u{301}", "h\u{301}", "ß", "\u{212A}", "k"],
        ]
        for _ in 0..<300 {
            let alphabet = alphabets.randomElement(using: &generator)!
            let haystack = generator.word(from: alphabet, maxLength: 12)
            let needle = Bool.random(using: &generator) && !haystack.isEmpty
                ? String(haystack.dropFirst(Int.random(in: 0..<haystack.count, using: &generator)).prefix(Int.random(in: 0...4, using: &generator)))
                : generator.word(from: alphabet, maxLength: 4)
            #expect(textContains(haystack, needle) == haystack.contains(needle), "\(haystack.unicodeScalars.map(\.value)) / \(needle.unicodeScalars.map(\.value))")
        }
    }

    @Test("the cases the ASCII path decides")
    func asciiCases() {
        #expect(textContains("kharchenko", "ch"))
        #expect(!textContains("kharhenko", "ch"))
        #expect(textContains("stefanlacatus", "lacatus"))
        #expect(!textContains("lacatu", "lacatus"))
        #expect(textContains("abc", "abc"))
        #expect(!textContains("ab", "abc"))
    }
}
