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
    /// Given names (every word but the family name) of four letters or more and their familiar
    /// forms of five or more, for shortened, diminutive and clipped forms (`Faiz` for Mohd Faizal).
    var prefixes: [String] = []
    /// Consonant skeletons (vowels dropped), for names written in scripts that leave vowels out.
    var consonants: Set<String> = []
    /// Surname stems without gendered or plural endings (`horvath` for Horváthová, Horváthovci).
    var stems: Set<String> = []
    /// Consonant skeletons of four consonants or more of the family names, keyed with their first
    /// letter (``familyConsonantKey(_:_:)``): another Latin spelling must share both (Chaudhry for
    /// Chowdhury).
    var familyConsonants: Set<String> = []

    static func familyConsonantKey(_ first: Character, _ consonants: String) -> String { String(first) + consonants }

    /// The other gender's forms of the victim's family names (``NameKeys/addOtherGenderForms(_:)``):
    /// a relative's name, matched even beside another first name ("her husband Milan Dunka").
    var familyForms: Set<String> = []
    /// Four-letter stems of feminine surnames (Mirga → mirg), matched only before a Slavic
    /// possessive or family ending (Mirgowa, Mirgovci), never before any ending (Nadia is no Nadine).
    var vowelStems: Set<String> = []
    static let slavicEndings: WordSet = ["owa", "owna", "ova", "ovci", "ovi", "ovych"]

    /// Every word of a registered name but its last (the given names: Maria and Clara of Maria Clara
    /// Santos), and a name registered as one word.
    var given: Set<String> = []

    /// Each registered name of two words or more run together (`bridgetmcdonagh`), eight letters or more.
    var fullNames: [String] = []

    /// The first word of each registered name (Maria of Maria Clara Santos), and a name
    /// registered as one word: a first name, beside which a capitalised word is a surname.
    var firsts: Set<String> = []

    /// Two or three initials of a name (`jb`, `jm`, `jbm` for Jean-Baptiste Mukendi, `fn` for
    /// Faith Nwachukwu): the given name's parts (a hyphenated or two-word given name), the given
    /// and family names, or every word; particles left out.
    var initials: Set<String> = []

    /// Keys that are ordinary words (Rose, Price, Ward): case matters for them.
    var ordinary: Set<String> = []

    /// Middle names nearly every Vietnamese woman (Thị) carries: no key of their own (they would
    /// take the word from every Vietnamese witness's name), though part of the full name.
    static let generational: WordSet = ["thi"]
    /// The generational words the registered names carry (glued into handles only).
    var generationalWords: Set<String> = []

    /// Particles written before a family name: `O'`, `Ó`, `Mc`, `Mac`, `Ní`, `Nic`, `de`, `van` …
    static let particles: WordSet = [
        "o", "mc", "mac", "ni", "nic", "ua", "ui", "mhic", "mag", "de", "da", "di", "du", "del", "della", "dos", "das",
        "van", "von", "der", "den", "le", "la", "al", "el", "ben", "bin", "ibn", "abu", "ap", "st", "abd", "abdel", "abdul", "abdal",
    ]

    /// Keys for the registered `names` and for names the report's text `declared` for the victim
    /// (those add forms, never change which registered word counts as a given name).
    init(names: [String], declared: [String] = []) {
        for (nameIndex, name) in (names + declared).enumerated() {
            let isDeclared = nameIndex >= names.count
            let tokens = TextTokens(name)
            let words = tokens.tokens.indices.filter { tokens.tokens[$0].kind == .word }
            addInitials(tokens, words)
            let joined = words.map { tokens.tokens[$0].folded }.joined()
            if !isDeclared, words.count >= 2, joined.utf8.count >= 8 { fullNames.append(joined) }
            for (position, index) in words.enumerated() {
                let token = tokens.tokens[index]
                let folded = token.folded
                // A particle or Thị alone is no key, unless it is the whole name.
                if folded.count >= 2, words.count == 1 || !(Self.particles.contains(folded) || Self.generational.contains(folded)) { add(folded) }
                if Self.generational.contains(folded) { generationalWords.insert(folded) }
                // Vietnamese Đ is written D in English (Đức → Duc); the fold gives dj, as Serbian does.
                if tokens.scalars[token.start..<token.end].contains(where: { $0 == "đ" || $0 == "Đ" }) {
                    var bytes: [UInt8] = []
                    for byte in folded.utf8 where !(byte == UInt8(ascii: "j") && bytes.last == UInt8(ascii: "d")) { bytes.append(byte) }
                    add(String(decoding: bytes, as: UTF8.self))
                }
                if position + 1 < words.count || words.count == 1 { given.insert(folded) }
                if position == 0, !isDeclared, !Self.particles.contains(folded) { firsts.insert(folded) }
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
                // Hyphenated parts joined (Smith-Jones → smithjones), and parts joined by an
                // apostrophe that many systems drop (N'Diaye → ndiaye, D'Souza → dsouza).
                if position + 1 < words.count, words[position + 1] == index + 2,
                   tokens.tokens[index + 1].folded == "-" || NameMatcher.apostrophes.contains(tokens.tokens[index + 1].scalar) {
                    add(folded + tokens.tokens[words[position + 1]].folded)
                }
                addPrefixedStem(folded, original: tokens.scalars[token.start..<token.end])
                let forms = folded.count >= 2 ? FamiliarNames.forms(of: folded) : []
                for variant in forms where !exact.contains(variant) { familiar.insert(variant) }
                // Shortened forms are of given names (the first word): a surname's start is often
                // another name (Adams → Adam, Peters → Peter).
                // So are those of the given name's familiar forms of five letters or more (`Costi`
                // for Constantin, through Costică).
                if !isDeclared, position == 0 || position + 1 < words.count, words.count > 1 || names.count == 1, folded.count >= 4, !Self.particles.contains(folded) {
                    prefixes.append(folded)
                    prefixes += forms.filter { $0.utf8.count >= 5 && !CommonWords.isCommon($0) }.sorted()
                }
            }
        }
        familiar.subtract(exact)
        fuzzy = skeletons.filter { $0.count >= 5 }.sorted()
        for key in exact {
            if CommonWords.isCommon(key) { ordinary.insert(key) }
            let consonant = Self.consonants(key)
            if consonant.utf8.count >= 2 { consonants.insert(consonant) }
            // The key and (if five letters or more, so that Ivanov does not make every Ivan) its stem.
            // The key and its stem: five letters or more, so that Ivanov does not make every Ivan,
            // or four after a feminine vowel (Mirga → mirg, for Mirgowa).
            if key.utf8.count >= 4 {
                let candidates = Self.stemCandidates(key)  // [key, stem, ending] or [key]
                stems.insert(key)
                if candidates.count > 1 {
                    if candidates[1].utf8.count >= 5 { stems.insert(candidates[1]) } else if key.utf8.count - candidates[1].utf8.count == 1 { vowelStems.insert(candidates[1]) }
                }
            }
            if !given.contains(key) {
                addOtherGenderForms(key)
                if consonant.utf8.count >= 4, let first = key.first { familyConsonants.insert(Self.familyConsonantKey(first, consonant)) }
            }
        }
    }

    /// The other gender's forms of a family name, which a husband, a son or a father bears:
    /// Czech and Slovak `Nováková` → `Novák`, `Dunková` → `Dunka`; Russian and Bulgarian
    /// `Ivanova` → `Ivanov`, `Pushkina` → `Pushkin`; Latvian `Ozoliņa` → `Ozoliņš`, `Liepiņa` →
    /// `Liepiņš`, `-e` → `-is`; and the stem of an inflected name of five letters or more.
    mutating func addOtherGenderForms(_ key: String) {
        guard key.utf8.count >= 5 else { return }
        var forms: [String] = []
        let candidates = Self.stemCandidates(key)
        if candidates.count > 1 { forms.append(candidates[1]) }
        if key.hasSuffix("ova") || key.hasSuffix("owa") {
            let stem = String(key.dropLast(3))
            forms += [stem, stem + "a"]
        }
        // -a → -y as well: Czech and Slovak adjectival names (Černá → Černý, Novotná → Novotný).
        if key.hasSuffix("a") { forms += [String(key.dropLast()), String(key.dropLast()) + "s", String(key.dropLast()) + "y"] }
        if key.hasSuffix("e") { forms.append(String(key.dropLast()) + "is") }
        for form in forms where form.utf8.count >= 5 || (form.utf8.count == 4 && !CommonWords.isCommon(form)) {
            if form != key { familyForms.insert(form) }
        }
    }

    var isEmpty: Bool { exact.isEmpty }

    /// The initials of one registered name (``NameKeys/initials``), from its word tokens.
    mutating func addInitials(_ tokens: TextTokens, _ words: [Int]) {
        // First letters of the words, grouped where a hyphen joins two words (Jean-Baptiste).
        var groups: [[Character]] = []
        var previous: Int?
        for index in words {
            let folded = tokens.tokens[index].folded
            guard folded.utf8.count >= 2, !Self.particles.contains(folded), let letter = folded.first else { continue }
            if let previous, index == previous + 2, tokens.tokens[previous + 1].kind == .punct,
               tokens.tokens[previous + 1].scalar == "-" || tokens.tokens[previous + 1].scalar == "‐", !groups.isEmpty {
                groups[groups.count - 1].append(letter)
            } else {
                groups.append([letter])
            }
            previous = index
        }
        var forms: [[Character]] = [groups.flatMap { $0 }]
        if let given = groups.first, given.count >= 2 { forms.append(given) }
        if groups.count >= 2 { forms.append(groups.map { $0[0] }) }
        // The first and middle names' initials: TJ for Thomas James Reilly.
        if groups.count >= 3 { forms.append(groups.dropLast().map { $0[0] }) }
        for form in forms where (2...3).contains(form.count) && form.allSatisfy({ $0.isASCII && $0.isLetter }) { initials.insert(String(form)) }
    }

    mutating func add(_ key: String) {
        guard !key.isEmpty else { return }
        exact.insert(key)
        for skeleton in Self.skeletons(key) where skeleton.count >= 4 || (skeleton.count == 3 && key.utf8.count >= 4) { skeletons.insert(skeleton) }
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

    /// The consonants of a name's skeleton (`rami` → `rm`, `alhassan` → `lhsn`): what a script
    /// that leaves short vowels out (Arabic, Persian, Urdu, Hebrew) writes of it.
    static func consonants(_ folded: String) -> String {
        // w and y (v and i in the skeleton) also write long vowels there (نور is Nour: n-w-r).
        // Doubled letters were made one by the skeleton; a consonant repeated across a vowel
        // stays twice (Layla, ليلى: l-l).
        dropVowels(skeleton(folded, ch: "h"))
    }

    /// A skeleton without its vowels (and `v`, which writes w: a long vowel in those scripts).
    static func dropVowels(_ skeleton: String) -> String {
        String(decoding: skeleton.utf8.filter { byte in
            switch byte {
            case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "v"): false
            default: true
            }
        }, as: UTF8.self)
    }

    /// The readings of a word in another script, as ICU romanised it, that a name in English
    /// letters may be written from: as it is; with `dh` read `z`, as Persian and Urdu say ذ
    /// (ذبیح is Zabih); without a final `h`, which there writes a vowel (زرغونه is Zarghona); and
    /// with a lone `c` read `ch`, as ICU writes the Indic letter English spells ch (চৌধুরী is
    /// Chowdhury).
    static func scriptReadings(_ folded: String) -> [String] {
        let bytes = Array(folded.utf8)
        let d = UInt8(ascii: "d"), h = UInt8(ascii: "h"), c = UInt8(ascii: "c")
        var readings = [bytes]
        if let index = bytes.indices.dropLast().first(where: { bytes[$0] == d && bytes[$0 + 1] == h }) {
            var z = bytes
            z.replaceSubrange(index...(index + 1), with: [UInt8(ascii: "z")])
            readings.append(z)
        }
        if bytes.contains(c) {
            readings += readings.map { word in word.indices.flatMap { word[$0] == c && ($0 + 1 == word.count || word[$0 + 1] != h) ? [c, h] : [word[$0]] } }
        }
        if bytes.count > 3, bytes.last == h { readings += readings.map { Array($0.dropLast()) } }
        return readings.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Gendered, married and plural endings of surnames in the languages of the communities served:
    /// Czech and Slovak (-ová, -ovci, -ovi, -ý/-á), Polish (-ski/-ska/-scy, -cki/-cka, -owa, -ówna),
    /// Polish cases of them (-skiej, -skich, -owej: `pani Kowalskiej`, `u Kowalskich`, `Nowakowej`),
    /// Russian, Bulgarian and Ukrainian (-ov/-ova, -in/-ina, -sky/-skaya), Hungarian (-né "Mrs",
    /// -ék "the family"), Lithuanian (-as/-is/-ys/-us, -ienė, -aitė, -ytė, -iūtė, -utė), Latvian and
    /// Greek (-os/-ou, -is, -as).
    static let inflections = [
        "skiej", "skich", "skimi", "skim", "ckiej", "ckich", "ckim", "owej", "owie", "ovych", "ovci", "owna", "iene", "aite", "iute", "skaya", "ovi", "ova", "owa", "yte", "ute", "ska", "ski", "scy", "sky",
        "cka", "cki", "ccy", "ina", "ova", "ov", "ne", "ek", "as", "is", "ys", "us", "os", "ou", "a", "e", "i", "y", "o",
    ]

    /// A surname as written, without one inflectional ending (the longest that fits, leaving four
    /// letters or more), and that ending: `lakatosne` → [`lakatosne`, `lakatos`, `ne`].
    static func stemCandidates(_ folded: String, singleVowels: Bool = true) -> [String] {
        for ending in inflections where folded.utf8.count - ending.utf8.count >= 4 && (singleVowels || ending.utf8.count > 1) && folded.hasSuffix(ending) {
            return [folded, String(folded.dropLast(ending.count)), ending]
        }
        return [folded]
    }

    /// Phonetic skeletons for spellings that differ by a transliteration or a German umlaut
    /// written out: `melnyk` = `melnik`, `mueller` = `muller`, `jurij` = `yuri` → `iuri`,
    /// `catalin` = `katalin`, `djordje` = `dorde`. Doubled letters count once. A `ch` is read both
    /// as in English (`c`) and as the German-style spelling of Cyrillic `х` (`h`: `Charchenko` =
    /// `Kharchenko`), so a word with `ch` has two skeletons.
    static func skeletons(_ folded: String) -> [String] {
        var own = textContains(folded, "ch") ? [skeleton(folded, ch: "c"), skeleton(folded, ch: "h")] : [skeleton(folded, ch: "c")]
        // Kurdish, Somali and Albanian write kh or h with x (Xalid is Khalid, Xasan is Hassan).
        let x = UInt8(ascii: "x")
        if folded.utf8.contains(x) { own.append(skeleton(String(decoding: folded.utf8.map { $0 == x ? UInt8(ascii: "h") : $0 }, as: UTF8.self), ch: "c")) }
        // A Russian or Ukrainian `Е` opening a name is written `Ye` or `E` (Yegor, Egor, Егор):
        // such a word also has the skeletons of its spelling without the `y`.
        let bytes = folded.utf8
        guard bytes.count >= 4, bytes.first == UInt8(ascii: "y"), bytes.dropFirst().first == UInt8(ascii: "e") else { return own }
        return own + skeletons(String(folded.dropFirst()))
    }

    static func skeleton(_ folded: String, ch: String) -> String {
        let h = UInt8(ascii: "h"), c = UInt8(ascii: "c"), s = UInt8(ascii: "s"), z = UInt8(ascii: "z"), k = UInt8(ascii: "k")
        let chByte = ch == "h" ? h : c
        var input = Array(folded.utf8)
        var mapped: [UInt8] = []
        mapped.reserveCapacity(input.count + 2)
        var index = 0
        func at(_ offset: Int) -> UInt8 { index + offset < input.count ? input[index + offset] : 0 }
        // Digraphs first (longest first), then single letters.
        while index < input.count {
            let a = input[index], b = at(1), third = at(2)
            var out: UInt8 = a
            var step = 1
            if a == s, b == c, third == h { out = s; step = 3 }                     // sch
            else if a == UInt8(ascii: "t"), b == c, third == h { out = c; step = 3 } // tch
            else if a == s, b == h { out = s; step = 2 }                            // sh
            else if a == s, b == z { out = s; step = 2 }                            // sz
            else if a == z, b == h { out = z; step = 2 }                            // zh
            else if a == k, b == h { out = h; step = 2 }                            // kh
            else if a == c, b == h { out = chByte; step = 2 }                       // ch, both readings
            else if a == c, b == z { out = c; step = 2 }                            // cz
            else if a == UInt8(ascii: "d"), b == UInt8(ascii: "j") { out = UInt8(ascii: "d"); step = 2 }
            else if a == UInt8(ascii: "p"), b == h { out = UInt8(ascii: "f"); step = 2 }
            else if a == UInt8(ascii: "t"), b == h { out = UInt8(ascii: "t"); step = 2 }
            else if a == c, b == k { out = k; step = 2 }
            else if a == UInt8(ascii: "o"), b == UInt8(ascii: "o") || b == UInt8(ascii: "u") { out = UInt8(ascii: "u"); step = 2 }
            else if a == UInt8(ascii: "e"), b == UInt8(ascii: "e") { out = UInt8(ascii: "i"); step = 2 }
            else if b == UInt8(ascii: "e"), a == UInt8(ascii: "a") || a == UInt8(ascii: "o") || a == UInt8(ascii: "u"), input.count > 2 { out = a; step = 2 }
            else if a == UInt8(ascii: "x") { mapped.append(k); out = s }
            index += step
            mapped.append(out)
        }
        input = mapped
        var result: [UInt8] = []
        result.reserveCapacity(input.count)
        var previous: UInt8 = 0
        for byte in input {
            let letter: UInt8
            switch byte {
            case UInt8(ascii: "y"), UInt8(ascii: "j"): letter = UInt8(ascii: "i")
            case UInt8(ascii: "w"): letter = UInt8(ascii: "v")
            case UInt8(ascii: "q"), c: letter = k
            case z: letter = s
            default: letter = byte
            }
            if letter != previous { result.append(letter) }
            previous = letter
        }
        return String(decoding: result, as: UTF8.self)
    }
}

