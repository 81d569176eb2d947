import Foundation

extension JSONValue {
    /// The RFC 8785 (JSON Canonicalization Scheme) encoding: members sorted by their UTF-16
    /// code units, no insignificant white space, ECMAScript number formatting, minimal escaping.
    /// Receipts are signed over these bytes and audit leaves are these bytes.
    public var canonicalBytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        appendCanonical(to: &output)
        return output
    }

    /// ``canonicalBytes`` as `Data`.
    public var canonicalData: Data { Data(canonicalBytes) }

    /// ``canonicalBytes`` as a `String`.
    public var canonicalString: String { String(decoding: canonicalBytes, as: UTF8.self) }

    private func appendCanonical(to output: inout [UInt8]) {
        switch self {
        case .null: output.append(contentsOf: Self.nullBytes)
        case .bool(let flag): output.append(contentsOf: flag ? Self.trueBytes : Self.falseBytes)
        case .number(let number): Self.appendNumber(number, to: &output)
        case .string(let text): Self.appendQuoted(text, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                element.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            // Sorted as pairs: no second hash lookup per member.
            for (position, member) in members.sorted(by: { Self.precedes($0.key, $1.key) }).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.appendQuoted(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                member.value.appendCanonical(to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static let nullBytes = Array("null".utf8), trueBytes = Array("true".utf8), falseBytes = Array("false".utf8)

    /// RFC 8785 member order: by UTF-16 code units. UTF-8 bytes sort the same way (by code
    /// point) except where one key has a character at or above U+E000 (lead byte 0xEE and up),
    /// since UTF-16 puts the surrogates of U+10000 and above below U+E000; those keys are compared
    /// in UTF-16.
    static func precedes(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        let order: Bool? = a.withUTF8 { x in
            b.withUTF8 { y in
                for (p, q) in zip(x, y) where p != q {
                    return p >= 0xEE || q >= 0xEE ? nil : p < q
                }
                return x.count < y.count
            }
        }
        return order ?? a.utf16.lexicographicallyPrecedes(b.utf16)
    }

    /// Integers of magnitude below 2^53 (every count, index and time the relay writes) are their
    /// decimal digits in ECMAScript too (-0 is written "0", as `value < 0` is false for it);
    /// anything else takes the general path.
    private static func appendNumber(_ value: Double, to output: inout [UInt8]) {
        guard value.magnitude < 9_007_199_254_740_992, value.rounded(.towardZero) == value else {
            output.append(contentsOf: Array(ecmaScriptString(value).utf8))
            return
        }
        var magnitude = UInt64(value.magnitude)
        if value < 0 { output.append(UInt8(ascii: "-")) }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            output.append(contentsOf: buffer[start...])
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendQuoted(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        if text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &output) }) == nil {
            Array(text.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &output) }  // a bridged string
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Copies runs that need no escaping whole; escapes `"`, `\\` and control characters.
    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        var runStart = 0
        for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            if runStart < index { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            runStart = index + 1
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x08: output.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0C: output.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            default:
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        if runStart < bytes.count { output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }

    /// ECMAScript `Number.prototype.toString` for a finite double, as RFC 8785 §3.2.2.3 requires.
    /// Swift's `description` already yields the shortest round-tripping digits; only the layout
    /// (where the point goes, when to use an exponent) differs, so the digits are re-laid here.
    static func ecmaScriptString(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value < 0 { return "-" + ecmaScriptString(-value) }
        let (digits, pointPosition) = shortestDigits(value)
        let k = digits.count
        let n = pointPosition
        if k <= n && n <= 21 {
            return digits + String(repeating: "0", count: n - k)
        }
        if 0 < n && n <= 21 {
            return String(digits.prefix(n)) + "." + String(digits.dropFirst(n))
        }
        if -6 < n && n <= 0 {
            return "0." + String(repeating: "0", count: -n) + digits
        }
        let exponent = n - 1
        let sign = exponent < 0 ? "-" : "+"
        let mantissa = k == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return mantissa + "e" + sign + String(abs(exponent))
    }

    /// The shortest decimal digits `d1…dk` and the position `n` such that value = 0.d1…dk × 10^n.
    private static func shortestDigits(_ value: Double) -> (String, Int) {
        let text = value.description  // e.g. "1234.5", "1e-07", "1.5e+20"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...])!
        }
        var integerPart = mantissa
        var fractionPart: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fractionPart = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + String(fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        return (digits, pointPosition)
    }
}
