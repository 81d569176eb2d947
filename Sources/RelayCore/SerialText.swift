import Foundation

/// Serial numbers as text: lower-case hex of the integer's bytes without leading zeros, so that
/// `00:1A:2B`, `1a2b` and the DER content bytes of either compare equal.
public enum SerialText {
    public static func of(_ bytes: some Collection<UInt8>) -> String {
        normalise(bytes.map { String(format: "%02x", $0) }.joined())
    }

    /// Normalises operator input (`openssl x509 -serial` output, with or without colons or `serial=`);
    /// `nil` when it is not hex.
    public static func parse(_ text: String) -> String? {
        var hex = text.lowercased().replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespaces)
        if hex.hasPrefix("serial=") { hex.removeFirst(7) }
        if hex.hasPrefix("0x") { hex.removeFirst(2) }
        guard !hex.isEmpty, hex.count <= 64, hex.allSatisfy(\.isHexDigit) else { return nil }
        return normalise(hex)
    }

    static func normalise(_ hex: String) -> String {
        let trimmed = hex.drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