/// A set of keys with a cheap first check. The victim's keys are few; most words of a text share
/// no first byte and length with any of them and are refused without hashing the word. The answer
/// is always the set's own.
struct KeyFilter: Sendable {
    let keys: Set<String>
    /// Bit `b & 63` for the first UTF-8 byte `b` of each key.
    private let firsts: UInt64
    /// Bit `min(n, 63)` for each key's UTF-8 length `n`.
    private let lengths: UInt64

    init(_ keys: Set<String>) {
        self.keys = keys
        var firsts: UInt64 = 0, lengths: UInt64 = 0
        for key in keys {
            if let first = key.utf8.first { firsts |= 1 << UInt64(first & 63) }
            lengths |= 1 << UInt64(min(key.utf8.count, 63))
        }
        self.firsts = firsts
        self.lengths = lengths
    }

    @inline(__always)
    func contains(_ word: String) -> Bool {
        let utf8 = word.utf8
        guard let first = utf8.first else { return keys.contains(word) }
        guard firsts & (1 << UInt64(first & 63)) != 0, lengths & (1 << UInt64(min(utf8.count, 63))) != 0 else { return false }
        return keys.contains(word)
    }
}

/// ``NameKeys``' sets behind ``KeyFilter``s, for the per-word questions.
struct NameLookup: Sendable {
    let exact, familiar, ordinary, skeletons, stems, vowelStems, consonants, familyForms, familyConsonants: KeyFilter

    init(_ keys: NameKeys) {
        exact = KeyFilter(keys.exact)
        familiar = KeyFilter(keys.familiar)
        ordinary = KeyFilter(keys.ordinary)
        skeletons = KeyFilter(keys.skeletons)
        stems = KeyFilter(keys.stems)
        vowelStems = KeyFilter(keys.vowelStems)
        consonants = KeyFilter(keys.consonants)
        familyForms = KeyFilter(keys.familyForms)
        familyConsonants = KeyFilter(keys.familyConsonants)
    }
}
