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
    /// The same keys with a cheap first check, for the questions asked of every word.
    let lookup: NameLookup
    /// Registered and familiar forms (UTF-8), for names glued into one word.
    let glueKeys: [[UInt8]]
    /// ``NameKeys/fuzzy`` and ``NameKeys/prefixes`` in UTF-8.
    let fuzzyKeys: [[UInt8]]
    let prefixKeys: [[UInt8]]

    static let gluedParticles = ["o", "mc", "mac"]
    static let hissingEndings = ["s", "x", "z", "ch", "sh"]
    static let familyArticles: WordSet = ["the", "both", "no", "those", "these"]
    /// Diminutive endings, and Polish ones with their cases (Kasiula, Kasiunia, Gosieńka, the
    /// vocative Małgosiu, Gosieńce; not -e or a bare -ence, which make other names: Terence, Dane).
    static let diminutiveSuffixes = ["ie", "y", "i", "ey", "ek", "ka", "ko", "ica", "ika", "ita", "ito", "ci", "si", "zi", "us", "ike", "ke", "ush", "ik",
                                     "u", "ula", "unia", "enka", "ience", "ulka", "usia", "unio"]
    static let diminutiveSuffixBytes = diminutiveSuffixes.map { Array($0.utf8) }
    static let nato: WordTable<Character> = [
        "alpha": "a", "alfa": "a", "bravo": "b", "charlie": "c", "delta": "d", "echo": "e", "foxtrot": "f", "golf": "g",
        "hotel": "h", "india": "i", "juliet": "j", "juliett": "j", "kilo": "k", "lima": "l", "mike": "m", "november": "n",
        "oscar": "o", "papa": "p", "quebec": "q", "romeo": "r", "sierra": "s", "tango": "t", "uniform": "u", "victor": "v",
        "whiskey": "w", "whisky": "w", "xray": "x", "yankee": "y", "zulu": "z",
    ]

    static let apostrophes: ScalarSet = "'’"
    static let joiners: ScalarSet = "-.·_*/‐\u{00AD}"
    static let spellingGaps: ScalarSet = " -.*_·"
    static let particleGaps: ScalarSet = "'’ "
    static let leadingPunctuation: ScalarSet = "\"'“‘([{<«"
    static let trailingPunctuation: ScalarSet = ".,;:!?\"'”’)]}>»"
    static let handleMarkers: ScalarSet = "@#/_:=+~"
    static let leetCharacters: ScalarSet = "0134578@$!|"

    /// The names the matcher was built from, as registered, and those the report's text declared.
    let names: [String]
    let declared: [String]
    /// The victim's initials (``NameKeys/initials``).
    let initials: KeyFilter
    /// Each registered name of two words or more run together (`bridgetmcdonagh`), eight letters or more.
    let fullNames: [String]

    init?(names: [String], declared: [String] = []) {
        let keys = NameKeys(names: names, declared: declared)
        guard !keys.isEmpty else { return nil }
        self.names = names
        self.declared = declared
        self.initials = KeyFilter(keys.initials)
        self.fullNames = keys.fullNames
        self.keys = keys
        self.lookup = NameLookup(keys)
        // Thị is no key alone, but is part of the name run together in a handle (`@thilan`).
        self.glueKeys = keys.exact.union(keys.familiar.filter { !CommonWords.isCommon($0) }).union(keys.generationalWords)
            .filter { $0.count >= 2 }.sorted().map { Array($0.utf8) }
        self.fuzzyKeys = keys.fuzzy.map { Array($0.utf8) }
        self.prefixKeys = keys.prefixes.map { Array($0.utf8) }
    }

    /// Scalar ranges of the victim's names in `text`.
    func spans(in text: TextTokens) -> [Range<Int>] {
        find(in: text).spans
    }

    /// Scalar ranges of the victim's names in `text`, and the other names the text gives them
    /// (``NameMatcher/declaredNames(_:after:)``).
    func find(in text: TextTokens) -> (spans: [Range<Int>], declared: [String]) {
        let tokens = text.tokens
        var matched: [Range<Int>] = []  // token index ranges
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index].kind == .word else { continue }
            if let end = joined(text, from: index) ?? spelt(text, from: index) ?? natoSpelt(text, from: index) ?? initialled(text, from: index)
                ?? slashed(text, from: index) ?? abbreviatedAfterTitle(text, from: index) {
                matched.append(index..<end)
                index = end - 1
                continue
            }
            if matches(text, index) { matched.append(index..<(index + 1)) }
        }
        let tokenRanges = merge(text, matched).map { extend(text, widen(text, $0)) }
        var scalarRanges = tokenRanges.map { tokens[$0.lowerBound].start..<tokens[$0.upperBound - 1].end }
        scalarRanges += compounds(text)
        return (scalarRanges, declaredNames(text, after: tokenRanges) + namesFriendsUse(text))
    }

    /// Who calls a person by a name only those close to them use: "Her family call her Preeto",
    /// "His classmates call him Hamoudi", "Everyone on the site calls her Nonie".
    static let friendlyCallers: WordSet = [
        "family", "families", "friends", "friend", "everyone", "everybody", "relatives", "parents", "mum", "mother", "dad", "father",
        "sister", "sisters", "brother", "brothers", "siblings", "cousins", "husband", "wife", "partner", "nan", "gran", "grandmother",
        "grandfather", "we", "aunt", "auntie", "uncle",
    ]
    static let callWords: WordSet = ["call", "calls", "called"]
    static let hostileGroups: WordSet = [
        "youths", "youth", "lads", "kids", "gang", "boys", "men", "offenders", "offender", "locals", "neighbours", "bullies", "thugs", "police",
    ]
    static let calledPronouns: WordSet = ["him", "her", "them", "me"]

    /// Names the text says the victim's family, friends or everyone call them, wherever it says
    /// so (``friendlyCallers``, up to six words before `call`); then that name is theirs in every
    /// field. Never what others call them (abuse is written "they called him …").
    func namesFriendsUse(_ text: TextTokens) -> [String] {
        let tokens = text.tokens
        var names: [String] = []
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index].kind == .word, Self.callWords.contains(tokens[index].folded),
                  var probe = text.nextSolid(after: index), Self.calledPronouns.contains(tokens[probe].folded),
                  let next = text.nextSolid(after: probe) else { continue }
            probe = next
            if tokens[probe].kind == .punct, Self.quoteMarks.contains(tokens[probe].scalar), let word = text.nextSolid(after: probe) { probe = word }
            guard tokens[probe].kind == .word else { continue }
            // A friendly caller among the six words before, in the same sentence.
            var back = index
            var friendly = false
            for _ in 0..<6 {
                guard let previous = text.previousSolid(before: back), tokens[previous].kind == .word else { break }
                if Self.friendlyCallers.contains(tokens[previous].folded) { friendly = true; break }
                back = previous
            }
            guard friendly, isDeclarableName(text, probe, explicit: true) else { continue }
            names.append(String(String.UnicodeScalarView(text.scalars[tokens[probe].start..<tokens[probe].end])))
        }
        return names
    }

    // MARK: Names the text declares

    /// Words that introduce another name of the person just named.
    static let aliasMarkers: WordSet = ["aka", "alias", "nicknamed", "nickname", "nee", "formerly"]
    /// Words that may stand in brackets after a name and are no name of theirs.
    static let notNames: WordSet = [
        "victim", "complainant", "witness", "client", "reporter", "resident", "tenant", "neighbour", "friend", "carer", "partner",
        "female", "male", "woman", "man", "girl", "boy", "child", "adult", "mother", "father", "mum", "dad", "son", "daughter", "wife",
        "husband", "brother", "sister", "aunt", "uncle", "nan", "gran", "grandmother", "grandfather", "cousin", "age", "aged",
        "deceased", "name", "real", "withheld", "redacted", "unknown", "anonymous", "nonbinary", "they", "them", "pronouns", "see",
        "below", "above", "sic", "yes", "no", "ok", "also", "now", "then", "previously", "formerly", "legal", "birth", "dob",
    ]
    static let quoteMarks: ScalarSet = "\"'“‘«"
    static let pronouns: WordSet = ["he", "she", "they"]
    static let closingQuotes: ScalarSet = "\"'”’»"

    /// Other names the text itself gives the victim, right after one of theirs: `Ashley Pardoe
    /// (Ash)`, `Faith, known as 'Nedu'`, `Kai aka Kesh`, `Kai a.k.a. Kesh`, `Mary Ward, née
    /// Quinn`. Such a word is then the victim's name wherever it stands in the report. An
    /// ordinary word counts only as a start of one of their names (`Ash`, not `Victim` or
    /// `Female`); words for a people, titles and ranks never do.
    func declaredNames(_ text: TextTokens, after ranges: [Range<Int>]) -> [String] {
        let tokens = text.tokens
        let starts = Set(ranges.map(\.lowerBound))
        var declared: [String] = []
        for range in ranges {
            guard var probe = text.nextSolid(after: range.upperBound - 1) else { continue }
            func advance() -> Bool {
                guard let next = text.nextSolid(after: probe) else { return false }
                probe = next
                return true
            }
            // A quoted word between two of the victim's names: Bernadette “Birdie” Ward.
            if tokens[probe].kind == .punct, Self.quoteMarks.contains(tokens[probe].scalar), probe + 1 < tokens.count,
               tokens[probe + 1].kind == .word, probe + 2 < tokens.count, Self.closingQuotes.contains(tokens[probe + 2].scalar),
               let next = text.nextSolid(after: probe + 2), starts.contains(next), isDeclarableName(text, probe + 1, explicit: true) {
                declared.append(String(String.UnicodeScalarView(text.scalars[tokens[probe + 1].start..<tokens[probe + 1].end])))
                continue
            }
            if tokens[probe].kind == .punct, tokens[probe].scalar == "," || tokens[probe].scalar == "-" || tokens[probe].scalar == "–", !advance() { continue }
            var bracketed = false
            if tokens[probe].kind == .punct, tokens[probe].scalar == "(" {
                bracketed = true
                guard advance() else { continue }
            }
            if tokens[probe].kind == .word {
                if tokens[probe].folded == "also", !advance() { continue }
                // "(he goes by Kobby)", "(she is known as Birdie)".
                if Self.pronouns.contains(tokens[probe].folded), !advance() { continue }
                if tokens[probe].folded == "is" || tokens[probe].folded == "was", !advance() { continue }
                let marker = tokens[probe].folded
                if Self.aliasMarkers.contains(marker) {
                    guard advance() else { continue }
                    if marker == "nickname", tokens[probe].folded == "is" || tokens[probe].folded == ":", !advance() { continue }
                } else if marker == "known" || marker == "goes" {
                    // "known as", and "known at work as", "known to everyone on Page Hall as".
                    guard advance() else { continue }
                    var words = 0
                    var byHostile = false
                    while marker == "known", tokens[probe].kind == .word, tokens[probe].folded != "as", words < 6 {
                        byHostile = byHostile || Self.hostileGroups.contains(tokens[probe].folded)
                        guard advance() else { break }
                        words += 1
                    }
                    // What the youths or the lads know them as is abuse, not a name of theirs.
                    guard !byHostile else { continue }
                    guard tokens[probe].folded == (marker == "known" ? "as" : "by"), advance() else { continue }
                } else if marker == "a", probe + 4 < tokens.count, tokens[probe + 1].folded == ".", tokens[probe + 2].folded == "k",
                          tokens[probe + 3].folded == ".", tokens[probe + 4].folded == "a" {
                    probe += 4
                    if probe + 1 < tokens.count, tokens[probe + 1].folded == "." { probe += 1 }
                    guard advance() else { continue }
                } else if !bracketed {
                    continue
                }
            } else if !bracketed {
                continue
            }
            var quoted = false
            if tokens[probe].kind == .punct, Self.quoteMarks.contains(tokens[probe].scalar) {
                quoted = true
                guard advance() else { continue }
            }
            let marked = probe > 0 && !(bracketed && tokens[probe - 1].scalar == "(")
            guard tokens[probe].kind == .word,
                  isDeclarableName(text, probe, bare: bracketed && !quoted && !marked, explicit: quoted || marked) else { continue }
            if bracketed {
                // Only a name alone in the brackets, perhaps quoted or with the family name:
                // "(Ash)", "('Ash')", "(Birdie Ward)", "(known as Birdie)".
                guard var after = text.nextSolid(after: probe) else { continue }
                if tokens[after].kind == .punct, Self.closingQuotes.contains(tokens[after].scalar), let next = text.nextSolid(after: after) { after = next }
                if tokens[after].kind == .word, lookup.exact.contains(tokens[after].folded), let next = text.nextSolid(after: after) { after = next }
                guard tokens[after].scalar == ")" else { continue }
            }
            declared.append(String(String.UnicodeScalarView(text.scalars[tokens[probe].start..<tokens[probe].end])))
        }
        return declared
    }

    /// Whether the word at `index` can be a declared name of the victim.
    func isDeclarableName(_ text: TextTokens, _ index: Int, bare: Bool = false, explicit: Bool = false) -> Bool {
        let token = text.tokens[index]
        let folded = token.folded
        // After `aka`, `known as` or in quotes, a name may be in capitals too, and quoted in small
        // letters; never one others give them ("nicknamed 'osama' by the youths").
        let quoted = index > 0 && Self.quoteMarks.contains(text.tokens[index - 1].scalar)
        // In brackets right after their name, a word in a passage of capitals or of small letters
        // too ("(BIRDIE)", "(birdie)"): case says nothing there.
        guard folded.count >= 2, !lookup.exact.contains(folded),
              token.capitalised && (explicit || bare || !text.isAllCaps(index)) || !token.latin || explicit && quoted
              || (bare || explicit) && text.lowercaseSegment[index] && !(token.latin && CommonWords.isCommon(folded)) else { return false }
        if var after = text.nextSolid(after: index) {
            if text.tokens[after].kind == .punct, Self.closingQuotes.contains(text.tokens[after].scalar), let next = text.nextSolid(after: after) { after = next }
            if text.tokens[after].folded == "by" { return false }
        }
        // A bare word in brackets may be a country, a language or a network ("(Lithuania)",
        // "(Tigrinya)"): it is a name of theirs only if it opens as one of their given names does.
        if bare, let first = folded.utf8.first, !keys.given.contains(where: { $0.utf8.first == first }) { return false }
        for list in [Self.functionWords, Self.titles, Self.ranks, Self.groupWords, Self.determiners, Self.notNames, Self.acronyms, Self.honorifics]
        where list.contains(folded) {
            return false
        }
        guard token.latin, CommonWords.isCommon(folded) else { return true }
        let word = Array(folded.utf8)
        return keys.exact.contains { $0.utf8.count > word.count && $0.utf8.starts(with: word) }
    }

    // MARK: One word

    func matches(_ text: TextTokens, _ index: Int) -> Bool {
        // The cheap question first (is it a form of the name?), then whether it names someone
        // or something else.
        candidate(text, index) && !isOtherEntity(text, index)
    }

    func candidate(_ text: TextTokens, _ index: Int) -> Bool {
        let token = text.tokens[index]
        let folded = token.folded
        guard folded.utf8.count >= 2 else { return false }
        if lookup.exact.contains(folded) {
            // A name that is also a word (Rose, Price, Ward) in lower case among capitals is the word;
            // where a passage has no capitals at all, case says nothing and the name goes.
            // where a passage has no capitals at all, case says nothing and the name goes, unless
            // an article makes it the word ("pay the price").
            guard lookup.ordinary.contains(folded), token.latin else { return true }
            if token.capitalised { return !writtenAsWord(text, index) }
            guard text.lowercaseSegment[index] else { return false }
            return text.previousSolid(before: index).map { !Self.determiners.contains(text.tokens[$0].folded) } ?? true
        }
        if !token.latin, !token.tabled, folded.utf8.count >= 2,
           NameKeys.scriptReadings(folded).contains(where: { lookup.consonants.contains(NameKeys.consonants($0)) }) { return true }
        // A family name with an Irish or Scottish particle glued on (ODonnell, McDonagh) where the
        // name was registered without it.
        if writtenAsName(text, index) {
            for particle in Self.gluedParticles where folded.hasPrefix(particle) && folded.utf8.count >= particle.utf8.count + 4 {
                let stem = String(folded.dropFirst(particle.count))
                if lookup.exact.contains(stem) || NameKeys.skeletons(stem).contains(where: lookup.skeletons.contains) { return true }
            }
        }
        // Only a word in Latin letters can be an ordinary English word or a place's usual name.
        let common = token.latin && CommonWords.isCommon(folded)
        if isPlural(text, index, folded) { return true }
        if lookup.familiar.contains(folded) {
            // In small letters, not after an article ("a will", "the sam"); "our sam" is a name.
            let asName = token.capitalised || (text.lowercaseSegment[index] && !(text.previousSolid(before: index).map { Self.nonPossessives.contains(text.tokens[$0].folded) } ?? false))
            if !common || (asName && !(text.isSentenceInitial(index) && Self.sentenceWords.contains(folded)) && !isContraction(text, index)) {
                return true
            }
        }
        guard !common else { return isNamedByStart(text, index, folded) }
        if glued(folded) { return true }
        // A page or account name run together in one case, holding a whole registered name:
        // `BRIDGETMCDONAGHTHETINKER`.
        if folded.utf8.count >= 10, fullNames.contains(where: { textContains(folded, $0) }) { return true }
        return loose(text, index, folded, checkNeighbours: true)
    }

    /// Whether the word at `index` is written as a name could be: capitalised, or in a passage with
    /// no capitals at all, where case says nothing.
    @inline(__always)
    func writtenAsName(_ text: TextTokens, _ index: Int) -> Bool {
        text.tokens[index].capitalised || text.lowercaseSegment[index]
    }

    /// The loose rules (skeletons, one edit, shortened forms, inflections). A word standing
    /// beside a capitalised word that is not the victim's (`Ivan Horvat`, `Georgia Mills`) is part
    /// of someone else's name, unless that word is loosely the victim's too (`Noor Hadad`).
    func loose(_ text: TextTokens, _ index: Int, _ folded: String, checkNeighbours: Bool) -> Bool {
        let token = text.tokens[index]
        // The loose rules below never take a word that names a place with the word after it, nor
        // a word of faith ("Allah" is no short form of Abdallah).
        if namesPlace(text, index) || Self.alwaysCapitalised.contains(folded) { return false }
        // A gendered or family form of the surname stays the victim's beside another first name:
        // a relative ("her husband Tomas Kazlauskas") identifies her as much.
        if writtenAsName(text, index), folded.utf8.count >= 5 {
            let candidates = NameKeys.stemCandidates(folded, singleVowels: false)
            if candidates.count == 3, lookup.stems.contains(candidates[1]) || (lookup.vowelStems.contains(candidates[1]) && NameKeys.slavicEndings.contains(candidates[2])) {
                return true
            }
        }
        // The other gender's form of their family name: a husband's or son's (Dunka for Dunková).
        if writtenAsName(text, index), lookup.familyForms.contains(folded) { return true }
        if checkNeighbours, besideOtherName(text, index) { return false }
        // Another spelling of their family name with the same four consonants or more and the same
        // first letter (Chaudhry for Chowdhury); not beside another person's name (Mansoor Ahmed).
        let skeletons = NameKeys.skeletons(folded)
        if writtenAsName(text, index), folded.utf8.count >= 6, !keys.familyConsonants.isEmpty, let first = folded.first {
            // The skeleton with ch read as h, as consonants are taken (second when the word has a ch).
            let consonants = NameKeys.dropVowels(textContains(folded, "ch") ? skeletons[1] : skeletons[0])
            if lookup.familyConsonants.contains(NameKeys.familyConsonantKey(first, consonants)) { return true }
        }
        if folded.utf8.count >= 4, skeletons.contains(where: lookup.skeletons.contains) { return true }
        // Where a passage has no capitals at all, case says nothing ("kept calling me jess").
        guard writtenAsName(text, index) else { return false }
        // A text word loses a whole ending (-owa, -ová, -ovci, -né, -as), never a lone vowel:
        // Kerry is no Kerr.
        if folded.utf8.count >= 5, lookup.stems.contains(folded) { return true }
        for skeleton in skeletons where skeleton.utf8.count >= 5 {
            let bytes = Array(skeleton.utf8)
            if fuzzyKeys.contains(where: { Self.withinOneEdit($0, bytes) }) { return true }
        }
        if folded.utf8.count >= 3, isShortened(folded) || isClipped(folded) { return true }
        return false
    }

    /// Whether the word at `index` names a place with the word after it (`Ash Grove`, `Ashley's Café`).
    func namesPlace(_ text: TextTokens, _ index: Int) -> Bool {
        if let next = text.nextSolid(after: index), text.tokens[next].kind == .word, CommonWords.institutions.contains(text.tokens[next].folded) {
            return true
        }
        return index + 2 < text.tokens.count && Self.apostrophes.contains(text.tokens[index + 1].scalar)
            && text.tokens[index + 2].folded == "s" && text.nextSolid(after: index + 2).map { CommonWords.institutions.contains(text.tokens[$0].folded) } == true
    }

    /// An ordinary word that is the start of a given name, half of it or more (`Ash` for Ashley,
    /// `Rob` for Robin), is the name only where it is written as one: capitalised mid-sentence,
    /// not in a passage of capitals, not a function word nor after an article ("the Sun"), not a
    /// word always capitalised (`August`, `Roma`, `Christ`), and not beside another person's name
    /// or before a word for a place.
    func isNamedByStart(_ text: TextTokens, _ index: Int, _ folded: String) -> Bool {
        let token = text.tokens[index]
        guard token.capitalised, folded.utf8.count >= 3 else { return false }
        let word = Array(folded.utf8)
        guard prefixKeys.contains(where: { $0.count > word.count && word.count * 2 >= $0.count && $0.starts(with: word) }),
              !text.isSentenceInitial(index), !text.isAllCaps(index),
              !Self.functionWords.contains(folded), !Self.determiners.contains(folded), !CommonWords.calendarWords.contains(folded),
              !Self.groupWords.contains(folded), !Self.alwaysCapitalised.contains(folded) else { return false }
        if let previous = text.previousSolid(before: index), Self.determiners.contains(text.tokens[previous].folded) { return false }
        return !namesPlace(text, index) && !besideOtherName(text, index)
    }

    /// Ordinary words written with a capital wherever they stand: faith and its feasts.
    static let alwaysCapitalised: WordSet = [
        "god", "christ", "jesus", "allah", "lord", "islam", "bible", "koran", "quran", "torah", "easter", "christmas", "eid", "ramadan",
        "diwali", "hanukkah", "passover", "lent", "sabbath", "pride",
    ]

    /// Whether a loose match at `index` would stand beside another person's name word.
    func besideOtherName(_ text: TextTokens, _ index: Int) -> Bool {
        let tokens = text.tokens
        var neighbours: [Int] = []
        if index >= 2, tokens[index - 1].kind == .space, tokens[index - 1].length == 1, tokens[index - 2].kind == .word { neighbours.append(index - 2) }
        if index + 2 < tokens.count, tokens[index + 1].kind == .space, tokens[index + 1].length == 1, tokens[index + 2].kind == .word { neighbours.append(index + 2) }
        for neighbour in neighbours {
            let word = tokens[neighbour]
            guard word.capitalised, word.length > 1, word.latin, !Self.functionWords.contains(word.folded), !Self.titles.contains(word.folded),
                  !Self.honorifics.contains(word.folded),
                  !Self.groupWords.contains(word.folded),
                  !(neighbour < index && text.isSentenceInitial(neighbour) && CommonWords.isCommon(word.folded)),
                  !(text.isAllCaps(neighbour) && CommonWords.isCommon(word.folded)) else { continue }
            if lookup.exact.contains(word.folded) || lookup.familiar.contains(word.folded) { continue }
            if !CommonWords.isCommon(word.folded), loose(text, neighbour, word.folded, checkNeighbours: false) { continue }
            return true
        }
        return false
    }

    /// Words for a people, a nationality, a faith, a sexuality or a disability, and the slurs
    /// for them: in abuse they stand before a name ("Gypsy Stef", "Irish Stef", "Hungarian Ildi")
    /// and are nobody's name. Many are ordinary words already; the others are listed here.
    static let groupWords: WordSet = [
        "irish", "scottish", "scots", "welsh", "english", "british", "polish", "romanian", "roma", "romani", "romany", "gypsy", "gipsy",
        "gypsies", "traveller", "travellers", "hungarian", "czech", "slovak", "bulgarian", "lithuanian", "latvian", "estonian",
        "albanian", "kosovan", "serbian", "croatian", "bosnian", "ukrainian", "russian", "moldovan", "kurdish", "kurd", "turkish",
        "syrian", "afghan", "iraqi", "iranian", "persian", "eritrean", "ethiopian", "sudanese", "somali", "nigerian", "ghanaian",
        "zimbabwean", "congolese", "pakistani", "indian", "bangladeshi", "tamil", "chinese", "vietnamese", "filipino", "jewish", "jew",
        "muslim", "sikh", "hindu", "arab", "african", "asian", "european", "eastern", "foreign", "migrant", "refugee", "immigrant",
        "trans", "gay", "lesbian", "queer", "deaf", "blind", "disabled", "gypo", "gyppo", "gippo", "pikey", "pikie", "piky", "knacker",
        "tinker", "paki", "tranny", "spaz", "spastic", "retard", "mong", "pole", "polack", "romanians", "bulgars",
        "nazi", "nazis", "kafir", "kuffar", "raghead", "towelhead", "diddicoy", "didicoy", "pikeys", "paedo", "wog", "wogs", "chink",
        "darkie", "sambo", "golliwog", "spic", "yid", "kike", "dyke", "shemale", "jihadi", "taliban", "isis", "gyppos", "pakis",
    ]

    static let titles: WordSet = ["mr", "mrs", "ms", "miss", "mx", "master", "pani", "pan", "dna", "domnul", "doamna", "herr", "frau", "madame", "monsieur"]

    /// Words that never stand inside a place's name (in capitals they say nothing: "CAWLEY AND HER").
    static let functionWords: WordSet = [
        "and", "or", "but", "her", "his", "their", "our", "my", "the", "a", "an", "of", "in", "on", "at", "to", "is", "was", "are",
        "were", "be", "for", "with", "from", "by", "not", "no", "go", "get", "out", "he", "she", "they", "we", "you", "it",
    ]

    /// Determiners that make the next word a common noun ("a will", "the sam"); not possessives,
    /// which stand before names in speech ("our Sam", "my Kasia").
    static let nonPossessives: WordSet = ["the", "a", "an", "this", "that", "these", "those", "any", "some", "no", "every", "each"]

    static let determiners: WordSet = ["the", "a", "an", "this", "that", "these", "those", "my", "your", "his", "her", "its", "our", "their", "no", "any", "some"]

    /// Police ranks and titles: the name after one (with or without a first name) is an
    /// officer's or an official's, not the victim's.
    static let ranks: WordSet = [
        "pc", "pcso", "dc", "ds", "di", "dci", "dsu", "sgt", "sergeant", "insp", "inspector", "constable", "officer", "cllr",
        "councillor", "judge", "dr", "prof", "professor", "mp", "supt", "superintendent",
    ]

    /// Whether the word at `index` belongs to another entity's name: a saint's or a place's
    /// ("St Gabriel's", "Lee High Road", "Herne Hill", "Kensington and Chelsea"), or an officer's
    /// ("PC Lauren Price").
    func isOtherEntity(_ text: TextTokens, _ index: Int) -> Bool {
        let tokens = text.tokens
        if let previous = text.previousSolid(before: index), tokens[previous].kind == .word {
            let word = tokens[previous].folded
            if (word == "st" || word == "saint") && tokens[previous].capitalised { return true }
            if isRank(text, previous) { return !lookup.exact.contains(word) }
            // A rank, then a first name that is not the victim's (no ordinary word: in capitals,
            // "OFFICER WROTE STEFAN" has none).
            if tokens[previous].capitalised, !lookup.exact.contains(word), !lookup.familiar.contains(word),
               !(text.isAllCaps(previous) && CommonWords.isCommon(word)),
               let before = text.previousSolid(before: previous), tokens[before].kind == .word, isRank(text, before) {
                return true
            }
        }
        // Followed by capitalised words ending in a street type or an institution: a place.
        var probe = index
        for _ in 0..<3 {
            guard let next = text.nextSolid(after: probe), next == probe + 2, tokens[probe + 1].length == 1,
                  tokens[next].kind == .word, tokens[next].capitalised, !lookup.exact.contains(tokens[next].folded),
                  !Self.functionWords.contains(tokens[next].folded),
                  !(text.isAllCaps(next) && !CommonWords.institutions.contains(tokens[next].folded) && CommonWords.isCommon(tokens[next].folded)) else { break }
            if CommonWords.institutions.contains(tokens[next].folded) { return true }
            probe = next
        }
        return CommonWords.isInsideBoroughName(text, index)
    }

    /// Whether the word at `index` is a police rank or an official's title before a name: written
    /// with a capital, and, in a passage of capitals, an abbreviation (`PC`, `DS`) rather than
    /// an ordinary word ("TOLD THE OFFICER STEFAN WAS HURT").
    func isRank(_ text: TextTokens, _ index: Int) -> Bool {
        let token = text.tokens[index]
        guard token.capitalised, Self.ranks.contains(token.folded) else { return false }
        return !(text.isAllCaps(index) && CommonWords.isCommon(token.folded))
    }

    /// Whether a capitalised name that is also an ordinary word (White, Young, Brown, Hall, Ward,
    /// Cash) is written there as the word: describing someone ("White male", "Young woman",
    /// "Brown hair", "a Black jacket"), joined by a hyphen to a word in small letters
    /// ("Cash-and-carry"), a numbered ward or block ("Ward 7"), naming a place with the word after
    /// it ("Cooper's Arms"), or, for a family name, inside another name in title case ("Ealing Town
    /// Hall", "Earl Grey", "the White Hart"). In a passage of capitals none of this can be told, and
    /// the name goes.
    func writtenAsWord(_ text: TextTokens, _ index: Int) -> Bool {
        let tokens = text.tokens
        let folded = tokens[index].folded
        guard !text.isAllCaps(index), !keys.given.contains(folded) else { return false }
        // Never after a title, kinship word, initial or another of the victim's names ("Mrs White",
        // "Granny White", "Jennifer White", "Mr. Brown", "J. Brown"), nor before a possessive
        // ("White's house").
        let previousIndex = text.previousSolid(before: index)
        if let previous = previousIndex {
            let word = tokens[previous]
            if word.kind == .word, Self.titles.contains(word.folded) || Self.ranks.contains(word.folded) || Self.addressWords.contains(word.folded)
                || lookup.exact.contains(word.folded) || lookup.familiar.contains(word.folded) || (word.length == 1 && word.capitalised) {
                return false
            }
            if word.folded == ".", let before = text.previousSolid(before: previous), tokens[before].kind == .word,
               Self.titles.contains(tokens[before].folded) || Self.ranks.contains(tokens[before].folded) || tokens[before].length == 1 {
                return false
            }
        }
        if index + 1 < tokens.count, Self.apostrophes.contains(tokens[index + 1].scalar) { return false }
        guard index + 2 < tokens.count else { return false }
        let gap = tokens[index + 1], next = tokens[index + 2]
        let previousToken = previousIndex.map { tokens[$0] }
        if gap.kind == .space, gap.length == 1, !gap.newline {
            // A family name that is itself a describing word, before a word for a person or their
            // looks, where a description starts: opening a sentence or clause or after an article
            // ("White male", "a Young woman", "Brown hair"; not "told Brown black people").
            let opensDescription = previousToken.map { $0.kind == .punct && !Self.apostrophes.contains($0.scalar) || Self.articles.contains($0.folded) } ?? true
            if Self.describingNames.contains(folded), opensDescription, next.kind == .word, !next.capitalised, Self.describedWords.contains(next.folded) {
                return true
            }
        }
        // Joined by a hyphen to a small word ("Cash-and-carry").
        if gap.folded == "-", next.kind == .word, !next.capitalised, Self.functionWords.contains(next.folded) { return true }
        // Inside another name in title case that ends in a word for a place: "Ealing Town Hall",
        // "the White Hart pub".
        if let previous = previousIndex, previous == index - 2, tokens[index - 1].length == 1,
           tokens[previous].capitalised, !text.isAllCaps(previous), !text.isSentenceInitial(previous),
           PostalAddress.streetTypes[tokens[previous].folded] == nil, isOtherTitleWord(tokens[previous].folded),
           CommonWords.institutions.contains(folded), CommonWords.institutions.contains(tokens[previous].folded) {
            return true
        }
        if gap.kind == .space, gap.length == 1, next.kind == .word, next.capitalised, !text.isAllCaps(index + 2), isOtherTitleWord(next.folded),
           let after = text.nextSolid(after: index + 2), after == index + 4, tokens[after].kind == .word,
           CommonWords.institutions.contains(tokens[after].folded) {
            return true
        }
        // Before a capitalised word for a place that is not the victim's name too ("the Cooper
        // Arms"; "Faith Church" is the victim).
        if gap.kind == .space, gap.length == 1, next.kind == .word, next.capitalised, !text.isAllCaps(index + 2),
           CommonWords.institutions.contains(next.folded), !lookup.exact.contains(next.folded) {
            return true
        }
        return false
    }

    /// Not "the": a capital after it marks a family ("the Young kids").
    static let articles: WordSet = ["a", "an"]

    /// Family names that are describing words of a suspect's description.
    static let describingNames: WordSet = ["white", "black", "brown", "young", "grey", "gray"]
    /// Words before a name in address or kinship ("Granny White", "Dear White", "Old Lady White").
    static let addressWords: WordSet = [
        "dear", "granny", "grandma", "grandad", "grandpa", "nan", "nana", "nanny", "auntie", "aunty", "aunt", "uncle", "lady", "old",
        "little", "young", "big", "sister", "brother", "cousin", "mother", "father", "mum", "dad", "mama", "papa", "baba", "ate",
        "kuya", "tita", "tito", "lola", "lolo", "bibi", "sis", "bro", "hi", "hello", "name", "surname", "called", "victim",
    ]

    /// An ordinary word, capitalised beside the name, that makes it part of another name in title
    /// case: not the victim's name, a title, rank, function word, word for a people, month or
    /// weekday, and not a given name that is also a word ("Rose White" is a relative).
    func isOtherTitleWord(_ folded: String) -> Bool {
        CommonWords.ordinary.contains(folded) && !lookup.exact.contains(folded) && !lookup.familiar.contains(folded)
            && !Self.functionWords.contains(folded) && !Self.titles.contains(folded) && !Self.ranks.contains(folded)
            && !Self.groupWords.contains(folded) && !Self.determiners.contains(folded) && !CommonWords.calendarWords.contains(folded)
            && !Self.wordGivenNames.contains(folded) && FamiliarNames.variants[folded] == nil
    }

    /// Words that follow an adjective describing a person: "White male", "Young woman", "Brown
    /// hair", "Black jacket", "Young white lad".
    static let describedWords: WordSet = [
        "male", "males", "female", "females", "man", "men", "woman", "women", "lad", "lads", "youth", "youths", "teenager", "teenagers",
        "adult", "adults", "hair", "haired", "eyes", "eyed", "beard", "bearded", "skin", "skinned", "jacket", "coat", "hoodie", "hat",
        "cap", "trousers", "jeans", "boots", "shoes", "trainers", "tracksuit", "scarf",
    ]

    /// Given names that are also ordinary words.
    static let wordGivenNames: WordSet = [
        "rose", "hope", "faith", "grace", "joy", "amber", "ruby", "jade", "holly", "ivy", "lily", "daisy", "dawn", "summer", "violet",
        "crystal", "pearl", "iris", "poppy", "heather", "hazel", "olive", "rosemary", "sky", "river", "storm", "autumn", "april",
        "june", "may", "mark", "will", "bill", "jack", "frank", "grant", "dean", "glen", "drew", "miles", "rich", "victor", "bob",
        "sandy", "penny", "sunny", "honey", "destiny", "charity", "patience", "prudence", "constance", "harmony", "melody", "star",
        "robin", "jay", "wren", "sue", "pat", "gene", "earnest", "ernest", "august", "major", "king", "prince", "duke", "sterling",
    ]

    /// Familiar forms that are also words often opening a sentence ("Will you…", "May I…").
    static let sentenceWords: WordSet = ["will", "may", "can", "don", "won", "art", "les", "mo", "ken", "sue"]

    /// "Don't", "Won't": a word before an apostrophe and `t`.
    func isContraction(_ text: TextTokens, _ index: Int) -> Bool {
        index + 2 < text.tokens.count && (text.tokens[index + 1].folded == "'" || text.tokens[index + 1].folded == "’")
            && text.tokens[index + 2].folded == "t"
    }

    func isPlural(_ text: TextTokens, _ index: Int, _ folded: String) -> Bool {
        let bytes = folded.utf8
        guard bytes.count > 3, bytes.last == UInt8(ascii: "s") else { return false }
        for suffixLength in 1...2 {
            let stem = String(folded.dropLast(suffixLength))
            guard lookup.exact.contains(stem) else { continue }
            // English adds -es only after a hissing sound (the Joneses, the Walshes): Hughes is no Hugh.
            if suffixLength == 2, !folded.dropLast().hasSuffix("e") || !Self.hissingEndings.contains(where: stem.hasSuffix) { continue }
            if !CommonWords.isCommon(stem) { return true }
            // A word-name in the plural only as a family: capitalised after "the", or mid-sentence
            // after a small word ("serve Wards in here"; not "Hackney Marshes").
            guard text.tokens[index].capitalised else { continue }
            guard let previous = text.previousSolid(before: index) else { continue }
            if Self.familyArticles.contains(text.tokens[previous].folded) { return true }
            if !text.isSentenceInitial(index), text.tokens[previous].kind == .word, !text.tokens[previous].capitalised { return true }
        }
        return false
    }

    /// A start of a given name: half of it or four letters or more (`Stef` for Stefan, `Tesfa`
    /// for Tesfamichael, `Phil` for Philomena); or a start of three letters or more plus a
    /// diminutive ending (`Stefi`, `Luki`, `Patka` for Patrycja), the start being half
    /// the name or missing at most two letters more.
    func isShortened(_ folded: String) -> Bool {
        let word = Array(folded.utf8)
        for key in prefixKeys where key.first == word.first {
            if word.count < key.count, Self.isStart(word.count, of: key.count), key.starts(with: word) { return true }
            for suffix in Self.diminutiveSuffixBytes where word.count > suffix.count && word.suffix(suffix.count).elementsEqual(suffix) {
                let stem = word.count - suffix.count
                if stem >= 3, stem * 2 + 2 >= key.count || stem >= 4, stem < key.count, key.starts(with: word[..<stem]) { return true }
            }
        }
        return false
    }

    /// Whether `length` letters are enough of a name of `keyLength` to stand for it.
    static func isStart(_ length: Int, of keyLength: Int) -> Bool {
        length >= 4 || (length >= 3 && length * 2 >= keyLength)
    }

    /// The end of a given name of six letters or more, at least two letters shorter: four letters
    /// or more from a consonant on, five from a vowel. This is how Igbo, Yoruba and many European
    /// names are shortened (`Nedu` for Chinedu, `Emeka` for Chukwuemeka, `Seun` for Oluwaseun,
    /// `Mena` for Philomena, `Nathan` for Jonathan).
    /// Also one letter shorter where the name opens with two consonants (`Kechi` for Nkechi), and
    /// the middle of a compound given name of nine letters or more (`Funmi` for Olufunmilayo,
    /// `Tobi` for Oluwatobiloba).
    func isClipped(_ folded: String) -> Bool {
        let word = Array(folded.utf8)
        guard word.count >= 4, let first = word.first, word.count >= 5 || !Self.isVowel(first) else { return false }
        for key in prefixKeys where key.count >= 6 && key.last == word.last {
            if key.count >= word.count + 2, key.suffix(word.count).elementsEqual(word) { return true }
            if key.count == word.count + 1, word.count >= 5, !Self.isVowel(key[0]), !Self.isVowel(key[1]), key.suffix(word.count).elementsEqual(word) { return true }
        }
        for key in prefixKeys where key.count >= 9 && key.count >= word.count + 4 {
            if textContains(String(decoding: key, as: UTF8.self), folded) { return true }
        }
        return false
    }

    /// Registered names glued into one word (`marialovell`, `StefanLacatus`): at least two keys.
    func glued(_ folded: String) -> Bool {
        let letters = Array(folded.utf8)
        guard letters.count >= 5 else { return false }
        // parts[i]: the most keys that spell letters[0..<i] exactly (0: not reachable, except at 0).
        var parts = [Int](repeating: -1, count: letters.count + 1)
        parts[0] = 0
        for start in 0..<letters.count where parts[start] >= 0 {
            for key in glueKeys where start + key.count <= letters.count && parts[start + key.count] < parts[start] + 1 {
                if letters[start..<(start + key.count)].elementsEqual(key) { parts[start + key.count] = parts[start] + 1 }
            }
        }
        return parts[letters.count] >= 2
    }

    static func withinOneEdit(_ a: String, _ b: String) -> Bool {
        withinOneEdit(Array(a.utf8), Array(b.utf8))
    }

    /// One insertion, deletion, transposition or (in six letters or more) substitution apart, with
    /// the same first letter: in five letters one substitution is too much (Nadeem is no Nadia).
    static func isVowel(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "a") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "i") || byte == UInt8(ascii: "o") || byte == UInt8(ascii: "u")
    }

    static func withinOneEdit(_ x: [UInt8], _ y: [UInt8]) -> Bool {
        guard x != y, x.first == y.first else { return x == y }
        // Below six letters a substitution counts only between vowels (Mehdi/Mahdi, Leila/Laila).
        if x.count == y.count, x.count < 6, let (a, b) = zip(x, y).first(where: { $0 != $1 }), !(isVowel(a) && isVowel(b)) { return false }
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
            case .punct where Self.apostrophes.contains(token.scalar): if !afterParticle { return false }
            case .punct where Self.joiners.contains(token.scalar): continue
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
            guard next < tokens.count, tokens[next].kind == .word else { break }
            // Most words are followed by one plain space: joined only after a particle or an initial.
            let afterParticle = position == index && (tokens[index].length == 1 || (tokens[index].length <= 5 && NameKeys.particles.contains(folded)))
            if next == position + 2, tokens[position + 1].kind == .space, !tokens[position + 1].newline, !afterParticle {
                // ... or where two capitalised syllables make one registered name (`Xiao Yu` for Xiaoyu).
                guard tokens[position].capitalised || text.lowercaseSegment[position], writtenAsName(text, next),
                      folded.utf8.count + tokens[next].folded.utf8.count >= 5,
                      !CommonWords.isCommon(folded), !CommonWords.isCommon(tokens[next].folded) else { break }
                let together = folded + tokens[next].folded
                guard lookup.exact.contains(together) else { break }
                folded = together
                position = next
                best = position + 1
                continue
            }
            guard isJoiner(text, (position + 1)..<next, afterParticle: afterParticle) else { break }
            folded += tokens[next].folded
            position = next
            if folded.utf8.count >= 4, lookup.exact.contains(folded) || (lookup.familiar.contains(folded) && !CommonWords.isCommon(folded)) {
                best = position + 1
            } else if folded.utf8.count >= 6, tokens[index].capitalised || !tokens[index].latin {
                // Written apart and spelt a little differently (Abd al-Rahman, Ó Briain).
                let bytes = NameKeys.skeletons(folded).map { Array($0.utf8) }
                if bytes.contains(where: { skeleton in fuzzyKeys.contains { $0.count >= 6 && Self.withinOneEdit($0, skeleton) } }) { best = position + 1 }
            }
        }
        return best
    }

    /// The family name cut to its first letters and a full stop after a title (`Mr Ll.` for
    /// Llewellyn, `Mrs K.` for Kowalska); returns the end token index.
    func abbreviatedAfterTitle(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        let token = tokens[index]
        guard (1...3).contains(token.length), writtenAsName(text, index), index + 1 < tokens.count, tokens[index + 1].folded == ".",
              let previous = text.previousSolid(before: index), Self.titles.contains(tokens[previous].folded), writtenAsName(text, previous),
              keys.exact.contains(where: { !keys.given.contains($0) && $0.utf8.count >= 4 && $0.hasPrefix(token.folded) }) else { return nil }
        return index + 2
    }

    /// A name's first part cut to its initial and a slash, as Eritrean and Ethiopian names are
    /// written (`G/Medhin` for Gebremedhin, `W/Michael` for Woldemichael); returns the end token index.
    func slashed(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        guard tokens[index].length == 1, writtenAsName(text, index), index + 2 < tokens.count, tokens[index + 1].scalar == "/",
              tokens[index + 2].kind == .word, tokens[index + 2].folded.utf8.count >= 4 else { return nil }
        let initial = tokens[index].folded, rest = tokens[index + 2].folded
        return keys.exact.contains { $0.utf8.count > rest.utf8.count + 1 && $0.hasPrefix(initial) && $0.hasSuffix(rest) } ? index + 3 : nil
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
                guard tokens[probe].kind == .space || Self.spellingGaps.contains(tokens[probe].scalar) else { break }
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
        guard letters.count >= 3, lookup.exact.contains(letters) || glued(letters) || containsName(letters, minimum: 4)
            || (letters.count >= 4 && NameKeys.skeletons(letters).contains(where: lookup.skeletons.contains)) else { return nil }
        var end = last + 1
        if end < tokens.count, tokens[end].folded == "." { end += 1 }
        return end
    }

    /// A name spelt in the NATO alphabet (`Mike Alpha Romeo India Alpha`).
    func natoSpelt(_ text: TextTokens, from index: Int) -> Int? {
        let tokens = text.tokens
        guard tokens[index].capitalised, (4...8).contains(tokens[index].length), let first = Self.nato[tokens[index].folded] else { return nil }
        var letters = String(first)
        var last = index
        var probe = text.nextSolid(after: index)
        while let current = probe {
            if tokens[current].kind == .punct, tokens[current].scalar == "-" || tokens[current].scalar == "," {
                probe = text.nextSolid(after: current)
                continue
            }
            guard tokens[current].kind == .word, let letter = Self.nato[tokens[current].folded] else { break }
            letters.append(letter)
            last = current
            probe = text.nextSolid(after: current)
        }
        guard letters.count >= 3, containsName(letters, minimum: 3) else { return nil }
        return last + 1
    }

    func containsName(_ letters: String, minimum: Int) -> Bool {
        for key in keys.exact where key.count >= minimum && textContains(letters, key) { return true }
        for key in keys.familiar where key.count >= max(minimum, 4) && textContains(letters, key) && !CommonWords.isCommon(key) { return true }
        return false
    }

    /// Abbreviations and other short words in capitals that are also someone's initials: never
    /// taken for the victim's.
    static let acronyms: WordSet = [
        "ok", "id", "tv", "gp", "uk", "us", "eu", "un", "am", "pm", "hr", "pe", "re", "ps", "nb", "cc", "bc", "ad", "ac", "dj", "fc",
        "vs", "ie", "eg", "ne", "nw", "se", "sw", "dv", "rt", "dm", "cv", "ft", "pt", "ae", "aa", "rd", "th", "nd", "jr", "sr", "vip",
        "aka", "dob", "nhs", "bbc", "itv", "asb", "abh", "gbh", "cps", "cid", "mps", "met", "tfl", "atm", "sms", "gps", "dvd", "usa",
        "ppe", "rip", "lol", "omg", "wtf", "btw", "fyi", "ni", "sen", "adhd", "asd", "hiv", "ms", "cp", "ld", "hmo", "la", "ha", "bnp",
        "edl", "kkk", "ira", "isis", "mma", "vat", "pin", "bmw", "vw", "ltd", "plc", "ceo", "qc", "kc", "ss", "sa", "rnli", "rspca",
        "bsl", "asl", "esol", "sia", "dla", "pip", "esa", "uc", "hmrc", "dwp", "ukvi", "ho", "nrpf", "lgbt", "lgbtq", "gcse", "mot", "sos",
        "kfc", "jd", "gb", "ct", "hp", "bt", "ee", "mri", "icu", "rac", "bp", "jcb", "dhl", "ups", "hmv", "tk", "ba", "mcd", "wh",
        "bb", "ecg", "ent", "opd", "sat", "cd", "dvla", "cab", "rta", "pc", "npc", "mp", "hq", "pa",
    ]

    /// The victim's initials at `index` (`JB`, `J.B.`, `J.B`); returns the end token index.
    func initialled(_ text: TextTokens, from index: Int) -> Int? {
        guard !initials.keys.isEmpty else { return nil }
        let tokens = text.tokens
        let token = tokens[index]
        if (2...3).contains(token.length) {
            guard initials.contains(token.folded), text.isAllCaps(index), !Self.acronyms.contains(token.folded), !Self.ranks.contains(token.folded),
                  !CommonWords.isCommon(token.folded) else { return nil }
            // Before a word in title case it names something else (`JD Sports`, `GB News`), unless
            // that word is the victim's name too (`JB OUT` is shouting).
            if let next = text.nextSolid(after: index), next == index + 2, tokens[next].kind == .word, tokens[next].capitalised,
               !text.isAllCaps(next), !lookup.exact.contains(tokens[next].folded) {
                return nil
            }
            return index + 1
        }
        // Letters with full stops between them (and perhaps after the last).
        guard token.length == 1, token.capitalised, index == 0 || tokens[index - 1].kind != .punct || tokens[index - 1].scalar != "." else { return nil }
        var letters = token.folded
        var probe = index
        while probe + 2 < tokens.count, tokens[probe + 1].folded == ".", tokens[probe + 2].kind == .word, tokens[probe + 2].length == 1,
              tokens[probe + 2].capitalised, letters.count < 3 {
            letters += tokens[probe + 2].folded
            probe += 2
        }
        guard letters.count >= 2, initials.contains(letters), !Self.acronyms.contains(letters), !Self.ranks.contains(letters) else { return nil }
        if probe + 1 < tokens.count, tokens[probe + 1].folded == "." { probe += 1 }
        // Letters running on are some other abbreviation (`U.S.A.`).
        if probe + 1 < tokens.count, tokens[probe + 1].kind == .word, tokens[probe + 1].length == 1 { return nil }
        return probe + 1
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

    /// Takes the rest of a full name whose other half is the victim's: a name-like word right
    /// before their family name (`Vera Bondarenko` where the papers say Vira, `Xoodan Cabdi
    /// Warsame`, a relative's first name, which identifies the victim as much), and right after
    /// their first name, with a particle (`Seán Ó Briain`, `Nóra Ní Dhonnchadha`, `Shirin
    /// Chaudhry`). Spellings no rule can foresee are caught this way where the text gives the
    /// whole name.
    func widen(_ text: TextTokens, _ range: Range<Int>) -> Range<Int> {
        let tokens = text.tokens
        var lower = range.lowerBound
        var upper = range.upperBound
        func gap(_ index: Int) -> Bool { tokens[index].kind == .space && tokens[index].length == 1 && !tokens[index].newline }
        let first = tokens[lower].folded
        if lookup.exact.contains(first), !keys.given.contains(first) {
            for _ in 0..<2 {
                guard lower >= 2, gap(lower - 1), isNameWord(text, lower - 2) else { break }
                // After a title the first name is someone's addressed as such ("her uncle, Mr
                // Vinod Sharma"): the victim's only if it opens as one of theirs does.
                if titled(text, lower - 2), let letter = tokens[lower - 2].folded.utf8.first,
                   !keys.firsts.contains(where: { $0.utf8.first == letter }) { break }
                lower -= 2
            }
        }
        if keys.firsts.contains(tokens[upper - 1].folded), upper + 1 < tokens.count, gap(upper) {
            var probe = upper + 1
            // A particle and the word after it, across a space or an apostrophe.
            if tokens[probe].kind == .word, writtenAsName(text, probe), NameKeys.particles.contains(tokens[probe].folded), probe + 2 < tokens.count,
               Self.particleGaps.contains(tokens[probe + 1].scalar), tokens[probe + 1].length == 1 {
                probe += 2
            }
            if isNameWord(text, probe), !namesPlace(text, probe), !isOtherEntity(text, probe) { upper = probe + 1 }
        }
        return lower..<upper
    }

    /// Whether the word at `index` can be part of a person's name beside the victim's: written
    /// with a capital, no ordinary word, place, month or weekday, and no title, rank, honorific,
    /// word for a people or abbreviation.
    func isNameWord(_ text: TextTokens, _ index: Int) -> Bool {
        let token = text.tokens[index]
        let folded = token.folded
        guard token.kind == .word, writtenAsName(text, index), !token.innerCapital, folded.utf8.count >= 2, !(token.latin && CommonWords.isCommon(folded)),
              !(text.isAllCaps(index) && folded.utf8.count <= 3) else { return false }
        for list in [Self.functionWords, Self.titles, Self.ranks, Self.groupWords, Self.notNames, Self.acronyms, Self.alwaysCapitalised, Self.honorifics]
        where list.contains(folded) {
            return false
        }
        return true
    }

    /// Whether a title, rank or honorific stands right before the word at `index` (`Mr`, `Mr.`,
    /// `Brother`; not a kinship word in small letters among capitals: "her brother Oleksandr"; in a
    /// passage with no capitals at all, "mr vinod" and "pc lauren" still have their titles).
    func titled(_ text: TextTokens, _ index: Int) -> Bool {
        guard var previous = text.previousSolid(before: index) else { return false }
        if text.tokens[previous].folded == ".", let word = text.previousSolid(before: previous) { previous = word }
        let folded = text.tokens[previous].folded
        // In a passage of capitals, `BROTHER` or `SISTER` is the word; `MR` is still a title.
        return text.tokens[previous].kind == .word && writtenAsName(text, previous)
            && (Self.titles.contains(folded) || Self.ranks.contains(folded)
                || Self.honorifics.contains(folded) && text.tokens[previous].capitalised && !text.isAllCaps(previous))
    }

    /// Words of respect or office written before a name ("Imam Hussain", "Haji Ahmed") or after
    /// it ("Ayşe Hanım", "Ali Bey").
    static let honorifics: WordSet = [
        "imam", "sheikh", "shaikh", "haji", "hajji", "hajja", "hajjah", "mullah", "maulana", "maulvi", "ustaz", "ustadh", "sayyid",
        "rabbi", "rev", "revd", "reverend", "pastor", "father", "fr", "sister", "sr", "brother", "auntie", "aunty", "uncle", "nana",
        "baba", "mama", "bibi", "bhai", "didi", "sahib", "ji", "lady", "lord", "sir", "dame", "bishop", "canon", "deacon",
        "hanim", "hanimefendi", "bey", "efendi", "khanum", "khanom", "sahiba", "sahab", "jaan", "kak", "kaka", "mamosta", "xanim",
        "kyria", "kyrios",
    ]

    /// Takes a possessive, a leading initial and a leading particle with the name.
    func extend(_ text: TextTokens, _ range: Range<Int>) -> Range<Int> {
        let tokens = text.tokens
        var lower = range.lowerBound
        var upper = range.upperBound
        // Possessive: 's, ’s, or a bare apostrophe after a plural in s ("the Wards' caravan") —
        // but not a closing quote ("called him 'Sean' and").
        if upper < tokens.count, Self.apostrophes.contains(tokens[upper].scalar) {
            if upper + 1 < tokens.count, tokens[upper + 1].kind == .word, tokens[upper + 1].folded == "s" {
                upper += 2
            } else if tokens[upper - 1].folded.hasSuffix("s"), !opensQuote(text, before: lower), upper + 1 < tokens.count,
                      tokens[upper + 1].kind == .space, let next = text.nextSolid(after: upper), tokens[next].kind == .word {
                upper += 1
            }
        }
        // A particle (O, Ó, Mc, Mac, Ní) before the stem, across an apostrophe or a space.
        if lower >= 2, tokens[lower - 2].kind == .word, tokens[lower - 2].capitalised, NameKeys.particles.contains(tokens[lower - 2].folded),
           Self.particleGaps.contains(tokens[lower - 1].scalar), tokens[lower - 1].length == 1 {
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

    /// Whether a quote mark opens right before `index` (so an apostrophe after the name closes it).
    func opensQuote(_ text: TextTokens, before index: Int) -> Bool {
        var probe = index - 1
        while probe >= 0, text.tokens[probe].kind == .word || text.tokens[probe].kind == .space && !text.tokens[probe].newline {
            probe -= 1
            if index - probe > 8 { return false }
        }
        guard probe >= 0, Self.apostrophes.contains(text.tokens[probe].scalar) || text.tokens[probe].scalar == "‘" else { return false }
        return probe == 0 || text.tokens[probe - 1].kind != .word
    }

    // MARK: Handles, hashtags, URLs and addresses

    /// Runs of text without white space that are handles, hashtags, URLs or email addresses (or
    /// mix letters with digits or capitals mid-word) and contain a name.
    func compounds(_ text: TextTokens) -> [Range<Int>] {
        let tokens = text.tokens
        var found: [Range<Int>] = []
        var index = 0
        while index < tokens.count {
            guard tokens[index].kind != .space else { index += 1; continue }
            // A chunk: tokens up to the next white space. Only one with a marker, digits beside
            // letters, or a capital inside a word can be a handle.
            let start = index
            var words = 0, numbers = 0, marker = false
            while index < tokens.count, tokens[index].kind != .space {
                switch tokens[index].kind {
                case .word: words += 1; if tokens[index].innerCapital { marker = true }
                case .number: numbers += 1
                case .punct: if Self.handleMarkers.contains(tokens[index].scalar) || (tokens[index].scalar == "." && index > start && index + 1 < tokens.count && tokens[index + 1].kind != .space) { marker = true }
                case .space: break
                }
                index += 1
            }
            guard words > 0, marker || numbers > 0 else { continue }
            if let range = compound(text.scalars, tokens[start].start..<tokens[index - 1].end) { found.append(range) }
        }
        return found
    }

    func compound(_ scalars: [Unicode.Scalar], _ chunk: Range<Int>) -> Range<Int>? {
        var lower = chunk.lowerBound, upper = chunk.upperBound
        while lower < upper, Self.leadingPunctuation.contains(scalars[lower]) { lower += 1 }
        while upper > lower, Self.trailingPunctuation.contains(scalars[upper - 1]) { upper -= 1 }
        // A link's scheme is no part of the address it opens (`mailto:`).
        if upper - lower > 7, "mailto:".unicodeScalars.elementsEqual(scalars[lower..<(lower + 7)].lazy.map(ContactPatterns.lower)) { lower += 7 }
        guard upper - lower >= 4 else { return nil }
        let slice = scalars[lower..<upper]
        var hasLetter = false, hasDigit = false, marker = false, camel = false
        var previous: Unicode.Scalar?
        for scalar in slice {
            if TextTokens.isDigit(scalar) { hasDigit = true } else if TextTokens.isLetter(scalar) {
                hasLetter = true
                if let previous, previous.properties.isLowercase, scalar.properties.isUppercase { camel = true }
            } else if Self.handleMarkers.contains(scalar) {
                marker = true
            } else if scalar == ".", let previous, TextTokens.isLetter(previous) || TextTokens.isDigit(previous) {
                marker = true
            }
            previous = scalar
        }
        guard hasLetter, marker || camel || hasDigit else { return nil }
        // Trailing full stop of a sentence is not part of a handle. A link writes letters
        // percent-encoded (`Wi%C5%9Bniewska`).
        let decoded = slice.contains("%") ? ContactPatterns.percentDecoded(slice)[...] : slice
        let plain = TextFolding.foldScalars(decoded.filter { !TextTokens.isDigit($0) })
        if containsKey(plain) { return lower..<upper }
        for variant in Self.leet(slice) where containsKey(variant) { return lower..<upper }
        // Segments (at punctuation, digits and capitals): a short name must be a whole segment.
        for segment in Self.segments(slice) where lookup.exact.contains(segment) || lookup.familiar.contains(segment) { return lower..<upper }
        return nil
    }

    /// Whether a registered name (four letters or more), a familiar form that is no ordinary
    /// word, or a name's skeleton stands inside `letters`.
    func containsKey(_ letters: String) -> Bool {
        guard letters.count >= 4 else { return false }
        for key in keys.exact where key.count >= 4 && textContains(letters, key) { return true }
        for skeleton in NameKeys.skeletons(letters) {
            for key in keys.skeletons where key.count >= 5 && textContains(skeleton, key) { return true }
        }
        for key in keys.familiar where key.count >= 4 && !CommonWords.isCommon(key) && textContains(letters, key) { return true }
        return false
    }

    /// Digits and symbols read as letters (`M4ria`, `L0vell`, `$tefan`); `1` as `i` and as `l`.
    static func leet(_ slice: ArraySlice<Unicode.Scalar>) -> [String] {
        guard slice.contains(where: leetCharacters.contains) else { return [] }
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
