/// The victim's names (name and other names) as folded keys, with the equivalents the matcher
/// accepts for each: Irish and Scottish stems (`O'Donnell` → `donnell`, `McDonagh` →
/// `macdonagh`, `donagh`), joined forms of particles and hyphenated names, familiar forms, and
/// phonetic skeletons for spellings that differ by a transliteration.
struct NameKeys {
    /// Matched wherever the word stands, in any case (the registered tokens and their stems).
    var exact: Set<String> = []
    /// Familiar forms of the given names ("kasia" for "katarzyna").
    var familiar: Set<String> = []
    /// ``NameKeys/skeletons(_:)`` of each exact key of four letters or more.
    var skeletons: Set<String> = []
    /// Skeletons of five letters or more, for the one-edit rule.
    var fuzzy: [String] = []
    /// Given names (first words) of five letters or more, for shortened and diminutive forms.
    var prefixes: [String] = []

    /// Particles written before a family name: `O'`, `Ó`, `Mc`, `Mac`, `Ní`, `Nic`, `de`, `van` …
    static let particles: Set<String> = [
        "o", "mc", "mac", "ni", "nic", "ua", "ui", "mhic", "mag", "de", "da", "di", "du", "del", "della", "dos", "das",
        "van", "von", "der", "den", "le", "la", "al", "el", "ben", "bin", "ibn", "abu", "ap", "st",
    ]

    init(names: [String]) {
        for name in names {
            let tokens = TextTokens(name)
            let words = tokens.tokens.indices.filter { tokens.tokens[$0].kind == .word }
            for (position, index) in words.enumerated() {
                let token = tokens.tokens[index]
                let folded = token.folded
                if folded.count >= 2, !Self.particles.contains(folded) || words.count == 1 { add(folded) }
                // A particle joined to the next word, across an apostrophe or a space (O'Donnell, Ó Donnell).
                if position + 1 < words.count, Self.particles.contains(folded) {
                    let next = tokens.tokens[words[position + 1]].folded
                    if next.count >= 2 {
                        add(folded + next)
                        add(next)
                        if folded == "mc" { add("mac" + next) }
                        if folded == "mac" { add("mc" + next) }
                    }
                }
                // Hyphenated parts joined (Smith-Jones → smithjones).
                if position + 1 < words.count, words[position + 1] == index + 2, tokens.tokens[index + 1].folded == "-" {
                    add(folded + tokens.tokens[words[position + 1]].folded)
                }
                addPrefixedStem(folded, original: tokens.scalars[token.start..<token.end])
                if folded.count >= 2 {
                    for variant in FamiliarNames.variants[folded] ?? [] where !exact.contains(variant) { familiar.insert(variant) }
                }
                // Shortened forms are of given names (the first word): a surname's start is often
                // another name (Adams → Adam, Peters → Peter).
                if position == 0, words.count > 1 || names.count == 1, folded.count >= 5, !Self.particles.contains(folded) { prefixes.append(folded) }
            }
        }
        familiar.subtract(exact)
        fuzzy = skeletons.filter { $0.count >= 5 }.sorted()
    }

    var isEmpty: Bool { exact.isEmpty }

    mutating func add(_ key: String) {
        guard !key.isEmpty else { return }
        exact.insert(key)
        for skeleton in Self.skeletons(key) where skeleton.count >= 4 { skeletons.insert(skeleton) }
    }

    /// `McDonagh`, `MacDonald`, `ODonnell` written as one word: the stem is a key too, and Mc and
    /// Mac stand for each other. A `Mac` is only a prefix when a capital follows it or the stem
    /// is long and no ordinary word (Mackenzie, not Mace or Machin).
    mutating func addPrefixedStem(_ folded: String, original: ArraySlice<Unicode.Scalar>) {
        let letters = Array(original)
        func capitalAt(_ offset: Int) -> Bool { offset < letters.count && letters[offset].properties.isUppercase }
        if folded.hasPrefix("mc"), folded.count >= 5 {
            let stem = String(folded.dropFirst(2))
            add(stem)
            add("mac" + stem)
        } else if folded.hasPrefix("mac"), folded.count >= 6 {
            let stem = String(folded.dropFirst(3))
            if capitalAt(3) || (stem.count >= 4 && !CommonWords.isCommon(stem)) {
                add(stem)
                add("mc" + stem)
            }
        } else if folded.hasPrefix("o"), folded.count >= 5, capitalAt(1), !capitalAt(2) {
            add(String(folded.dropFirst()))
        }
    }

    /// Phonetic skeletons for spellings that differ by a transliteration or a German umlaut
    /// written out: `melnyk` = `melnik`, `mueller` = `muller`, `jurij` = `yuri` → `iuri`,
    /// `catalin` = `katalin`, `djordje` = `dorde`. Doubled letters count once. A `ch` is read both
    /// as in English (`c`) and as the German-style spelling of Cyrillic `х` (`h`: `Charchenko` =
    /// `Kharchenko`), so a word with `ch` has two skeletons.
    static func skeletons(_ folded: String) -> [String] {
        guard folded.contains("ch") else { return [skeleton(folded, ch: "c")] }
        return [skeleton(folded, ch: "c"), skeleton(folded, ch: "h")]
    }

    static func skeleton(_ folded: String, ch: String) -> String {
        let digraphs: [(String, String)] = [
            ("sch", "s"), ("tch", "c"), ("sh", "s"), ("sz", "s"), ("zh", "z"), ("kh", "h"), ("ch", ch), ("cz", "c"), ("dj", "d"),
            ("ph", "f"), ("th", "t"), ("ck", "k"), ("ae", "a"), ("oe", "o"), ("ue", "u"), ("x", "ks"),
        ]
        var text = folded
        if text.count > 2 {
            for (from, to) in digraphs where text.contains(from) { text = text.replacingOccurrences(of: from, with: to) }
        }
        var out = ""
        var previous: Character?
        for character in text {
            let mapped: Character
            switch character {
            case "y", "j": mapped = "i"
            case "w": mapped = "v"
            case "q", "c": mapped = "k"
            case "z": mapped = "s"
            default: mapped = character
            }
            if mapped != previous { out.append(mapped) }
            previous = mapped
        }
        return out
    }
}
