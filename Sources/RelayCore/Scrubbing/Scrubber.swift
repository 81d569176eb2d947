import Foundation

/// Replaces personal data in free text with `[redacted:KIND]` and counts the replacements.
///
/// What it removes depends on the consent level (docs/redaction.md): with
/// `removeIdentity` the victim's names and date of birth, in whatever form they are written
/// (``NameMatcher``, ``DateRecogniser``); with `removeContact` the victim's own phone, email,
/// street, site or estate and postcode (``PostalAddress``) and, when `generic` is set, every UK
/// phone number, email address, postcode and National Insurance number whoever it belongs to
/// (``ContactPatterns``).
///
/// The text is cut into tokens once; every matcher proposes scalar ranges, and where two overlap
/// the earlier kind in ``Kind`` wins (an email address that contains the name is an `email`).
/// Everything outside a replacement is kept byte for byte. Building a scrubber does the work
/// that depends only on the victim; `scrub` is a pure function of the text.
public struct Scrubber: Sendable {
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

    /// Replacement kinds, in the order they win an overlap.
    public enum Kind: String, Sendable, CaseIterable, Comparable {
        case email, phone, address, postcode, niNumber = "ni_number", dateOfBirth = "date_of_birth", name

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            lhs.rank < rhs.rank
        }

        var rank: Int { Self.allCases.firstIndex(of: self)! }

