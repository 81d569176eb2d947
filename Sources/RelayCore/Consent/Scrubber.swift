import Foundation

/// Replaces personal data in free text with `[redacted:KIND]` and counts the replacements.
///
/// What it removes depends on the consent level (DESIGN.md "Consent and redaction"):
/// with `removeIdentity` the victim's names (every token, possessives, initial-plus-surname) and
/// date of birth in its common written forms; with `removeContact` the victim's own phone, email
/// and address lines and, when `generic` is set, every UK phone number, email address, postcode and
/// National Insurance number whoever it belongs to. A pure function of its inputs.
public struct Scrubber {
    /// What to remove.
    public struct Policy: Sendable, Equatable {
        public var removeIdentity: Bool
        public var removeContact: Bool
        /// Also remove generic UK patterns (not only the victim's own details).
        public var generic: Bool

        public init(removeIdentity: Bool, removeContact: Bool, generic: Bool) {
            self.removeIdentity = removeIdentity
            self.removeContact = removeContact
            self.generic = generic
        }
    }

    private let rules: [(kind: String, regex: NSRegularExpression)]

    /// Builds the rules for one victim. Rules run in order; earlier kinds win where they overlap.
    public init(identity: VictimIdentity, policy: Policy) {
        var rules: [(String, NSRegularExpression)] = []
        func add(_ kind: String, _ pattern: String?) {
            guard let pattern, let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return }
            rules.append((kind, regex))
        }
        if policy.removeContact {
            if let email = identity.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty {
                add("email", NSRegularExpression.escapedPattern(for: email))
            }
            if policy.generic { add("email", Self.emailPattern) }
            add("phone", identity.phone.flatMap(Self.ownPhonePattern))
            if policy.generic { add("phone", Self.phonePattern) }
            for line in Self.addressLines(identity.address) { add("address", Self.phrasePattern(line)) }
            if policy.generic {
                add("ni_number", Self.niNumberPattern)
                add("postcode", Self.postcodePattern)
            }
        }
        if policy.removeIdentity {
            if let dob = identity.dateOfBirth { add("date_of_birth", Self.dateOfBirthPattern(dob)) }
            add("name", Self.namePattern([identity.name].compactMap { $0 } + identity.otherNames))
        }
        self.rules = rules
    }

    /// The scrubbed text and the number of replacements by kind.
    public func scrub(_ text: String) -> (text: String, counts: [String: Int]) {
        var output = text
        var counts: [String: Int] = [:]
        for (kind, regex) in rules {
            let range = NSRange(output.startIndex..., in: output)
            let matches = regex.numberOfMatches(in: output, range: range)
            guard matches > 0 else { continue }
            output = regex.stringByReplacingMatches(in: output, range: range, withTemplate: "[redacted:\(kind)]")
            counts[kind, default: 0] += matches
        }
        return (output, counts)
    }

    // Boundaries: a letter or digit may not touch a match, so `Rose` leaves `rosemary` alone.
    private static let before = "(?<![\\p{L}\\p{N}])"
    private static let after = "(?![\\p{L}\\p{N}])"

    static let emailPattern = "[\\p{L}\\p{N}._%+\\-]+@[\\p{L}\\p{N}.\\-]+\\.[\\p{L}]{2,}"
    // National (0 + 9 or 10 digits) and international (+44 / 0044) forms, with spaces, hyphens,
    // dots or brackets between digits. Needs a leading 0 or 44, so times, years and bus routes pass.
    static let phonePattern = "(?<![\\p{L}\\p{N}+])(?:(?:\\+|00)\\s?44[\\s\\-.]?(?:\\(0\\)[\\s\\-.]?)?|\\(?0)\\d(?:[\\s\\-.()]{0,2}\\d){8,9}(?!\\d)"
    static let postcodePattern = before + "[A-Z]{1,2}\\d[A-Z\\d]?\\s*\\d[A-Z]{2}" + after
    static let niNumberPattern = before + "[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\\s?\\d{2}\\s?\\d{2}\\s?\\d{2}\\s?[A-D]" + after

    /// The victim's own number in any spacing, with or without the 0 or +44 prefix.
    static func ownPhonePattern(_ phone: String) -> String? {
        var digits = phone.filter(\.isASCII).filter(\.isNumber)
        if digits.hasPrefix("44") { digits.removeFirst(2) }
        if digits.hasPrefix("0") { digits.removeFirst() }
        guard digits.count >= 6 else { return nil }
        let body = digits.map(String.init).joined(separator: "[\\s\\-.()]*")
        return "(?<!\\d)(?:(?:\\+|00)\\s?44[\\s\\-.]*(?:\\(0\\)[\\s\\-.]*)?|\\(?0\\)?[\\s\\-.]*)?" + body + "(?!\\d)"
    }

    /// Address lines worth matching on their own: a line with a digit (`12 Mare Street`) or of two or
    /// more words. A lone town name would wipe every mention of the town, so it is left to the full line.
    static func addressLines(_ address: String?) -> [String] {
        guard let address else { return [] }
        let lines = address.split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.count >= 4 && ($0.contains(where: \.isNumber) || $0.split(separator: " ").count >= 2) }
            .filter { UKPostcode.outwardCode(of: $0) == nil }
        // Longest first, so a full line is replaced before any line it contains.
        return lines.sorted { $0.count > $1.count }
    }

    /// A phrase matched with any run of white space between its words.
    static func phrasePattern(_ phrase: String) -> String {
        let words = phrase.split(whereSeparator: \.isWhitespace).map { NSRegularExpression.escapedPattern(for: String($0)) }
        return before + words.joined(separator: "\\s+") + after
    }

    private static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// The date of birth as written in the usual British and American ways.
    static func dateOfBirthPattern(_ dob: DateOfBirth) -> String {
        let month = months[dob.month - 1]
        let monthNames = "(?:\(month)|\(month.prefix(3))\\.?)"
        let day = "0?\(dob.day)(?:st|nd|rd|th)?"
        let year = "(?:\(dob.year)|'?\(String(format: "%02d", dob.year % 100)))"
        let numericMonth = "0?\(dob.month)"
        let separators = "[/\\-. ]"
        let alternatives = [
            "\(day)\\s*(?:of\\s+)?\(monthNames),?\\s*\(year)",
            "\(monthNames)\\s+\(day),?\\s*\(year)",
            "\(day)\(separators)\(numericMonth)\(separators)\(year)",
            "\(dob.year)\(separators)\(String(format: "%02d", dob.month))\(separators)\(String(format: "%02d", dob.day))",
        ]
        return "(?<![\\p{L}\\p{N}])(?:" + alternatives.joined(separator: "|") + ")(?![\\p{L}\\p{N}])"
    }

    /// Every token of every name; a run of tokens (with an optional leading capital initial) is one
    /// replacement. Possessives are taken with the name.
    static func namePattern(_ names: [String]) -> String? {
        let tokens = Set(names.flatMap { name in
            name.split(whereSeparator: { $0.isWhitespace || $0 == "-" || $0 == "," || $0 == "." })
                .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'’\"()")) }
                .filter { $0.count >= 2 }
        })
        guard !tokens.isEmpty else { return nil }
        let token = "(?:" + tokens.sorted { $0.count > $1.count }.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|") + ")"
        let possessive = "(?:['’]s|s['’]|['’])?"
        let initial = "(?:(?-i:[A-Z])\\.?\\s+)?"
        return before + initial + token + possessive + "(?:[\\s\\-]+" + token + possessive + ")*" + after
    }
}

// NSRegularExpression is immutable once made and documented as safe to share between threads.
extension Scrubber: @unchecked Sendable {}
