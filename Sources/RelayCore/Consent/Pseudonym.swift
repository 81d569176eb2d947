import Crypto
import Foundation

/// The repeat-victim pseudonym: HMAC-SHA256(relay secret, normalised name + date of birth).
/// Stored apart from any identity; it lets the relay count earlier reports without knowing who.
public enum VictimPseudonym {
    /// The pseudonym, or `nil` when the report lacks a name or a date of birth.
    public static func derive(identity: VictimIdentity, secret: SymmetricKey) -> String? {
        guard let name = identity.name, let dob = identity.dateOfBirth else { return nil }
        let normalised = normalise(name)
        guard !normalised.isEmpty else { return nil }
        let message = Data((normalised + "|" + dob.isoString).utf8)
        return Base64URL.encode(HMAC<SHA256>.authenticationCode(for: message, using: secret))
    }

    /// Made once: building a locale costs more than the folding.
    private static let locale = Locale(identifier: "en_GB")

    /// Case, accents, punctuation, extra spaces and name order do not matter.
    public static func normalise(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: locale)
        let tokens = folded.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        return tokens.sorted().joined(separator: " ")
    }
}
