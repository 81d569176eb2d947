import Foundation

/// Whether `needle` stands inside `haystack`, exactly as Foundation's `haystack.contains(needle)`
/// answers, and without its string search when both are printable ASCII: there, where no
/// character has another canonical form, Foundation's answer is the bytes' answer. Anything else
/// (an empty needle, letters with accents, line breaks, a bridged string) is Foundation's.
func textContains(_ haystack: String, _ needle: String) -> Bool {
    let answer = haystack.utf8.withContiguousStorageIfAvailable { hay -> Bool? in
        needle.utf8.withContiguousStorageIfAvailable { sought -> Bool? in
            guard !sought.isEmpty, hay.allSatisfy(isPrintableASCII), sought.allSatisfy(isPrintableASCII) else { return nil }
            guard sought.count <= hay.count else { return false }
            let first = sought[0]
            for start in 0...(hay.count - sought.count) where hay[start] == first {
                var offset = 1
                while offset < sought.count, hay[start + offset] == sought[offset] { offset += 1 }
                if offset == sought.count { return true }
            }
            return false
        } ?? nil
    } ?? nil
    return answer ?? haystack.contains(needle)
}

@inline(__always)
private func isPrintableASCII(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F }
