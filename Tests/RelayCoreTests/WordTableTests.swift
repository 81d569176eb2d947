import Foundation
@testable import RelayCore
import RelayFixtures
import Testing

/// The scrubber's word tables answer exactly as a Swift dictionary of the same keys does, String
/// equality (canonical equivalence) included.
@Suite("WordTable: the dictionary's answers, by a cheaper hash")
struct WordTableTests {
    @Test("random keys and words, ASCII and not, empty and long: the dictionary's answer", arguments: 0..<20)
    func sameAnswer(seed: Int) {
        var generator = SeededGenerator(state: UInt64(seed) &* 7_919 &+ 11)
        // ASCII `K` beside U+212A KELVIN SIGN, so that ASCII words meet keys filed under their canonical form.
        let alphabet: [String] = "abcdefghijklmnopqrstuvwxyzK-'ăîșțłżéöüçñß\u{212A}".map(String.init) + ["e\u{301}", "\u{301}"]
        func word() -> String { generator.word(from: alphabet, maxLength: 40) }
        var dictionary: [String: Int] = [:]
        for _ in 0..<Int.random(in: 0...300, using: &generator) { dictionary[word()] = Int.random(in: 0...1000, using: &generator) }
        let table = WordTable(dictionary)
        var words = (0..<2000).map { _ in word() } + Array(dictionary.keys)
        words += dictionary.keys.map { String($0.dropLast()) } + dictionary.keys.map { $0 + "s" }
        for word in words { #expect(table[word] == dictionary[word], "\(word.unicodeScalars.map(\.value))") }
    }

    @Test("a key and a word that are equal Strings but different bytes are found either way")
    func canonicalEquivalence() {
        // U+212A KELVIN SIGN is canonically K; "é" precomposed and decomposed are one String.
        let table = WordTable(["\u{212A}m": 1, "caf\u{E9}": 2, "nai\u{308}ve": 3])
        #expect(table["Km"] == 1)
        #expect(table["\u{212A}m"] == 1)
        #expect(table["cafe\u{301}"] == 2)
        #expect(table["caf\u{E9}"] == 2)
        #expect(table["na\u{EF}ve"] == 3)
        #expect(table["km"] == nil)
        #expect(table["cafe"] == nil)
        let set: WordSet = ["Km", "", "a"]
        #expect(set.contains("\u{212A}m") && set.contains("") && set.contains("a") && !set.contains("b"))
    }

    @Test("long words that share their first sixteen bytes and their length are told apart by the rest")
    func longWords() {
        // Many keys of one length and one sixteen-byte start, so that lookups probe past each other.
        let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
        let keys = letters.flatMap { first in letters.map { "institutionalisa" + first + $0 + "ion" } }
        let table = WordTable(Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }))
        for (index, key) in keys.enumerated() { #expect(table[key] == index) }
        for first in letters {
            for second in "0123456789".map(String.init) {
                #expect(table["institutionalisa" + first + second + "ion"] == nil)
                #expect(table["institutionalisa" + second + first + "ion"] == nil)
            }
        }
    }
}
