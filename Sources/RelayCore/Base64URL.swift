import Foundation

/// Unpadded base64url (RFC 4648 §5), the binary encoding of every ReportRelay format.
public enum Base64URL {
    // The tables are read through local copies: a `static let` read inside a loop goes through
    // its lazy-initialisation check (`swift_once`) on every byte.
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Encodes bytes without padding.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let input = Array(bytes)
        let alphabet = self.alphabet
        let count = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: max(count, 1)) { output in
            alphabet.withUnsafeBufferPointer { alphabet in
                input.withUnsafeBufferPointer { input in
                    var index = 0, out = 0
                    while index + 3 <= input.count {
                        let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                        output[out] = alphabet[Int(chunk >> 18 & 63)]
                        output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                        output[out + 2] = alphabet[Int(chunk >> 6 & 63)]
                        output[out + 3] = alphabet[Int(chunk & 63)]
                        index += 3
                        out += 4
                    }
                    let remaining = input.count - index
                    if remaining > 0 {
                        let chunk = UInt32(input[index]) << 16 | (remaining == 2 ? UInt32(input[index + 1]) << 8 : 0)
                        output[out] = alphabet[Int(chunk >> 18 & 63)]
                        output[out + 1] = alphabet[Int(chunk >> 12 & 63)]
                        out += 2
                        if remaining == 2 {
                            output[out] = alphabet[Int(chunk >> 6 & 63)]
                            out += 1
                        }
                    }
                    return out
                }
            }
        }
    }

    /// Decodes unpadded base64url; `nil` for any other alphabet, padding or a bad length.
    public static func decode(_ text: String) -> Data? {
        var text = text
        return text.withUTF8 { decode($0) }
    }

    /// Whether `text` is unpadded base64url, without decoding it.
    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count % 4 != 1 else { return false }
        let values = self.values
        var text = text
        return text.withUTF8 { input in values.withUnsafeBufferPointer { values in input.allSatisfy { values[Int($0)] != 0xFF } } }
    }

    /// 6-bit values of the alphabet's characters; 0xFF for any other byte.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() { table[Int(character)] = UInt8(value) }
        return table
    }()

    private static func decode(_ input: UnsafeBufferPointer<UInt8>) -> Data? {
        guard input.count % 4 != 1 else { return nil }
        let values = self.values
        var output = Data(count: input.count * 3 / 4)
        let ok = output.withUnsafeMutableBytes { output in
            values.withUnsafeBufferPointer { values in
                var accumulator: UInt32 = 0, bits: UInt32 = 0, out = 0
                for character in input {
                    let value = values[Int(character)]
                    guard value != 0xFF else { return false }
                    accumulator = accumulator << 6 | UInt32(value)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        output[out] = UInt8(truncatingIfNeeded: accumulator >> bits)
                        out += 1
                    }
                }
                return out == output.count
            }
        }
        return ok ? output : nil
    }
}

/// Lower-case hexadecimal.
public enum Hex {
    /// Encodes bytes as lower-case hex digits.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Decodes hexadecimal (either case); `nil` for an odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 2 == 0 else { return nil }
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(characters.count / 2)
        var index = 0
        while index < characters.count {
            guard let high = value(characters[index]), let low = value(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