        /// `[redacted:KIND]` in UTF-8.
        var marker: [UInt8] { Array("[redacted:\(rawValue)]".utf8) }
    }

    /// One replacement: where it was in the original text (scalar offsets) and what it was.
    public struct Replacement: Sendable, Equatable {
        public var kind: Kind
        /// Unicode scalar offsets into the original text.
        public var range: Range<Int>
        /// The text replaced, for a caseworker's preview; never logged or stored.
        public var original: String
    }

    /// A scrubbed text with its replacements.
    public struct Result: Sendable {
        public var text: String
        public var replacements: [Replacement]
        /// Other names the text gave the victim ("Ashley Pardoe (Ash)"), removed from it and to be
        /// removed from the report's other fields (``Scrubber/adding(names:)``); never logged.
        public var declaredNames: [String] = []

        /// The number of replacements by kind name.
        public var counts: [String: Int] {
            replacements.reduce(into: [:]) { $0[$1.kind.rawValue, default: 0] += 1 }
        }
    }

    let policy: Policy
    var names: NameMatcher?
    let dateOfBirth: DateOfBirth?
    let address: PostalAddress
    let ownEmail: [Unicode.Scalar]?
    /// The local part of the victim's own email when it is distinctive (`sunflower77`): written
    /// alone, as a handle or inside a disguised address, it is theirs.
    let ownMailbox: String?
    /// The local part of the victim's own email and the first label of its domain (`knowak`,
    /// `outlook`): written together without the rest (`knowak@outlook`, `knowak at outlook`), it is
    /// their address.
    let ownAccount: (local: String, provider: String)?
    let ownPhone: [Unicode.Scalar]?
    /// The country code of the victim's own number (`44` unless it was registered with another).
    let ownCountryCode: [Unicode.Scalar]

    /// Builds the matchers for one victim.
    public init(identity: VictimIdentity, policy: Policy) {
        self.policy = policy
        names = policy.removeIdentity ? NameMatcher(names: [identity.name].compactMap { $0 } + identity.otherNames) : nil
        dateOfBirth = policy.removeIdentity ? identity.dateOfBirth : nil
        address = policy.removeContact ? PostalAddress(identity.address) : PostalAddress(nil)
        let email = identity.email?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        ownEmail = policy.removeContact && !email.isEmpty ? Array(email.unicodeScalars) : nil
        let mailbox = Array(email.unicodeScalars.prefix { $0 != "@" })
        ownMailbox = ownEmail != nil && mailbox.count >= 5 && mailbox.count < email.unicodeScalars.count
            && mailbox.contains(where: { TextTokens.isDigit($0) || $0 == "." || $0 == "_" || $0 == "-" }) ? String(String.UnicodeScalarView(mailbox)) : nil
        let domainLabel = email.split(separator: "@").last.flatMap { $0.split(separator: ".").first }.map(String.init) ?? ""
        ownAccount = ownEmail != nil && mailbox.count >= 3 && domainLabel.count >= 2 && mailbox.count < email.unicodeScalars.count
            ? (String(String.UnicodeScalarView(mailbox)), domainLabel) : nil
        let (countryCode, national) = ContactPatterns.ownNumber(identity.phone ?? "")
        ownPhone = policy.removeContact && national.count >= 6 ? national : nil
        ownCountryCode = countryCode
    }

    /// This scrubber, also removing `names` as the victim's (names the report's text declared).
    public func adding(names extra: [String]) -> Scrubber {
        guard let names, !extra.isEmpty else { return self }
        var copy = self
        copy.names = NameMatcher(names: names.names, declared: names.declared + extra)
        return copy
    }

    /// Builds the word lists and tables every scrubber shares (ordinary words, places, months…),
    /// which are otherwise built by the first report's scrub. The daemon calls this before it
    /// listens, so that the first submission does not wait for them.
    public static func prepareTables() {
        let identity = VictimIdentity(name: "Maria Lovell", otherNames: ["Mary"], dateOfBirth: DateOfBirth(year: 1990, month: 2, day: 12),
                                      address: "Flat 5, 31 Example Road, Leeds, LS1 1AA", phone: "07700 900123", email: "maria@example.com")
        let scrubber = Scrubber(identity: identity, policy: Policy(removeIdentity: true, removeContact: true, generic: true))
        _ = scrubber.scrubbed("On Monday the 12th of February 1990 Maria, M A R I A, of 31 Example Rd, Leeds LS1 1AA, rang 07700 900123 (QQ 12 34 56 C) from @maria_lovell.")
    }

    /// The scrubbed text and the number of replacements by kind.
    public func scrub(_ text: String) -> (text: String, counts: [String: Int]) {
        let result = scrubbed(text)
        return (result.text, result.counts)
    }

    /// The scrubbed text with every replacement. `ownOnly` leaves the generic patterns (other
    /// people's phone numbers, emails, postcodes) in place, whatever the policy says: offender
    /// descriptions are evidence. One scrubber, built once per report, serves every field.
    public func scrubbed(_ text: String, ownOnly: Bool = false) -> Result {
        let generic = policy.generic && !ownOnly
        guard policy.removeIdentity || policy.removeContact, !text.isEmpty else { return Result(text: text, replacements: []) }
        let tokens = TextTokens(text)
        let scalars = tokens.scalars
        var candidates: [(Kind, Range<Int>)] = []
        if policy.removeContact {
            let hasAt = scalars.contains("@")
            let hasDigit = tokens.tokens.contains { $0.kind == .number }
            if hasAt {
                let emails = ContactPatterns.emails(in: scalars)
                for range in emails where generic || isOwnEmail(scalars[range]) { candidates.append((.email, range)) }
            }
            for email in ContactPatterns.disguisedEmails(in: scalars) where (generic && email.certain) || isOwnEmail(Array(email.plain.unicodeScalars)[...]) {
                candidates.append((.email, email.range))
            }
            // The local part's occurrences serve both searches (the mailbox alone, and with its provider).
            let locals = ownAccount.map { Self.occurrences(of: $0.local, in: scalars) } ?? []
            if let ownMailbox { candidates += (ownMailbox == ownAccount?.local ? locals : Self.occurrences(of: ownMailbox, in: scalars)).map { (.email, $0) } }
            if scalars.contains("%") {
                for email in ContactPatterns.percentEncodedEmails(in: scalars) where generic || isOwnEmail(Array(email.plain.lowercased().unicodeScalars)[...]) {
                    candidates.append((.email, email.range))
                }
            }
            if let ownAccount { candidates += Self.account(ownAccount, at: locals, in: scalars).map { (.email, $0) } }
            // A number read out in words: any UK number, and the victim's own.
            let national = ownPhone.map { String(String.UnicodeScalarView($0)) }
            for spoken in ContactPatterns.spokenNumbers(in: tokens)
            where (generic && ContactPatterns.isUKNumber(spoken.digits)) || national.map({ spoken.digits.hasSuffix($0) }) == true {
                candidates.append((.phone, spoken.range))
            }
            if hasDigit {
                if let ownPhone { candidates += ContactPatterns.phone(ownPhone, countryCode: ownCountryCode, in: scalars).map { (.phone, $0) } }
                if generic { candidates += ContactPatterns.phones(in: scalars).map { (.phone, $0) } }
            }
            if !address.isEmpty { candidates += address.spans(in: tokens).map { (.address, $0) } }
            if hasDigit {
                for range in ContactPatterns.postcodes(in: scalars)
                where generic || address.postcodes.contains(ContactPatterns.compactPostcode(scalars[range])) {
                    candidates.append((.postcode, range))
                }
                // NI numbers go from every field, offender descriptions too: the report has no field
                // for the victim's own, so one in the text cannot be told apart from it.
                candidates += ContactPatterns.niNumbers(in: scalars).map { (.niNumber, $0) }
            }
        }
        if let dateOfBirth {
            for expression in DateRecogniser(text: tokens).expressions() where expression.readings.contains(where: { $0.matches(dateOfBirth) }) {
                candidates.append((.dateOfBirth, tokens.tokens[expression.tokens.lowerBound].start..<tokens.tokens[expression.tokens.upperBound - 1].end))
            }
            candidates += DateRecogniser.identityNumbers(in: tokens, bornOn: dateOfBirth).map { (.dateOfBirth, $0) }
        }
        var declared: [String] = []
        if let names {
            let found = names.find(in: tokens)
            declared = found.declared
            // The text names the victim otherwise too: those words go wherever they stand in it.
            candidates += found.spans.map { (.name, $0) }
            // What the wider matcher finds comes on top of what was found already, never instead.
            if !declared.isEmpty, let wider = NameMatcher(names: names.names, declared: names.declared + declared) {
                candidates += wider.find(in: tokens).spans.map { (.name, $0) }
            }
        }
        var result = Self.apply(candidates, to: tokens, original: text)
        result.declaredNames = declared
        return result
    }

    /// Where `word` (lower-case ASCII) stands in `scalars` in any case, not inside a longer word.
    static func occurrences(of word: String, in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        guard let first = word.unicodeScalars.first else { return [] }
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            if ContactPatterns.lower(scalars[index]) == first, let end = ContactPatterns.wordAt(scalars, index, word) {
                found.append(index..<end)
                index = end
            } else {
                index += 1
            }
        }
        return found
    }

    /// Where the victim's local part (found at `locals`) stands with `@` or a written-out `at` and their provider's
    /// name after it, with or without the rest of the domain (`knowak@outlook`, `knowak at
    /// outlook`, `knowak [at] outlook.com`).
    static func account(_ account: (local: String, provider: String), at locals: [Range<Int>], in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        for local in locals {
            var position = local.upperBound
            if position < scalars.count, scalars[position] == "@" {
                position += 1
            } else {
                var mark = position
                while mark < scalars.count, ContactPatterns.isBlank(scalars[mark]) { mark += 1 }
                let at = ContactPatterns.spelledMark(scalars, at: mark, "at", symbol: "@") ?? ContactPatterns.spelledMark(scalars, at: position, "at", symbol: "@")
                guard let at else { continue }
                position = at.end
            }
            while position < scalars.count, ContactPatterns.isBlank(scalars[position]) { position += 1 }
            guard var end = ContactPatterns.wordAt(scalars, position, account.provider) else { continue }
            // The rest of the domain, if written (`.com`, `.co.uk`).
            while end + 1 < scalars.count, scalars[end] == ".", ContactPatterns.isASCIILetter(scalars[end + 1]) {
                end += 1
                while end < scalars.count, ContactPatterns.isASCIILetter(scalars[end]) { end += 1 }
            }
            found.append(local.lowerBound..<end)
        }
        return found
    }

    func isOwnEmail(_ candidate: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let ownEmail else { return false }
        return candidate.count == ownEmail.count && zip(candidate, ownEmail).allSatisfy { ContactPatterns.lower($0) == $1 }
    }

    /// The parts of `range` that no range in `covered` overlaps.
    static func uncovered(_ range: Range<Int>, by covered: some Sequence<Range<Int>>) -> [Range<Int>] {
        var pieces = [range]
        for cover in covered where cover.overlaps(range) {
            pieces = pieces.flatMap { piece -> [Range<Int>] in
                guard piece.overlaps(cover) else { return [piece] }
                return [piece.lowerBound..<max(piece.lowerBound, cover.lowerBound), min(piece.upperBound, cover.upperBound)..<piece.upperBound]
                    .filter { !$0.isEmpty }
            }
        }
        return pieces
    }

    /// `range` without white space and punctuation at its ends; nil if no letter or digit (of any
    /// script: `٥/١١/١٩٨٨` is a date) is left.
    static func trim(_ range: Range<Int>, _ scalars: [Unicode.Scalar]) -> Range<Int>? {
        let solid = { (scalar: Unicode.Scalar) in ContactPatterns.isAlnum(scalar) || TextTokens.otherDigitValue(scalar) != nil }
        var lower = range.lowerBound, upper = range.upperBound
        while lower < upper, !solid(scalars[lower]) { lower += 1 }
        // A combining mark belongs to the letter before it (decomposed `á`).
        while upper > lower, !solid(scalars[upper - 1]), !TextFolding.isMark(scalars[upper - 1]) { upper -= 1 }
        return lower < upper ? lower..<upper : nil
    }

    /// Keeps, kind by kind, the candidates that overlap nothing already kept, and writes the text:
    /// the original UTF-8 bytes between replacements, untouched.
    static func apply(_ candidates: [(Kind, Range<Int>)], to tokens: TextTokens, original: String) -> Result {
        guard !candidates.isEmpty else { return Result(text: original, replacements: []) }
        var kept: [(Kind, Range<Int>)] = []
        for (kind, range) in candidates.sorted(by: { ($0.0, $0.1.lowerBound, -$0.1.count) < ($1.0, $1.1.lowerBound, -$1.1.count) }) {
            // What an earlier kind already covers is taken out; the rest of the candidate still goes
            // ("[address] VAPOZAN" where the victim's street and given name are the same word).
            for piece in uncovered(range, by: kept.lazy.map(\.1)) {
                if let trimmed = trim(piece, tokens.scalars) { kept.append((kind, trimmed)) }
            }
        }
        kept.sort { $0.1.lowerBound < $1.1.lowerBound }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(original.utf8.count + kept.count * 16)
        var replacements: [Replacement] = []
        var position = 0
        let source = Array(original.utf8)
        for (kind, range) in kept {
            let start = tokens.utf8Offsets[range.lowerBound], end = tokens.utf8Offsets[range.upperBound]
            bytes.append(contentsOf: source[position..<start])
            bytes.append(contentsOf: kind.marker)
            replacements.append(Replacement(kind: kind, range: range, original: String(decoding: source[start..<end], as: UTF8.self)))
            position = end
        }
        bytes.append(contentsOf: source[position...])
        return Result(text: String(decoding: bytes, as: UTF8.self), replacements: replacements)
    }
}
