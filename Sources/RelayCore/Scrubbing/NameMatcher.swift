/// Finds the victim's names in tokenised text by equivalence after folding, not by a pattern per
/// written form. A word is the victim's name when, folded:
/// - it is a registered token or stem (any case, whole words only: `Rose` leaves `rosemary`);
/// - it is one plus a plural (`the McDonaghs`) — for a name that is also an ordinary word only
///   when capitalised after "the" (`the Prices`, never `prices`);
/// - it is a familiar form (`Kasia` for Katarzyna) — capitalised mid-sentence if it is also a word;
/// - its phonetic skeleton equals a name's (`Melnik`/`Мельник` for Melnyk), or is one edit from
///   it (`Ioannes` for Ioannis) — both only for words that are no ordinary word, month, weekday or
///   place, the one-edit rule also only for capitalised words of five letters or more;
/// - it is the start of a registered name of five letters or more (`Stef`, `Stefi` for Stefan),
///   capitalised and no ordinary word;
/// - it is registered names glued together (`StefanLacatus`, `marialovell`).
/// Several words make one name when joined across an apostrophe, hyphen, full stop or line break
/// (`Wiś-⏎niewski`, `O Donnell`), as letters spelt out (`M A R I A`, `L.O.V.E.L.L.`) or in the NATO
/// alphabet. A handle, hashtag, URL or email address that contains a name goes whole. Possessives,
/// a leading initial (`Ł. Wiśniewski`) and a leading particle (`O`, `Mc`) go with the name, and a
/// run of names is one replacement.
struct NameMatcher {
    let keys: NameKeys
    /// Registered and familiar forms, for names glued into one word.
    let glueKeys: [String]

    static let diminutiveSuffixes = ["ie", "y", "i", "ey", "ek", "ka", "ko", "ica", "ika", "ita", "ito", "ci", "si", "zi"]
    static let nato: [String: Character] = [
        "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e", "foxtrot": "f", "golf": "g",
        "hotel": "h", "india": "i", "juliet": "j", "juliett": "j", "kilo": "k", "lima": "l", "mike": "m", "november": "n",
        "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
        "whiskey": "w", "whisky": "w", "xray": "x", "yankee": "y", "zulu": "z",
    ]

    init?(names: [String]) {
        let keys = NameKeys(names: names)
        guard !keys.isEmpty else { return nil }
        self.keys = keys
        self.glueKeys = keys.exact.union(keys.familiar.filter { !CommonWords.isCommon($0) }).filter { $0.count >= 2 }.sorted()
    }

