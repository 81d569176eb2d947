import Foundation
import RelayCore
import Testing

@Suite("Time-ordered ids (UUID version 7)")
struct TimeOrderedUUIDTests {
    @Test("version 7, RFC 9562 variant, the millisecond in the first 48 bits, lower-case canonical text")
    func layout() throws {
        let at = Date(timeIntervalSince1970: 1_796_000_000.123)
        let id = UUID.timeOrdered(at: at)
        let text = id.lowercasedString
        #expect(UUID(canonical: text) == id)
        let hex = text.replacingOccurrences(of: "-", with: "")
        #expect(UInt64(hex.prefix(12), radix: 16) == 1_796_000_000_123)
        #expect(Array(text)[14] == "7", "version nibble")
        #expect("89ab".contains(Array(text)[19]), "variant 10xx")
    }

    @Test("ids minted in later milliseconds sort after earlier ones, as stored text")
    func ordered() {
        // Mid-millisecond times, so that no floating-point rounding moves one into the previous.
        let ids = (0..<2000).map { UUID.timeOrdered(at: Date(timeIntervalSince1970: 1_796_000_000.0004 + Double($0) / 1000)).lowercasedString }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test("the 74 other bits are random: ids of one millisecond differ")
    func random() {
        let at = Date()
        let ids = Set((0..<1000).map { _ in UUID.timeOrdered(at: at) })
        #expect(ids.count == 1000)
    }
}
