/// Scanners for contact details written in the usual UK forms: email addresses, phone numbers,
/// postcodes and National Insurance numbers. Hand-written over Unicode scalars (no regular
/// expression is compiled per report); each returns scalar ranges.
enum ContactPatterns {
    typealias Scalars = [Unicode.Scalar]

    static let prefixGaps: ScalarSet = " -.\u{00A0}"
    static let prefixGapsBack: ScalarSet = " -.()\u{00A0}"
    static let niSeparators: ScalarSet = " -./\u{2013}\u{2014}\u{00A0}\t"
    static let badFirst: ScalarSet = "DFIQUV"
    static let badSecond: ScalarSet = "DFIOQUV"

    @inline(__always) static func isDigit(_ s: Unicode.Scalar) -> Bool { TextTokens.isDigit(s) }
    @inline(__always) static func isASCIILetter(_ s: Unicode.Scalar) -> Bool { s.isASCII && TextTokens.isLetter(s) }
    @inline(__always) static func isAlnum(_ s: Unicode.Scalar) -> Bool { isDigit(s) || TextTokens.isLetter(s) }
    @inline(__always) static func lower(_ s: Unicode.Scalar) -> Unicode.Scalar {
        (s.value >= 0x41 && s.value <= 0x5A) ? Unicode.Scalar(s.value + 32)! : s
    }
    @inline(__always) static func upper(_ s: Unicode.Scalar) -> Unicode.Scalar {
        (s.value >= 0x61 && s.value <= 0x7A) ? Unicode.Scalar(s.value - 32)! : s
    }

    /// Whether a match may start at `index`: no letter or digit touches it.
    @inline(__always) static func boundaryBefore(_ scalars: Scalars, _ index: Int) -> Bool {
        index == 0 || !isAlnum(scalars[index - 1])
    }

    @inline(__always) static func boundaryAfter(_ scalars: Scalars, _ index: Int) -> Bool {
        index >= scalars.count || !isAlnum(scalars[index])
    }

    // MARK: Email

