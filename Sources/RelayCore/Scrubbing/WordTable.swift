import Foundation

/// Words (keys) and their values, looked up by a word's UTF-8 bytes with a cheap hash: the
/// scrubber asks several fixed tables about every word of a text, and `Set<String>`'s seeded
/// SipHash and String comparison were a sixth of its time.
///
/// It answers exactly as a `[String: Value]` of the same keys does, String equality (canonical
/// equivalence) included: an ASCII word is looked up in the table, where every ASCII key is, and
/// every key that is canonically equivalent to an ASCII word (`K`, U+212A, is `K`) is also
/// filed under that word; any other word goes to the dictionary itself.
struct WordTable<Value: Sendable>: Sendable {
    /// Open addressing: entry index + 1 per slot, 0 for an empty slot; a power of two in size.
    private let slots: [Int32]
    private let mask: Int
    /// Entry `i`'s key is `bytes[starts[i]..<starts[i + 1]]`.
    private let bytes: [UInt8]
    private let starts: [Int32]
    private let values: [Value]
    private let dictionary: [String: Value]

    init(_ dictionary: [String: Value]) {
        self.dictionary = dictionary
        var entries: [(key: [UInt8], value: Value)] = []
        for (key, value) in dictionary {
            if key.utf8.allSatisfy({ $0 < 0x80 }) {
                entries.append((Array(key.utf8), value))
            } else {
                let decomposed = key.decomposedStringWithCanonicalMapping
                if decomposed.utf8.allSatisfy({ $0 < 0x80 }) { entries.append((Array(decomposed.utf8), value)) }
            }
        }
        var size = 16
        while size < entries.count * 2 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        var bytes: [UInt8] = []
        var starts: [Int32] = [0]
        var values: [Value] = []
        for (key, value) in entries {
            var slot = Int(truncatingIfNeeded: Self.hash(key)) & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            values.append(value)
            slots[slot] = Int32(values.count)
            bytes += key
            starts.append(Int32(bytes.count))
        }
        self.slots = slots
        self.mask = size - 1
        self.bytes = bytes
        self.starts = starts
        self.values = values
    }

    /// FNV-1a over the bytes.
    @inline(__always)
    static func hash<C: Collection<UInt8>>(_ key: C) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    private enum Answer {
        case found(Value)
        case absent
        /// Not ASCII: the dictionary answers.
        case ask
    }

    subscript(word: String) -> Value? {
        let answer = word.utf8.withContiguousStorageIfAvailable { key -> Answer in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in key {
                guard byte < 0x80 else { return .ask }
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = Int(slots[slot])
                guard entry != 0 else { return .absent }
                let start = Int(starts[entry - 1]), end = Int(starts[entry])
                if end - start == key.count, bytes.withUnsafeBufferPointer({ stored in
                    var offset = 0
                    while offset < key.count, stored[start + offset] == key[offset] { offset += 1 }
                    return offset == key.count
                }) {
                    return .found(values[entry - 1])
                }
                slot = (slot + 1) & mask
            }
        } ?? .ask
        switch answer {
        case .found(let value): return value
        case .absent: return nil
        case .ask: return dictionary[word]
        }
    }
}

/// A set of words with ``WordTable``'s lookup.
struct WordSet: Sendable, ExpressibleByArrayLiteral {
    private let table: WordTable<Bool>

    init(_ words: Set<String>) {
        table = WordTable(Dictionary(uniqueKeysWithValues: words.map { ($0, true) }))
    }

    init(arrayLiteral words: String...) {
        self.init(Set(words))
    }

    @inline(__always)
    func contains(_ word: String) -> Bool {
        table[word] != nil
    }
}
