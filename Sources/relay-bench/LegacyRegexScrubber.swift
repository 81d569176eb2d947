import Foundation
import RelayCore

/// The scrubber as it was before issue #7 (a regular expression per written form), kept only as
/// the baseline that `relay-bench scrub` measures the current one against in the same run.
/// Not used by the relay.
///
/// Replaces personal data in free text with `[redacted:KIND]` and counts the replacements.
///
/// What it removes depends on the consent level (DESIGN.md "Consent and redaction"):
/// with `removeIdentity` the victim's names (every token, possessives, initial-plus-surname) and
/// date of birth in its common written forms; with `removeContact` the victim's own phone, email
/// and address lines and, when `generic` is set, every UK phone number, email address, postcode and
/// National Insurance number whoever it belongs to. A pure function of its inputs.
struct LegacyRegexScrubber {
    /// What to remove.
    struct Policy: Sendable, Equatable {
        var removeIdentity: Bool
        var removeContact: Bool
        /// Also remove generic UK patterns (not only the victim's own details).
        var generic: Bool

        init(removeIdentity: Bool, removeContact: Bool, generic: Bool) {
            self.removeIdentity = removeIdentity
            self.removeContact = removeContact
            self.generic = generic
        }
    }

    private let rules: [(kind: String, regex: NSRegularExpression)]

    /// Builds the rules for one victim. Rules run in order; earlier kinds win where they overlap.
    init(identity: VictimIdentity, policy: Policy) {
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
            for line in Self.addressLines(identity.address) { add("address", Self.addressPattern(line)) }
            // The victim's own postcode goes even where generic patterns stay (offender descriptions).
            for postcode in Self.postcodes(in: identity.address) { add("postcode", Self.ownPostcodePattern(postcode)) }
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
    func scrub(_ text: String) -> (text: String, counts: [String: Int]) {
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
    // A motorway and a time ("the M25 3am") has a postcode's shape; that one reading is excluded.
    static let postcodePattern = before + "(?!(?-i:M\\d{1,2}\\s+\\d(?:am|pm))(?![\\p{L}\\p{N}]))[A-Z]{1,2}\\d[A-Z\\d]?\\s*\\d[A-Z]{2}" + after
    // Any two letters: example prefixes such as QQ are not issued, but a scrubber errs towards removal.
    static let niNumberPattern = before + "[A-Z]{2}\\s?\\d{2}\\s?\\d{2}\\s?\\d{2}\\s?[A-D]" + after

    /// Postcodes written in an address.
    static func postcodes(in address: String?) -> [String] {
        guard let address, let regex = try? NSRegularExpression(pattern: postcodePattern, options: [.caseInsensitive]) else { return [] }
        let range = NSRange(address.startIndex..., in: address)
        return regex.matches(in: address, range: range).compactMap { Range($0.range, in: address).map { String(address[$0]) } }
    }

    /// One postcode with or without its space, in any case.
    static func ownPostcodePattern(_ postcode: String) -> String {
        let compact = postcode.filter { !$0.isWhitespace }
        return before + NSRegularExpression.escapedPattern(for: String(compact.dropLast(3))) + "\\s*"
            + NSRegularExpression.escapedPattern(for: String(compact.suffix(3))) + after
    }

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
            .map { line in
                // A postcode inside a line is handled on its own; the rest of the line still counts.
                postcodes(in: line).reduce(line) { $0.replacingOccurrences(of: $1, with: "") }.trimmingCharacters(in: .whitespaces)
            }
            .filter { $0.count >= 4 && ($0.contains(where: \.isNumber) || $0.split(separator: " ").count >= 2) }
        // Longest first, so a full line is replaced before any line it contains.
        return lines.sorted { $0.count > $1.count }
    }

    /// Street-type words and their usual abbreviations.
    static let streetWords: [String: [String]] = [
        "road": ["road", "rd"], "street": ["street", "st"], "avenue": ["avenue", "ave", "av"], "lane": ["lane", "ln"],
        "close": ["close", "cl"], "drive": ["drive", "dr"], "court": ["court", "ct"], "place": ["place", "pl"],
        "gardens": ["gardens", "gdns"], "crescent": ["crescent", "cres"], "terrace": ["terrace", "terr", "ter"],
        "square": ["square", "sq"], "grove": ["grove", "gr"], "park": ["park", "pk"], "house": ["house", "ho"],
    ]

    /// An address line with any white space (or a comma after the house number) between its words,
    /// and street words in full or abbreviated ("12 Navarino Road" = "12, Navarino Rd.").
    static func addressPattern(_ line: String) -> String {
        let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
        let parts = words.map { word -> String in
            let bare = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".,"))
            for forms in streetWords.values where forms.contains(bare) {
                return "(?:" + forms.map { NSRegularExpression.escapedPattern(for: $0) }.joined(separator: "|") + ")\\.?"
            }
            return NSRegularExpression.escapedPattern(for: word)
        }
        return before + parts.joined(separator: "[\\s,]+") + after
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
        // Straight and curly apostrophes inside a name (O'Donnell, O’Donnell) are the same.
        let token = "(?:" + tokens.sorted { $0.count > $1.count }.map {
            NSRegularExpression.escapedPattern(for: $0).replacingOccurrences(of: "'", with: "['’]").replacingOccurrences(of: "’", with: "['’]")
        }.joined(separator: "|") + ")"
        // Possessives ("Maria's", "Jones'") are taken with the name. A bare plural is not: a victim
        // called Price must not turn "prices" into a redaction (see the corpus).
        let possessive = "(?:['’]s|s['’]|['’])?"
        let initial = "(?:(?-i:[A-Z])(?:\\.\\s*|\\s+))?"
        return before + initial + token + possessive + "(?:[\\s\\-]+" + token + possessive + ")*" + after
    }
}

// NSRegularExpression is immutable once made and documented as safe to share between threads.
extension LegacyRegexScrubber: @unchecked Sendable {}