    /// `local@domain.tld`, letters of any script allowed.
    static func emails(in scalars: Scalars) -> [Range<Int>] {
        func isLocal(_ s: Unicode.Scalar) -> Bool { isAlnum(s) || s == "." || s == "_" || s == "%" || s == "+" || s == "-" }
        func isDomain(_ s: Unicode.Scalar) -> Bool { isAlnum(s) || s == "." || s == "-" }
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "@" else { continue }
            var start = index
            while start > 0, isLocal(scalars[start - 1]) { start -= 1 }
            var end = index + 1
            while end < scalars.count, isDomain(scalars[end]) { end += 1 }
            while end > index + 1, scalars[end - 1] == "." || scalars[end - 1] == "-" { end -= 1 }
            guard start < index, let dot = scalars[index + 1..<end].lastIndex(of: ".") else { continue }
            let tld = scalars[(dot + 1)..<end]
            guard tld.count >= 2, tld.allSatisfy(TextTokens.isLetter) else { continue }
            if let last = found.last, last.upperBound > start { continue }
            found.append(start..<end)
            index = end - 1
        }
        return found
    }

    /// An email address written to dodge a scanner: where it is, its plain form (lower case), and
    /// whether it is plainly one whoever it belongs to.
    struct DisguisedEmail {
        var range: Range<Int>
        var plain: String
        /// Written with `[at]`, `(at)`, ` @ ` or a written-out dot, or with a local part that has
        /// digits or punctuation: `name at example.org` alone could be "it at facebook.com".
        var certain: Bool
    }

    /// Email addresses written to dodge a scanner: `moonbeam77 at example dot com`, `gracey dot
    /// young at example dot co dot uk`, `name [at] example.co.uk`, `name(at)example(dot)org`,
    /// `name @ example.org`. The domain has two labels or more joined by a dot (written either
    /// way) and ends in a known top-level domain, so that "at" in a sentence is none.
    static func disguisedEmails(in scalars: Scalars) -> [DisguisedEmail] {
        var found: [DisguisedEmail] = []
        var index = 0
        while index < scalars.count {
            defer { index += 1 }
            let scalar = scalars[index]
            // Cheap first: an @, or "at" after a space, or a bracket before "at".
            let next = index + 1 < scalars.count ? lower(scalars[index + 1]) : " "
            guard scalar == "@" || (scalar == "a" || scalar == "A") && next == "t" && index > 0 && isBlank(scalars[index - 1])
                || (next == "a" || next == " ") && bracketOpeners.contains(scalar) else { continue }
            // `name@example dot com`: a plain @ before a domain with a written-out dot.
            // An @ with a space on one side only counts like a plain one (`name @example.com`).
            let spacedBefore = index > 0 && isBlank(scalars[index - 1])
            let spacedAfter = index + 1 < scalars.count && isBlank(scalars[index + 1])
            let plainAt = scalar == "@" && index > 0 && !(spacedBefore && spacedAfter) ? (end: spacedAfter ? index + 2 : index + 1, bracketed: false) : nil
            guard let (afterMark, bracketed) = plainAt ?? spelledMark(scalars, at: index, "at", symbol: "@"),
                  let domain = domainPart(scalars, from: afterMark), plainAt == nil || domain.spelled || spacedBefore || spacedAfter,
                  let local = localPart(scalars, endingBefore: index), local.plain.unicodeScalars.contains(where: TextTokens.isLetter) else { continue }
            // An @ spaced on one side only: `@kev88.It said` is a handle after a word, not `by@kev88.it`.
            // The word before must look like a mailbox and the domain end in a listed one, in small
            // letters (`.It said` opens a sentence) or, in a passage of capitals, in capitals like it.
            if plainAt != nil, spacedBefore || spacedAfter, !domain.spelled {
                let domainCase = scalars[afterMark..<domain.end].filter(isASCIILetter)
                let allCapitals = !domainCase.isEmpty && domainCase.allSatisfy { $0.properties.isUppercase }
                    && scalars[local.start..<index].filter(isASCIILetter).allSatisfy { $0.properties.isUppercase }
                guard local.plain.unicodeScalars.contains(where: { TextTokens.isDigit($0) || $0 == "." || $0 == "_" }),
                      let ending = domain.plain.split(separator: ".").last, topLevelDomains.contains(String(ending)),
                      allCapitals || !domainCase.contains(where: { $0.properties.isUppercase }) else { continue }
            }
            if let last = found.last, last.range.upperBound > local.start { continue }
            let certain = bracketed || scalar == "@" || local.spelled || domain.spelled || !local.plain.unicodeScalars.allSatisfy(TextTokens.isLetter)
            found.append(DisguisedEmail(range: local.start..<domain.end, plain: local.plain + "@" + domain.plain, certain: certain))
            index = domain.end - 1
        }
        return found
    }

    static let bracketOpeners: ScalarSet = "[({<"
    static let bracketClosers: ScalarSet = "])}>"
    static let topLevelDomains: Set<String> = [
        "com", "org", "net", "uk", "io", "info", "biz", "eu", "ie", "me", "co", "gov", "ac", "edu", "app", "dev", "scot", "wales",
        "cymru", "london", "online", "email", "xyz", "ru", "pl", "ro", "de", "fr", "es", "it", "nl", "lt", "lv", "sk", "cz", "hu",
        "bg", "ua", "ng", "gh", "ke", "so", "in", "pk", "bd", "tr", "sy", "ir", "iq", "af", "al", "rs", "ba", "hr", "si", "pt", "gr",
    ]

    /// The end of `word` (ASCII letters, any case) written at `index` as a whole word, if it is.
    static func wordAt(_ scalars: Scalars, _ index: Int, _ word: String) -> Int? {
        let letters = Array(word.unicodeScalars)
        guard index >= 0, index + letters.count <= scalars.count, boundaryBefore(scalars, index), boundaryAfter(scalars, index + letters.count) else { return nil }
        for (offset, letter) in letters.enumerated() where lower(scalars[index + offset]) != letter { return nil }
        return index + letters.count
    }

    /// A written-out `at` or `dot` at `index`: in brackets (`[at]`, `(dot)`, spaces around it or
    /// not), or set apart by spaces (` at `, ` @ `, ` dot `). Returns the offset after it and the
    /// spaces that follow, and whether it was in brackets.
    static func spelledMark(_ scalars: Scalars, at index: Int, _ word: String, symbol: Unicode.Scalar) -> (end: Int, bracketed: Bool)? {
        func skipSpaces(_ position: Int) -> Int {
            var position = position
            while position < scalars.count, isBlank(scalars[position]) { position += 1 }
            return position
        }
        guard index > 0, index < scalars.count else { return nil }
        // In brackets, with spaces inside or not: `[at]`, `( at )`.
        if bracketOpeners.contains(scalars[index]) {
            let inner = skipSpaces(index + 1)
            if let end = wordAt(scalars, inner, word) {
                let close = skipSpaces(end)
                if close < scalars.count, bracketClosers.contains(scalars[close]) { return (skipSpaces(close + 1), true) }
            }
        }
        guard isBlank(scalars[index - 1]) else { return nil }
        if scalars[index] == symbol, index + 1 < scalars.count, isBlank(scalars[index + 1]) { return (skipSpaces(index + 1), false) }
        if let end = wordAt(scalars, index, word), end < scalars.count, isBlank(scalars[end]) { return (skipSpaces(end), false) }
        return nil
    }

    @inline(__always) static func isBlank(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "\t" || s == "\n" || s == "\r" || s == "\u{00A0}"
    }

    static func isAddressCharacter(_ s: Unicode.Scalar) -> Bool {
        (s.isASCII && isAlnum(s)) || s == "." || s == "_" || s == "%" || s == "+" || s == "-"
    }

    static func lowered(_ scalars: Scalars, _ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range].map(lower)))
    }

    /// The local part ending before the mark at `index` (spaces before it skipped), its words
    /// perhaps joined by written-out dots (`gracey dot young`, `gracey[dot]young`).
    static func localPart(_ scalars: Scalars, endingBefore index: Int) -> (start: Int, plain: String, spelled: Bool)? {
        func chunk(endingAt end: Int) -> Int? {
            var start = end
            while start > 0, isAddressCharacter(scalars[start - 1]) { start -= 1 }
            return start < end && isAlnum(scalars[start]) ? start : nil
        }
        var end = index
        while end > 0, isBlank(scalars[end - 1]) { end -= 1 }
        guard var start = chunk(endingAt: end) else { return nil }
        var plain = lowered(scalars, start..<end)
        var spelled = false
        while true {
            var probe = start
            while probe > 0, isBlank(scalars[probe - 1]) { probe -= 1 }
            var mark: Int?
            if probe >= 5, bracketClosers.contains(scalars[probe - 1]), wordAt(scalars, probe - 4, "dot") == probe - 1, bracketOpeners.contains(scalars[probe - 5]) {
                mark = probe - 5
            } else if probe < start, probe >= 4, wordAt(scalars, probe - 3, "dot") == probe, isBlank(scalars[probe - 4]) {
                mark = probe - 3
            }
            guard let mark else { break }
            var wordEnd = mark
            while wordEnd > 0, isBlank(scalars[wordEnd - 1]) { wordEnd -= 1 }
            guard let wordStart = chunk(endingAt: wordEnd) else { break }
            plain = lowered(scalars, wordStart..<wordEnd) + "." + plain
            start = wordStart
            spelled = true
        }
        return (start, plain, spelled)
    }

    /// The domain from `index`: two labels or more joined by `.` or a written-out dot, the last a
    /// known top-level domain.
    static func domainPart(_ scalars: Scalars, from index: Int) -> (end: Int, plain: String, spelled: Bool)? {
        func isLabel(_ s: Unicode.Scalar) -> Bool { (s.isASCII && isAlnum(s)) || s == "-" }
        var labels: [Range<Int>] = []
        var position = index
        var end = index
        var spelled = false
        while true {
            var labelEnd = position
            while labelEnd < scalars.count, isLabel(scalars[labelEnd]) { labelEnd += 1 }
            guard labelEnd > position else { break }
            labels.append(position..<labelEnd)
            end = labelEnd
            if labelEnd + 1 < scalars.count, scalars[labelEnd] == ".", isLabel(scalars[labelEnd + 1]) {
                position = labelEnd + 1
                continue
            }
            let mark = spelledMark(scalars, at: labelEnd, "dot", symbol: ".")
                ?? (labelEnd < scalars.count && scalars[labelEnd] == " " ? spelledMark(scalars, at: labelEnd + 1, "dot", symbol: ".") : nil)
            guard let mark, mark.end < scalars.count, isLabel(scalars[mark.end]) else { break }
            position = mark.end
            spelled = true
        }
        // Not "laughed at the dot com bubble".
        guard labels.count >= 2, let last = labels.last, last.count <= 6,
              topLevelDomains.contains(lowered(scalars, last)) || (last.count == 2 && scalars[last].allSatisfy(isASCIILetter)),
              !NameMatcher.determiners.contains(lowered(scalars, labels[0])) else { return nil }
        return (end, labels.map { lowered(scalars, $0) }.joined(separator: "."), spelled)
    }

    // MARK: Phone numbers

    @inline(__always) static func isPhoneSeparator(_ s: Unicode.Scalar) -> Bool {
        s == " " || s == "-" || s == "." || s == "(" || s == ")" || s == "\t" || s == "\n" || s == "\u{00A0}"
    }

    /// Digits from `index` with at most `maxGap` separators between them, up to `maxDigits`.
    /// Returns the digits read and the end offset after the last digit.
    static func readDigits(_ scalars: Scalars, from index: Int, maxDigits: Int, maxGap: Int) -> (digits: [Unicode.Scalar], end: Int) {
        var digits: [Unicode.Scalar] = []
        var position = index
        var end = index
        while position < scalars.count, digits.count < maxDigits {
            if isDigit(scalars[position]) {
                digits.append(scalars[position])
                position += 1
                end = position
                continue
            }
            guard !digits.isEmpty else { break }
            var gap = 0
            var probe = position
            while probe < scalars.count, isPhoneSeparator(scalars[probe]), gap < maxGap { probe += 1; gap += 1 }
            guard gap > 0, probe < scalars.count, isDigit(scalars[probe]) else { break }
            position = probe
        }
        return (digits, end)
    }

    /// The international prefix (`+44`, `0044`, optionally `(0)`) starting at `index`, if any;
    /// returns the offset where the national digits begin.
    static func internationalPrefix(_ scalars: Scalars, at index: Int) -> Int? {
        var position = index
        func skip(_ limit: Int) { var n = 0; while position < scalars.count, n < limit, Self.prefixGaps.contains(scalars[position]) { position += 1; n += 1 } }
        if scalars[position] == "+" {
            position += 1
        } else if position + 1 < scalars.count, scalars[position] == "0", scalars[position + 1] == "0" {
            position += 2
        } else {
            return nil
        }
        skip(1)
        guard position + 1 < scalars.count, scalars[position] == "4", scalars[position + 1] == "4" else { return nil }
        position += 2
        skip(1)
        if position + 2 < scalars.count, scalars[position] == "(", scalars[position + 1] == "0", scalars[position + 2] == ")" {
            position += 3
            skip(1)
        }
        return position
    }

    /// UK phone numbers: national (`0` and 9 or 10 more digits) and international (`+44`/`0044`
    /// and 9 or 10 digits), with up to two spaces, hyphens, dots or brackets between digits. A
    /// leading 0 or 44 is required, so times, years, sums and bus routes are left alone.
    static func phones(in scalars: Scalars) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            guard scalar == "+" || scalar == "0" || scalar == "(",
                  index == 0 || !(isAlnum(scalars[index - 1]) || scalars[index - 1] == "+") else { index += 1; continue }
            if let national = internationalPrefix(scalars, at: index) {
                let (digits, end) = readDigits(scalars, from: national, maxDigits: 10, maxGap: 2)
                if digits.count >= 9, end >= scalars.count || !isDigit(scalars[end]), national < scalars.count, isDigit(scalars[national]) {
                    found.append(index..<end)
                    index = end
                    continue
                }
            }
            var zero = index
            if scalar == "(" { zero += 1 }
            if zero < scalars.count, scalars[zero] == "0" {
                let (digits, end) = readDigits(scalars, from: zero, maxDigits: 11, maxGap: 2)
                if digits.count >= 10, end >= scalars.count || !isDigit(scalars[end]) {
                    found.append(index..<end)
                    index = end
                    continue
                }
            }
            index += 1
        }
        return found
    }

    /// `scalars` with `%XX` escapes decoded (as a URL writes `ś` or `@`: `Wi%C5%9Bniewska`,
    /// `name%40example.com`).
    static func percentDecoded(_ scalars: some Collection<Unicode.Scalar>) -> [Unicode.Scalar] {
        func hex(_ s: Unicode.Scalar) -> UInt8? {
            switch s {
            case "0"..."9": UInt8(s.value - 48)
            case "a"..."f": UInt8(s.value - 87)
            case "A"..."F": UInt8(s.value - 55)
            default: nil
            }
        }
        let input = Array(scalars)
        var bytes: [UInt8] = []
        var index = 0
        while index < input.count {
            if input[index] == "%", index + 2 < input.count, let high = hex(input[index + 1]), let low = hex(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                Unicode.UTF8.encode(input[index]) { bytes.append($0) }
                index += 1
            }
        }
        return Array(String(decoding: bytes, as: UTF8.self).unicodeScalars)
    }

    /// Email addresses written percent-encoded in a link (`mailto:tendai%2Emoyo%40gmail%2Ecom`):
    /// the run around a `%40` that decodes to one.
    static func percentEncodedEmails(in scalars: Scalars) -> [(range: Range<Int>, plain: String)] {
        var found: [(Range<Int>, String)] = []
        var index = 0
        while index + 2 < scalars.count {
            defer { index += 1 }
            guard scalars[index] == "%", scalars[index + 1] == "4", scalars[index + 2] == "0" else { continue }
            var lower = index, upper = index + 3
            while lower > 0, !isBlank(scalars[lower - 1]), !bracketOpeners.contains(scalars[lower - 1]), scalars[lower - 1] != ":" { lower -= 1 }
            while upper < scalars.count, !isBlank(scalars[upper]), !bracketClosers.contains(scalars[upper]), scalars[upper] != "&" { upper += 1 }
            let decoded = percentDecoded(scalars[lower..<upper])
            if let email = emails(in: decoded).first {
                found.append((lower..<upper, String(String.UnicodeScalarView(decoded[email]))))
            }
            index = upper  // each run once, found or not
        }
        return found
    }

    /// Digit words of a number read out (a voicemail, a transcript): `oh`, `zero`, `one` … `nine`.
    static let digitWords: WordTable<Character> = [
        "oh": "0", "o": "0", "zero": "0", "nought": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
        "seven": "7", "eight": "8", "nine": "9",
    ]

    /// Words a number read out can open with.
    static let spokenStarts = WordSet(Set(digitWords.keys).union(["double", "triple"]))

    /// Numbers said digit by digit in words, with `double`, `triple` and `hundred` (`oh seven
    /// seven double oh, nine double oh …`, `oh seven seven hundred`), mixed with digits
    /// (`oh-seven-seven-double-oh 900777`), or groups of digits read out one after another
    /// (`07700 then 900 then 123`): each run of three digit words or more, or of groups joined by
    /// `then`, as (scalar range, digits).
    static func spokenNumbers(in text: TextTokens) -> [(range: Range<Int>, digits: String)] {
        let tokens = text.tokens
        func startsRun(_ index: Int) -> Bool {
            let token = tokens[index]
            if token.kind == .word { return token.length <= 6 && spokenStarts.contains(token.folded) }
            guard token.kind == .number, let next = text.nextSolid(after: index) else { return false }
            return tokens[next].folded == "then"
        }
        var found: [(Range<Int>, String)] = []
        var index = 0
        while index < tokens.count {
            guard startsRun(index) else {
                index += 1
                continue
            }
            var digits = ""
            var words = 0
            var joinedByThen = false
            var repeatCount = 1
            var position = index
            var end = index
            while position < tokens.count {
                let token = tokens[position]
                if token.kind == .word, token.folded == "double" || token.folded == "triple" {
                    repeatCount = token.folded == "double" ? 2 : 3
                } else if token.kind == .word, token.folded == "hundred", words > 0, repeatCount == 1 {
                    digits += "00"  // "seven seven hundred": 7700
                    end = position + 1
                } else if token.kind == .word, token.folded == "then", !digits.isEmpty, repeatCount == 1 {
                    joinedByThen = true
                } else if token.kind == .word, let digit = digitWords[token.folded] {
                    digits += String(repeating: digit, count: repeatCount)
                    repeatCount = 1
                    words += 1
                    end = position + 1
                } else if token.kind == .number, words > 0 || joinedByThen || position == index, repeatCount == 1 {
                    digits += token.folded
                    end = position + 1
                } else {
                    break
                }
                // The next element after a space, a hyphen or a comma and a space, on the same line.
                // (A spaced dash too: "seven – oh".)
                var next = position + 1
                if next + 1 < tokens.count, tokens[next].kind == .space, !tokens[next].newline, tokens[next].length <= 2,
                   tokens[next + 1].kind == .punct, "–—".unicodeScalars.contains(tokens[next + 1].scalar) { next += 1 }
                if next < tokens.count, tokens[next].kind == .punct, "-,–—".unicodeScalars.contains(tokens[next].scalar) { next += 1 }
                if next < tokens.count, tokens[next].kind == .space, !tokens[next].newline, tokens[next].length <= 2 { next += 1 }
                guard next < tokens.count, tokens[next].kind == .word || tokens[next].kind == .number,
                      next > position + 1 || tokens[next].kind != tokens[position].kind else { break }
                position = next
            }
            if (words >= 3 || joinedByThen && digits.count >= 10), end > index { found.append((tokens[index].start..<tokens[end - 1].end, digits)) }
            index = max(end, index + 1)
        }
        return found
    }

    /// Whether `digits` are a UK phone number: `0` and nine or ten digits, or `44` and the same.
    static func isUKNumber(_ digits: String) -> Bool {
        (digits.hasPrefix("0") && (10...11).contains(digits.count)) || (digits.hasPrefix("44") && (11...12).contains(digits.count))
    }

    /// A registered phone number as its country code and its national digits (without the trunk
    /// `0`): `+40 721 555 012` → (`40`, `721555012`), `0040 …` the same, `07700 900123` and
    /// `+44 (0)7700 900123` → (`44`, `7700900123`). A number without an international prefix is
    /// taken as a UK one.
    static func ownNumber(_ raw: String) -> (countryCode: [Unicode.Scalar], national: [Unicode.Scalar]) {
        var digits = Array(raw.unicodeScalars.filter(TextTokens.isDigit))
        let plus = raw.unicodeScalars.first(where: { !$0.properties.isWhitespace }) == "+"
        var countryCode: [Unicode.Scalar] = ["4", "4"]
        if plus || digits.starts(with: ["0", "0"]) {
            if !plus { digits.removeFirst(2) }
            let length = countryCodeLength(digits)
            countryCode = Array(digits.prefix(length))
            digits.removeFirst(min(length, digits.count))
        } else if digits.starts(with: ["4", "4"]), digits.count >= 11 {
            digits.removeFirst(2)
        }
        if digits.first == "0" { digits.removeFirst() }
        return (countryCode, digits)
    }

    /// The length of the ITU-T E.164 country code that `digits` open with: 1 for North America
    /// (`1`) and Russia and Kazakhstan (`7`), 2 for the codes the plan gives two digits, else 3.
    static func countryCodeLength(_ digits: [Unicode.Scalar]) -> Int {
        guard let first = digits.first else { return 0 }
        let second = digits.count > 1 ? digits[1] : "0"
        func among(_ set: String) -> Bool { set.unicodeScalars.contains(second) }
        switch first {
        case "1", "7": return 1
        case "2": return among("07") ? 2 : 3
        case "3": return among("0123469") ? 2 : 3
        case "4": return among("2") ? 3 : 2
        case "5": return among("09") ? 3 : 2
        case "6": return among("0123456") ? 2 : 3
        case "8": return among("1246") ? 2 : 3
        case "9": return among("0123458") ? 2 : 3
        default: return 0
        }
    }

    /// The trunk prefix a number is dialled with inside its country: `06` in Hungary, `8` in
    /// Russia, Kazakhstan and Lithuania, `80` in Belarus, `0` elsewhere (or nothing, which `0` also allows for).
    static func trunkPrefix(_ countryCode: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch String(String.UnicodeScalarView(countryCode)) {
        case "36": ["0", "6"]
        case "7", "370": ["8"]
        case "375": ["8", "0"]
        default: ["0"]
        }
    }

    /// One person's number in any spacing (a slash too: `06-30/123-4567`), with or without its
    /// trunk prefix (``trunkPrefix(_:)``, or `(0)`) and its country code (`+40`, `0040`, `40`).
    /// `national` is the number without the country code and the trunk prefix.
    static func phone(_ national: [Unicode.Scalar], countryCode: [Unicode.Scalar] = ["4", "4"], in scalars: Scalars) -> [Range<Int>] {
        guard national.count >= 6 else { return [] }
        let trunk = trunkPrefix(countryCode)
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard scalars[index] == national[0], canStartNational(scalars, at: index, countryCode: countryCode, trunk: trunk) else { index += 1; continue }
            var position = index
            var matched = 0
            while position < scalars.count, matched < national.count {
                if scalars[position] == national[matched] { matched += 1; position += 1; continue }
                if matched > 0, isPhoneSeparator(scalars[position]) || scalars[position] == "/" { position += 1; continue }
                break
            }
            guard matched == national.count, position >= scalars.count || !isDigit(scalars[position]) else { index += 1; continue }
            let start = prefixStart(scalars, before: index, countryCode: countryCode, trunk: trunk)
            guard start == 0 || !isDigit(scalars[start - 1]) else { index += 1; continue }
            found.append(start..<position)
            index = position
        }
        return found
    }

    /// Whether `digits` are written right before `end`, with nothing numeric before them but an
    /// international `00` (`allowingZeros`).
    static func written(_ digits: [Unicode.Scalar], endsAt end: Int, in scalars: Scalars, allowingZeros: Bool = true) -> Bool {
        let start = end - digits.count
        guard start >= 0, scalars[start..<end].elementsEqual(digits) else { return false }
        return start == 0 || !isDigit(scalars[start - 1]) || (allowingZeros && start >= 2 && scalars[start - 1] == "0" && scalars[start - 2] == "0")
    }

    /// Whether national digits may begin at `index`: nothing numeric before them but the trunk
    /// prefix or the country code (with a separator between or not).
    static func canStartNational(_ scalars: Scalars, at index: Int, countryCode: [Unicode.Scalar], trunk: [Unicode.Scalar]) -> Bool {
        func digit(_ i: Int) -> Bool { i >= 0 && isDigit(scalars[i]) }
        guard digit(index - 1) else { return true }
        if written(countryCode, endsAt: index, in: scalars) { return true }
        let trunkStart = index - trunk.count
        guard trunkStart >= 0, scalars[trunkStart..<index].elementsEqual(trunk) else { return false }
        return !digit(trunkStart - 1) || written(countryCode, endsAt: trunkStart, in: scalars)
    }

    /// Walks back over the trunk prefix or `(0)`, the country code with `+` or `00`, and the
    /// separators between them.
    static func prefixStart(_ scalars: Scalars, before index: Int, countryCode: [Unicode.Scalar], trunk: [Unicode.Scalar]) -> Int {
        var start = index
        var probe = index
        func back() { while probe > 0, Self.prefixGapsBack.contains(scalars[probe - 1]) { probe -= 1 } }
        back()
        for prefix in trunk == ["0"] ? [trunk] : [trunk, ["0"]] {
            let trunkStart = probe - prefix.count
            guard trunkStart >= 0, scalars[trunkStart..<probe].elementsEqual(prefix),
                  trunkStart == 0 || !isDigit(scalars[trunkStart - 1]) || written(countryCode, endsAt: trunkStart, in: scalars) else { continue }
            probe = trunkStart
            start = probe
            if probe > 0, scalars[probe - 1] == "(" { probe -= 1; start = probe }
            back()
            break
        }
        if written(countryCode, endsAt: probe, in: scalars) {
            var candidate = probe - countryCode.count
            if candidate > 0, scalars[candidate - 1] == "+" {
                candidate -= 1
            } else if candidate >= 2, scalars[candidate - 1] == "0", scalars[candidate - 2] == "0" {
                candidate -= 2
            } else if candidate > 1, scalars[candidate - 1] == " ", scalars[candidate - 2] == "+" {
                candidate -= 2
            }
            start = candidate
        }
        if start < index, scalars[start] == ")" { start = index }
        return start
    }

    // MARK: Postcodes

    /// A UK postcode (`E8 1AB`, `e81ab`, `SW1A 1AA`), with or without its space, in any case.
    /// "M25 3am" (a motorway and a time) has a postcode's shape and is left alone.
    static func postcodes(in scalars: Scalars) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var index = 0
        while index < scalars.count {
            guard isASCIILetter(scalars[index]), boundaryBefore(scalars, index), let end = postcode(scalars, at: index) else { index += 1; continue }
            found.append(index..<end)
            index = end
        }
        return found
    }

    /// The end of a postcode starting at `start`, if one does.
    static func postcode(_ scalars: Scalars, at start: Int) -> Int? {
        var outwardEnds: [Int] = []
        for letters in [2, 1] {
            guard start + letters < scalars.count, (start..<start + letters).allSatisfy({ isASCIILetter(scalars[$0]) }) else { continue }
            let digit = start + letters
            guard isDigit(scalars[digit]) else { continue }
            if digit + 1 < scalars.count, isDigit(scalars[digit + 1]) || isASCIILetter(scalars[digit + 1]) { outwardEnds.append(digit + 2) }
            outwardEnds.append(digit + 1)
        }
        // The Post Office's own non-geographic postcode.
        if upper(scalars[start]) == "G", start + 3 < scalars.count, upper(scalars[start + 1]) == "I", upper(scalars[start + 2]) == "R" {
            outwardEnds = [start + 3]
        }
        for outwardEnd in outwardEnds {
            // White space (a line break too), or one mark with spaces around it or not, between the
            // halves: `E8 1AB`, `WC1H-8HZ`, `LS6 – 2AB`, `LS6/2AB`.
            var position = outwardEnd
            var unusual = false
            while position < scalars.count, isBlank(scalars[position]) {
                unusual = unusual || scalars[position] == "\n" || scalars[position] == "\r"
                position += 1
            }
            if position < scalars.count, postcodeMarks.contains(scalars[position]) {
                unusual = true
                position += 1
                while position < scalars.count, scalars[position] == " " || scalars[position] == "\u{00A0}" { position += 1 }
            }
            guard position + 2 < scalars.count, isDigit(scalars[position]),
                  isASCIILetter(scalars[position + 1]), isASCIILetter(scalars[position + 2]),
                  boundaryAfter(scalars, position + 3) else { continue }
            if isMotorwayAndTime(scalars, start: start, outwardEnd: outwardEnd, inward: position) { return nil }
            // Set apart unusually, an ordinal or a time is not an inward code (`B4⏎2nd floor`, `A1-3am`).
            // (An inward code in capitals may end ST, ND, RD or TH: `LS6⏎2ND`.)
            if unusual {
                let letters = String(String.UnicodeScalarView([lower(scalars[position + 1]), lower(scalars[position + 2])]))
                if letters == "am" || letters == "pm" { continue }
                if ordinalEndings.contains(letters), scalars[position + 1].properties.isLowercase || countedWordFollows(scalars, position + 3) { continue }
            }
            return position + 3
        }
        return nil
    }

    static let postcodeMarks: ScalarSet = "-–—/."
    static let countedWords: Set<String> = ["floor", "time", "row", "stop", "exit", "gate", "door", "place", "class", "year", "round", "street", "avenue", "road"]

    /// Whether a word an ordinal counts follows `index` (`2ND FLOOR`, `1ST TIME`).
    static func countedWordFollows(_ scalars: Scalars, _ index: Int) -> Bool {
        var start = index
        while start < scalars.count, scalars[start] == " " { start += 1 }
        var end = start
        while end < scalars.count, isASCIILetter(scalars[end]) { end += 1 }
        guard end > start, end - start <= 6 else { return false }
        return countedWords.contains(lowered(scalars, start..<end))
    }
    static let ordinalEndings: Set<String> = ["st", "nd", "rd", "th"]

    static func isMotorwayAndTime(_ scalars: Scalars, start: Int, outwardEnd: Int, inward: Int) -> Bool {
        guard scalars[start] == "M", (start + 1..<outwardEnd).allSatisfy({ isDigit(scalars[$0]) }), inward > outwardEnd else { return false }
        let suffix = String(String.UnicodeScalarView(scalars[inward + 1...inward + 2]))
        return suffix == "am" || suffix == "pm"
    }

    /// A postcode written compactly in upper case (`E81AB`), for comparing.
    static func compactPostcode(_ scalars: some Collection<Unicode.Scalar>) -> String {
        String(String.UnicodeScalarView(scalars.filter { isDigit($0) || isASCIILetter($0) }.map(upper)))
    }

    // MARK: National Insurance numbers

    /// Two letters, six digits and a final A–D, in any case, with one kind of separator (space,
    /// hyphen, dot, slash, dash) wherever the writer put it, or none. The prefix follows HMRC's
    /// rule (first letter not D, F, I, Q, U or V; second not D, F, I, O, Q, U or V), with `QQ`, the
    /// specimen prefix on forms, also taken: so "On 03/11/25 a…" is not one.
    static func niNumbers(in scalars: Scalars) -> [Range<Int>] {
        func isSeparator(_ s: Unicode.Scalar) -> Bool { Self.niSeparators.contains(s) }
        var found: [Range<Int>] = []
        var index = 0
        while index + 8 < scalars.count {
            guard isASCIILetter(scalars[index]), boundaryBefore(scalars, index) else { index += 1; continue }
            // The prefix's letters apart too (`Q Q 1 2 3 4 5 6 C`), with the separator used throughout.
            var second = index + 1
            var separator: Unicode.Scalar?
            if isSeparator(scalars[second]), isASCIILetter(scalars[second + 1]) {
                separator = scalars[second]
                second += 1
            }
            // Written whole, the groups may be set apart by spaces and hyphens mixed (`AB 12-34-56 C`), unless
            // the prefix is an English word ("On 03/11/25 a man", "ON 03-11-25 A MAN"); with the
            // prefix's letters apart, only by the one used between them.
            let spacedPrefix = separator != nil
            var mixedSeparatorsAllowed = true
            guard isASCIILetter(scalars[second]), isNIPrefix(upper(scalars[index]), upper(scalars[second])) else { index += 1; continue }
            var position = second + 1
            var digits = 0
            var consistent = true
            func take(_ s: Unicode.Scalar) {
                if let separator, separator != s { consistent = false }
                // Dates are written with slashes and dots; an NI number's groups with spaces and hyphens.
                if s == "/" || s == "." { mixedSeparatorsAllowed = false }
                separator = s
            }
            while position < scalars.count, digits < 6 {
                if isDigit(scalars[position]) { digits += 1; position += 1; continue }
                if isSeparator(scalars[position]), position + 1 < scalars.count, isDigit(scalars[position + 1]) {
                    take(scalars[position])
                    position += 1
                    continue
                }
                break
            }
            if digits == 6, position < scalars.count, isSeparator(scalars[position]) { take(scalars[position]); position += 1 }
            guard digits == 6, position < scalars.count,
                  consistent || (!spacedPrefix && mixedSeparatorsAllowed && !isTwoLetterWord(scalars[index], scalars[second])
                                 && (isCapitalLetters(scalars[index], scalars[second], scalars[position])
                                     || isDigit(scalars[second + 1]) && isDigit(scalars[position - 1]))), (0x41...0x44).contains(upper(scalars[position]).value),
                  boundaryAfter(scalars, position + 1) else { index += 1; continue }
            found.append(index..<(position + 1))
            index = position + 1
        }
        return found
    }

    static let twoLetterWords: Set<String> = [
        "am", "an", "as", "at", "be", "by", "go", "he", "hi", "if", "in", "is", "it", "me", "my", "no", "of", "oh", "ok", "on", "or",
        "so", "to", "up", "us", "we",
    ]

    /// Whether the NI prefix and suffix letters are capitals; in small letters, mixed separators
    /// count only with the letters touching the digits (`qq12-34 56c`, not "pm 12-14 30 a man").
    static func isCapitalLetters(_ letters: Unicode.Scalar...) -> Bool {
        letters.allSatisfy { $0.value >= 0x41 && $0.value <= 0x5A }
    }

    static func isTwoLetterWord(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
        twoLetterWords.contains(String(String.UnicodeScalarView([lower(first), lower(second)])))
    }

    static func isNIPrefix(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
        if first == "Q", second == "Q" { return true }
        return !Self.badFirst.contains(first) && !Self.badSecond.contains(second)
    }
}
