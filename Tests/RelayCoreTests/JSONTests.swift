import Foundation
@testable import RelayCore
import Testing

@Suite("Strict JSON parsing")
struct JSONParserTests {
    @Test("parses nested documents", arguments: [
        (#"{"a":[1,2.5,-3e2,true,false,null,"x"]}"#, JSONValue.object(["a": [1, .number(2.5), .number(-300), true, false, nil, "x"]])),
        (#""\u00e9\ud83d\ude00\n""#, JSONValue.string("é😀\n")),
        (" [ ] ", JSONValue.array([])),
    ])
    func parses(text: String, expected: JSONValue) throws {
        #expect(try JSONParser.parse(Array(text.utf8)) == expected)
    }

    @Test("refuses what RFC 8259 or the relay forbids", arguments: [
        #"{"a":1,"a":2}"#,  // duplicate member
        #"{"a":1} x"#,  // trailing content
        #"{"a":01}"#,  // leading zero
        #"["\ud800"]"#,  // lone surrogate
        "[1,]",  // trailing comma
        "{'a':1}",  // single quotes
        "",  // empty
        "\"tab\there\"",  // raw control character
        "1e999",  // out of range
    ])
    func refuses(text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test("strings round-trip, written plainly, minimally escaped, or every character as \\u escapes")
    func stringRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Unicode.Scalar] = ["a", "Z", " ", "\"", "\\", "/", "\u{0}", "\n", "\u{1F}", "\u{7F}", "\u{E9}", "\u{20AC}", "\u{FFFD}", "\u{1F600}"]
        for _ in 0..<2_000 {
            let text = String(String.UnicodeScalarView((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
            #expect(try JSONParser.parse(JSONValue.string(text).canonicalBytes) == .string(text))
            let escaped = "\"" + text.utf16.map { String(format: "\\u%04x", $0) }.joined() + "\""
            #expect(try JSONParser.parse(Array(escaped.utf8)) == .string(text))
            // Plain bytes before and after an escape.
            let mixed = "[\"" + text.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" || $0 == "\\" ? String(format: "\\u%04x", $0.value) : String($0) }.joined() + "\"]"
            #expect(try JSONParser.parse(Array(mixed.utf8)) == .array([.string(text)]))
        }
    }

    @Test("refuses invalid UTF-8")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }
}

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    @Test("numbers are laid out as ECMAScript does", arguments: [
        (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-1.5, "-1.5"), (100.0, "100"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"), (0.000001, "0.000001"), (1e-7, "1e-7"), (4.5e-8, "4.5e-8"),
        (51.5434, "51.5434"), (-0.0553, "-0.0553"), (9007199254740992.0, "9007199254740992"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (5e-324, "5e-324"), (333333333.33333329, "333333333.3333333"),
    ])
    func numbers(value: Double, expected: String) {
        #expect(JSONValue.number(value).canonicalString == expected)
    }

    @Test("members are sorted by UTF-16 code units and strings minimally escaped")
    func ordering() {
        let value: JSONValue = ["b": 1, "a": ["z": true, "\u{20ac}": "€", "\r": "\u{1}\"\\/"], "\u{1F600}": nil, "\u{FB33}": 2]
        // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 in UTF-16.
        #expect(value.canonicalString == #"{"a":{"\r":"\u0001\"\\/","z":true,"€":"€"},"b":1,"😀":null,"דּ":2}"#)
    }

    @Test("the byte-order comparison of member names agrees with UTF-16 order on mixed scripts")
    func memberOrderProperty() {
        var generator = SystemRandomNumberGenerator()
        // ASCII, Latin-1, just below and above U+E000, the last BMP character, and beyond the BMP.
        let alphabet: [Unicode.Scalar] = ["a", "b", "Z", "_", "\u{E9}", "\u{20AC}", "\u{D7FF}", "\u{E000}", "\u{FB33}", "\u{FFFD}", "\u{10000}", "\u{1F600}"]
        func word() -> String {
            String(String.UnicodeScalarView((0..<Int.random(in: 0...4, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for _ in 0..<20_000 {
            let (a, b) = (word(), word())
            #expect(JSONValue.precedes(a, b) == a.utf16.lexicographicallyPrecedes(b.utf16), "\(a.unicodeScalars.map(\.value)) vs \(b.unicodeScalars.map(\.value))")
        }
    }

    @Test("integers take a fast path that writes what the general ECMAScript layout writes")
    func integerFastPath() {
        var generator = SystemRandomNumberGenerator()
        let edges: [Double] = [1, -1, 9, 10, 99, 100, 1_796_000_000_123, 9_007_199_254_740_991, -9_007_199_254_740_991, 9_007_199_254_740_992]
        let samples = edges + (0..<5_000).map { _ in Double(Int64.random(in: -9_007_199_254_740_991...9_007_199_254_740_991, using: &generator)) }
        for value in samples {
            #expect(JSONValue.number(value).canonicalString == JSONValue.ecmaScriptString(value))
        }
    }
}