    /// Scalar ranges of the victim's names in `text`.
    func spans(in text: TextTokens) -> [Range<Int>] {
        let tokens = text.tokens
        var matched: [Range<Int>] = []  // token index ranges
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index].kind == .word else { continue }
            if let end = joined(text, from: index) ?? spelt(text, from: index) ?? natoSpelt(text, from: index) {
                matched.append(index..<end)
                index = end - 1
                continue
            }
            if matches(text, index) { matched.append(index..<(index + 1)) }
        }
        var scalarRanges = merge(text, matched).map { extend(text, $0) }.map { tokens[$0.lowerBound].start..<tokens[$0.upperBound - 1].end }
        scalarRanges += compounds(text)
        return scalarRanges
    }

    // MARK: One word

    func matches(_ text: TextTokens, _ index: Int) -> Bool {
        let token = text.tokens[index]
        let folded = token.folded
        guard folded.count >= 2 else { return false }
        if keys.exact.contains(folded) { return true }
        // A family name with an Irish or Scottish particle glued on (ODonnell, McDonagh) where the
        // name was registered without it.
        for particle in ["o", "mc", "mac"] where folded.hasPrefix(particle) && folded.count >= particle.count + 4 {
            let stem = String(folded.dropFirst(particle.count))
            if token.capitalised, keys.exact.contains(stem) || NameKeys.skeletons(stem).contains(where: keys.skeletons.contains) { return true }
        }
        // Only a word in Latin letters can be an ordinary English word or a place's usual name.
        let common = token.latin && CommonWords.isCommon(folded)
        if isPlural(text, index, folded) { return true }
        if keys.familiar.contains(folded) {
            if !common || (token.capitalised && !(text.isSentenceInitial(index) && Self.sentenceWords.contains(folded)) && !isContraction(text, index)) {
                return true
            }
        }
        guard !common else { return false }
        if glued(folded) { return true }
        // The loose rules below never take a word that names a place with the word after it.
        if let next = text.nextSolid(after: index), text.tokens[next].kind == .word, CommonWords.institutions.contains(text.tokens[next].folded) {
            return false
        }
        if index + 2 < text.tokens.count, text.tokens[index + 1].folded == "'" || text.tokens[index + 1].folded == "’",
           text.tokens[index + 2].folded == "s", let next = text.nextSolid(after: index + 2),
           CommonWords.institutions.contains(text.tokens[next].folded) {
            return false
        }
        let skeletons = NameKeys.skeletons(folded)
        if folded.count >= 4, skeletons.contains(where: keys.skeletons.contains) { return true }
        guard token.capitalised else { return false }
        for skeleton in skeletons where skeleton.count >= 5 {
            if keys.fuzzy.contains(where: { Self.withinOneEdit($0, skeleton) }) { return true }
        }
        if folded.count >= 3, isShortened(folded) { return true }
        return false
    }

    /// Familiar forms that are also words often opening a sentence ("Will you…", "May I…").
    static let sentenceWords: Set<String> = ["will", "may", "can", "don", "won", "art", "les", "mo", "ken", "sue"]

    /// "Don't", "Won't": a word before an apostrophe and `t`.
    func isContraction(_ text: TextTokens, _ index: Int) -> Bool {
        index + 2 < text.tokens.count && (text.tokens[index + 1].folded == "'" || text.tokens[index + 1].folded == "’")
            && text.tokens[index + 2].folded == "t"
    }

    func isPlural(_ text: TextTokens, _ index: Int, _ folded: String) -> Bool {
        for suffix in ["s", "es"] where folded.hasSuffix(suffix) && folded.count > suffix.count + 2 {
            let stem = String(folded.dropLast(suffix.count))
            guard keys.exact.contains(stem) else { continue }
            // English adds -es only after a hissing sound (the Joneses, the Walshes): Hughes is no Hugh.
            if suffix == "es", !["s", "x", "z", "ch", "sh"].contains(where: stem.hasSuffix) { continue }
            if !CommonWords.isCommon(stem) { return true }
            if text.tokens[index].capitalised, let previous = text.previousSolid(before: index),
               ["the", "both"].contains(text.tokens[previous].folded) { return true }
        }
        return false
    }

    /// A start of a registered name (`Stef`), or one plus a diminutive ending (`Stefi`, `Luki`).
    func isShortened(_ folded: String) -> Bool {
        for key in keys.prefixes where key.count > folded.count || key.first == folded.first {
            if key.hasPrefix(folded), folded.count < key.count, folded.count * 2 >= key.count { return true }
            for suffix in Self.diminutiveSuffixes where folded.hasSuffix(suffix) {
                let stem = folded.dropLast(suffix.count)
                if stem.count >= 3, stem.count * 2 >= key.count, key.hasPrefix(stem), stem.count < key.count { return true }
            }
        }
        return false
    }

    /// Registered names glued into one word (`marialovell`, `StefanLacatus`): at least two keys.
    func glued(_ folded: String) -> Bool {
        guard folded.count >= 5 else { return false }
        let letters = Array(folded)
        var reachable = [Int](repeating: 0, count: letters.count + 1)  // parts needed to reach i, 0 = unreachable except start
        reachable[0] = 0
        var reached = [Bool](repeating: false, count: letters.count + 1)
        reached[0] = true
        for start in 0..<letters.count where reached[start] {
            for key in glueKeys where start + key.count <= letters.count {
                guard String(letters[start..<(start + key.count)]) == key else { continue }
                let end = start + key.count
                if !reached[end] || reachable[end] < reachable[start] + 1 {
                    reached[end] = true
                    reachable[end] = max(reachable[end], reachable[start] + 1)
                }
            }
        }
        return reached[letters.count] && reachable[letters.count] >= 2
    }

    static func withinOneEdit(_ a: String, _ b: String) -> Bool {
        guard a != b, a.first == b.first else { return a == b }
        let x = Array(a.utf8), y = Array(b.utf8)
        if abs(x.count - y.count) > 1 { return false }
        var i = 0, j = 0, edits = 0
        while i < x.count && j < y.count {
            if x[i] == y[j] { i += 1; j += 1; continue }
            edits += 1
            if edits > 1 { return false }
            if x.count > y.count { i += 1 } else if y.count > x.count { j += 1 } else if i + 1 < x.count, x[i] == y[i + 1], x[i + 1] == y[i] {
                i += 2; j += 2  // a transposition
            } else { i += 1; j += 1 }
        }
        return edits + (x.count - i) + (y.count - j) <= 1
    }

    // MARK: Several words

    /// Whether the tokens between two words join them into one (`Wiś-⏎niewski`, `O'Donnell`).
    func isJoiner(_ text: TextTokens, _ range: Range<Int>, afterParticle: Bool) -> Bool {
        let gap = text.tokens[range]
        guard !gap.isEmpty, gap.count <= 2 else { return false }
        var scalars = 0
        for token in gap {
            scalars += token.length
            switch token.kind {
            case .space where token.newline: continue
            case .space where afterParticle && token.length == 1: continue
            // An apostrophe joins only after a particle or an initial (O'Donnell, D'Souza): after
            // anything else it is a possessive (Adam's is not Adams).
            case .punct where "'’".contains(token.folded): if !afterParticle { return false }
            case .punct where "-.·_*/‐".contains(token.folded): continue
            default: return false
            }
        }
        return scalars <= 3
    }

    /// Up to four words that join into a registered name; returns the end token index.
    func joined(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        var folded = tokens[index].folded
        var position = index
        var best: Int?
        for _ in 0..<3 {
            var next = position + 1
            while next < tokens.count, next - position <= 3, tokens[next].kind != .word { next += 1 }
            guard next < tokens.count, tokens[next].kind == .word,
                  isJoiner(text, (position + 1)..<next, afterParticle: position == index && (NameKeys.particles.contains(folded) || tokens[index].length == 1))
            else { break }
            folded += tokens[next].folded
            position = next
            if folded.count >= 4, keys.exact.contains(folded) || (keys.familiar.contains(folded) && !CommonWords.isCommon(folded)) { best = position + 1 }
        }
        return best
    }

    /// Letters spelt out one by one (`M A R I A`, `M-A-R-I-A`, `L.O.V.E.L.L.`) that spell a name.
    /// A wider gap (two spaces) separates spelt words: in `D A N G E R  G Y P S I E S` no word is
    /// "Dan". Returns the end of the spelt word that is a name.
    func spelt(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        guard tokens[index].length == 1, tokens[index].folded.count == 1,
              index == 0 || !(tokens[index - 1].kind == .space && tokens[index - 1].length == 1 && index >= 2 && tokens[index - 2].kind == .word && tokens[index - 2].length == 1)
        else { return nil }
        var letters = tokens[index].folded
        var last = index
        var next = index + 1
        while next < tokens.count {
            var gap = 0
            var probe = next
            while probe < tokens.count, tokens[probe].kind != .word, !tokens[probe].newline, gap < 3 {
                guard tokens[probe].kind == .space || " -.*_·".contains(tokens[probe].folded) else { break }
                gap += tokens[probe].length
                probe += 1
            }
            let wordGap = gap >= 2 && tokens[next..<probe].allSatisfy { $0.kind == .space }
            guard !wordGap, probe < tokens.count, tokens[probe].kind == .word, tokens[probe].length == 1, tokens[probe].folded.count == 1,
                  gap <= 2, gap > 0 else { break }
            letters += tokens[probe].folded
            last = probe
            next = probe + 1
        }
        guard letters.count >= 3, keys.exact.contains(letters) || glued(letters) || containsName(letters, minimum: 4)
            || (letters.count >= 4 && NameKeys.skeletons(letters).contains(where: keys.skeletons.contains)) else { return nil }
        var end = last + 1
        if end < tokens.count, tokens[end].folded == "." { end += 1 }
        return end
    }

    /// A name spelt in the NATO alphabet (`Mike Alpha Romeo India Alpha`).
    func natoSpelt(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        guard let first = Self.nato[tokens[index].folded] else { return nil }
        var letters = String(first)
        var last = index
        var probe = text.nextSolid(after: index)
        while let current = probe {
            if tokens[current].kind == .punct, "-,".contains(tokens[current].folded) { probe = text.nextSolid(after: current); continue }
            guard tokens[current].kind == .word, let letter = Self.nato[tokens[current].folded] else { break }
            letters.append(letter)
            last = current
            probe = text.nextSolid(after: current)
        }
        guard letters.count >= 3, containsName(letters, minimum: 3) else { return nil }
        return last + 1
    }

    func containsName(_ letters: String, minimum: Int) -> Bool {
        for key in keys.exact where key.count >= minimum && letters.contains(key) { return true }
        for key in keys.familiar where key.count >= max(minimum, 4) && letters.contains(key) && !CommonWords.isCommon(key) { return true }
        return false
    }

    // MARK: Around a match

    /// Runs of names separated only by spaces or hyphens become one replacement.
    func merge(_ text: TextTokens, _ ranges: [Range<Int>]) -> [Range<Int>] {
        var merged: [Range<Int>] = []
        for range in ranges {
            if let last = merged.last, text.tokens[last.upperBound..<range.lowerBound].allSatisfy({ $0.kind == .space || $0.folded == "-" }),
               range.lowerBound - last.upperBound <= 3 {
                merged[merged.count - 1] = last.lowerBound..<range.upperBound
            } else {
                merged.append(range)
            }
        }
        return merged
    }

    /// Takes a possessive, a leading initial and a leading particle with the name.
    func extend(_ text: TextTokens, _ range: Range<Int>) -> Range<Int> {
        let tokens = text.tokens
        var lower = range.lowerBound
        var upper = range.upperBound
        // Possessive: 's, ’s, or a bare apostrophe after a plural.
        if upper < tokens.count, tokens[upper].folded == "'" || tokens[upper].folded == "’" {
            if upper + 1 < tokens.count, tokens[upper + 1].kind == .word, tokens[upper + 1].folded == "s" { upper += 2 } else { upper += 1 }
        }
        // A particle (O, Ó, Mc, Mac, Ní) before the stem, across an apostrophe or a space.
        if lower >= 2, tokens[lower - 2].kind == .word, tokens[lower - 2].capitalised, NameKeys.particles.contains(tokens[lower - 2].folded),
           ["'", "’", " "].contains(tokens[lower - 1].folded), tokens[lower - 1].length == 1 {
            lower -= 2
        }
        // An initial: "M. Lovell", "M Lovell".
        var probe = lower - 1
        if probe >= 0, tokens[probe].kind == .space, !tokens[probe].newline {
            probe -= 1
            if probe >= 0, tokens[probe].folded == "." { probe -= 1 }
            if probe >= 0, tokens[probe].kind == .word, tokens[probe].length == 1, tokens[probe].capitalised,
               probe == 0 || tokens[probe - 1].kind == .space || tokens[probe - 1].kind == .punct && tokens[probe - 1].folded != "." {
                lower = probe
            }
        }
        return lower..<upper
    }

    // MARK: Handles, hashtags, URLs and addresses

    /// Runs of text without white space that are handles, hashtags, URLs or email addresses (or
    /// mix letters with digits or capitals mid-word) and contain a name.
    func compounds(_ text: TextTokens) -> [Range<Int>] {
        let scalars = text.scalars
        var found: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            while start < scalars.count, scalars[start].properties.isWhitespace { start += 1 }
            var end = start
            while end < scalars.count, !scalars[end].properties.isWhitespace { end += 1 }
            if end > start, let range = compound(scalars, start..<end) { found.append(range) }
            start = end
        }
        return found
    }

    func compound(_ scalars: [Unicode.Scalar], _ chunk: Range<Int>) -> Range<Int>? {
        var lower = chunk.lowerBound, upper = chunk.upperBound
        let leading = "\"'“‘([{<«", trailing = ".,;:!?\"'”’)]}>»"
        while lower < upper, leading.unicodeScalars.contains(scalars[lower]) { lower += 1 }
        while upper > lower, trailing.unicodeScalars.contains(scalars[upper - 1]) { upper -= 1 }
        guard upper - lower >= 4 else { return nil }
        let slice = scalars[lower..<upper]
        var hasLetter = false, hasDigit = false, marker = false, camel = false
        var previous: Unicode.Scalar?
        for scalar in slice {
            if TextTokens.isDigit(scalar) { hasDigit = true } else if TextTokens.isLetter(scalar) {
                hasLetter = true
                if let previous, previous.properties.isLowercase, scalar.properties.isUppercase { camel = true }
            } else if "@#/_:=+~".unicodeScalars.contains(scalar) {
                marker = true
            } else if scalar == ".", let previous, TextTokens.isLetter(previous) || TextTokens.isDigit(previous) {
                marker = true
            }
            previous = scalar
        }
        guard hasLetter, marker || camel || hasDigit else { return nil }
        // Trailing full stop of a sentence is not part of a handle.
        let plain = TextFolding.foldScalars(slice.filter { !TextTokens.isDigit($0) })
        if containsKey(plain) { return lower..<upper }
        for variant in Self.leet(slice) where containsKey(variant) { return lower..<upper }
        // Segments (at punctuation, digits and capitals): a short name must be a whole segment.
        for segment in Self.segments(slice) where keys.exact.contains(segment) || keys.familiar.contains(segment) { return lower..<upper }
        return nil
    }

    /// Whether a registered name (four letters or more), a familiar form that is no ordinary
    /// word, or a name's skeleton stands inside `letters`.
    func containsKey(_ letters: String) -> Bool {
        guard letters.count >= 4 else { return false }
        for key in keys.exact where key.count >= 4 && letters.contains(key) { return true }
        for skeleton in NameKeys.skeletons(letters) {
            for key in keys.skeletons where key.count >= 5 && skeleton.contains(key) { return true }
        }
        for key in keys.familiar where key.count >= 4 && !CommonWords.isCommon(key) && letters.contains(key) { return true }
        return false
    }

    /// Digits and symbols read as letters (`M4ria`, `L0vell`, `$tefan`); `1` as `i` and as `l`.
    static func leet(_ slice: ArraySlice<Unicode.Scalar>) -> [String] {
        guard slice.contains(where: { "0134578@$!|".unicodeScalars.contains($0) }) else { return [] }
        return ["i", "l"].map { one in
            var out = ""
            for scalar in slice {
                switch scalar {
                case "0": out += "o"
                case "1", "!", "|": out += one
                case "3": out += "e"
                case "4", "@": out += "a"
                case "5", "$": out += "s"
                case "7": out += "t"
                case "8": out += "b"
                default: out += TextFolding.foldScalars([scalar])
                }
            }
            return out
        }
    }

    static func segments(_ slice: ArraySlice<Unicode.Scalar>) -> [String] {
        var segments: [String] = []
        var current: [Unicode.Scalar] = []
        var previous: Unicode.Scalar?
        for scalar in slice {
            let split = !TextTokens.isLetter(scalar) || (previous.map { $0.properties.isLowercase } == true && scalar.properties.isUppercase)
            if split, !current.isEmpty { segments.append(TextFolding.foldScalars(current)); current = [] }
            if TextTokens.isLetter(scalar) { current.append(scalar) }
            previous = scalar
        }
        if !current.isEmpty { segments.append(TextFolding.foldScalars(current)) }
        return segments
    }
}
