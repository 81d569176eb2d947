import Foundation
import RelayCore
import Testing

@Suite("Unpadded base64url")
struct Base64URLTests {
    @Test("round trip for every length up to 100, against Foundation's standard base64")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...100 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let encoded = Base64URL.encode(bytes)
            let reference = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(encoded == reference)
            #expect(Base64URL.decode(encoded) == Data(bytes))
        }
    }

    @Test("refuses padding, the standard alphabet's + and /, whitespace, other bytes and a length of 4n+1")
    func refuses() {
        for text in ["AAE=", "AA+/", "AA A", "AAÉ", "AAAAA", "A", "AB\n", "QUJD\u{0}"] {
            #expect(Base64URL.decode(text) == nil, "\(text.debugDescription)")
        }
        #expect(Base64URL.decode("") == Data())
    }

    @Test("isValid agrees with decode, on the alphabet and on every other byte")
    func validity() {
        var generator = SystemRandomNumberGenerator()
        let bytes = Array("ABCxyz09-_".utf8) + [UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="), 0x20, 0x00, 0xC3, 0xA9]
        for _ in 0..<2_000 {
            let text = String(decoding: (0..<Int.random(in: 0...9, using: &generator)).map { _ in bytes.randomElement(using: &generator)! }, as: UTF8.self)
            #expect(Base64URL.isValid(text) == (Base64URL.decode(text) != nil), "\(text.debugDescription)")
        }
    }
}
