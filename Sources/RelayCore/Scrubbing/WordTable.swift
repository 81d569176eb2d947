import Foundation

/// Words (keys) and their values, looked up by a word's UTF-8 bytes with a cheap hash: the
/// scrubber asks several fixed tables about every word of a text, and `Set<String>`'s seeded
/// SipHash and String comparison were a sixth of its time.
///
/// It answers exactly as a `[String: Value]` of the same keys does, String equality (canonical
/// equivalence) included: an ASCII word is looked up in the table, where every ASCII key is, and
/// every key that is canonically equivalent to an ASCII word (`K`, U+212A, is `K`) is also
/// filed under that word; any other word goes to the dictionary itself.
struct WordTable<Value: Sendable>: Sendable, ExpressibleByDictionaryLiteral {
    /// One slot of the open-addressed table: a key's first sixteen bytes inline, so that a
    /// lookup of a short word reads one 24-byte slot of a table too big for the cache, not three
    /// arrays.
    private struct Slot: Sendable {
        /// Bytes 0..<8 and 8..<16 of the key, little-endian, zero-padded.
        var head: UInt64 = 0
        var tail: UInt64 = 0
        var length: Int32 = 0
        /// Entry index + 1; 0 for an empty slot.
        var entry: Int32 = 0
    }

    /// A power of two in size, at most half full.
    private let slots: [Slot]
    private let mask: Int
    /// Entry `i`'s key is `bytes[starts[i]..<starts[i + 1]]` (read only for keys over 16 bytes).
    private let bytes: [UInt8]
    private let starts: [Int32]
    private let values: [Value]
    private let dictionary: [String: Value]

    init(dictionaryLiteral elements: (String, Value)...) {
        self.init(Dictionary(uniqueKeysWithValues: elements))
    }

    /// The words the table holds, as given.
    var keys: Dictionary<String, Value>.Keys { dictionary.keys }

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
        var slots = [Slot](repeating: Slot(), count: size)
        var bytes: [UInt8] = []
        var starts: [Int32] = [0]
        var values: [Value] = []
        for (key, value) in entries {
            let (hash, head, tail) = key.withUnsafeBufferPointer { Self.digest($0) }
            var slot = Int(truncatingIfNeeded: hash) & (size - 1)
            while slots[slot].entry != 0 { slot = (slot + 1) & (size - 1) }
            values.append(value)
            slots[slot] = Slot(head: head, tail: tail, length: Int32(key.count), entry: Int32(values.count))
            bytes += key
            starts.append(Int32(bytes.count))
        }
        self.slots = slots
        self.mask = size - 1
        self.bytes = bytes
        self.starts = starts
        self.values = values
    }

    /// FNV-1a over the bytes, and the first sixteen bytes packed.
    @inline(__always)
    private static func digest(_ key: UnsafeBufferPointer<UInt8>) -> (hash: UInt64, head: UInt64, tail: UInt64) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325, head: UInt64 = 0, tail: UInt64 = 0
        for (offset, byte) in key.enumerated() {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            if offset < 8 { head |= UInt64(byte) << (8 * UInt64(offset)) } else if offset < 16 { tail |= UInt64(byte) << (8 * UInt64(offset - 8)) }
        }
        return (hash, head, tail)
    }

    private enum Answer {
        case found(Value)
        case absent
        /// Not ASCII: the dictionary answers.
        case ask
    }

    subscript(word: String) -> Value? {
        let answer = word.utf8.withContiguousStorageIfAvailable { key -> Answer in
            guard !key.contains(where: { $0 >= 0x80 }) else { return .ask }
            let (hash, head, tail) = Self.digest(key)
            var slot = Int(truncatingIfNeeded: hash) & mask
            return slots.withUnsafeBufferPointer { slots in
                while true {
                    let candidate = slots[slot]
                    guard candidate.entry != 0 else { return .absent }
                    if candidate.head == head, candidate.tail == tail, Int(candidate.length) == key.count,
                       key.count <= 16 || bytes[Int(starts[Int(candidate.entry) - 1]) + 16..<Int(starts[Int(candidate.entry)])].elementsEqual(key[16...]) {
                        return .found(values[Int(candidate.entry) - 1])
                    }
                    slot = (slot + 1) & mask
                }
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
    private let table: WordTable<Void>

    init(_ words: Set<String>) {
        table = WordTable(Dictionary(uniqueKeysWithValues: words.map { ($0, ()) }))
    }

    init(arrayLiteral words: String...) {
        self.init(Set(words))
    }

    /// The words the set holds, as given.
    var words: Dictionary<String, Void>.Keys { table.keys }

    @inline(__always)
    func contains(_ word: String) -> Bool {
        table[word] != nil
    }
}
