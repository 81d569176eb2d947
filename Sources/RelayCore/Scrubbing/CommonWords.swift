/// Words the loose name rules (variant spellings, familiar forms, plurals) must never take for a
/// victim's name: ordinary English words, month and weekday names, boroughs, force areas, towns
/// and cities.
/// The exact name itself is still removed wherever it stands, whatever word it is.
enum CommonWords {
    /// Folded ordinary English words (``list``, generated from SCOWL).
    static let ordinary: Set<String> = Set(list.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))

    /// Month and weekday names and their abbreviations, folded.
    static let calendar: Set<String> = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "jan", "feb", "febr", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ]

    /// Every word of a London borough or police force area name, and of the places in
    /// ``placeList`` (the UK's and Ireland's towns, the world's cities), folded.
    static let places: Set<String> = {
        var words = Set<String>(placeList.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        for name in Vocabulary.londonBoroughs + Vocabulary.policeForceAreas + ["London", "England", "Wales", "Britain", "UK"] {
            for word in name.split(whereSeparator: { $0 == " " || $0 == "-" }) { words.insert(TextFolding.fold(word)) }
        }
        return words
    }()

    /// Words of the London boroughs' and force areas' names.
    static let boroughWords: Set<String> = Set((Vocabulary.londonBoroughs + Vocabulary.policeForceAreas).flatMap {
        $0.split(whereSeparator: { $0 == " " || $0 == "-" }).map { TextFolding.fold($0) }
    }).subtracting(["and", "of", "upon", "city", "north", "south", "west", "east", "valley", "police"])

    static let calendarWords = WordSet(calendar)
    /// Whether `folded` is an ordinary word, a calendar word or a place word.
    @inline(__always)
    static func isCommon(_ folded: String) -> Bool {
        allWords.contains(folded)
    }

    /// Ordinary, calendar and place words in one set (one lookup on the hot path).
    static let allWords = WordSet(ordinary.union(calendar).union(places))

    /// Words that make the word before them part of a place or an institution's name
    /// ("Delancey Street", "Walsall Magistrates' Court", "St Peter's church").
    static let institutions = WordSet({
        var words: Set<String> = [
            "hospital", "station", "school", "college", "university", "church", "chapel", "mosque", "synagogue", "temple",
            "gurdwara", "magistrates", "council", "market", "library", "centre", "center", "bridge", "airport", "prison",
            "academy", "surgery", "clinic", "theatre", "stadium", "cathedral", "abbey", "pub", "arms", "inn", "hotel", "tavern",
            "museum", "shopping", "services", "barracks", "infirmary", "junction", "ward", "wharf", "estate", "primary",
            "bay", "common", "heath", "town", "village", "city", "broadway", "cross", "bridge", "park", "street", "road",
        ]
        // Every street type but `wk`, which is as often a week ("Stefan Lacatus Wk 3"): it is read
        // as Walk only after the victim's own street name.
        words.formUnion(PostalAddress.streetTypes.keys.filter { $0 != "wk" })
        words.formUnion(PostalAddress.siteWords)
        return words
    }())

    /// Whether the words right after `end` (token index) make what ends there part of another
    /// place's name: an institution ("station", "Primary School"), directly or after capitalised words.
    /// After an abbreviation's full stop a capital opens the next sentence ("Graffiti on Meridian
    /// Wk. Meridian Walk residents…"): there only a word in small letters still continues the name.
    static func namesAnotherPlace(_ text: TextTokens, after end: Int) -> Bool {
        var probe = end - 1
        let afterFullStop = probe >= 0 && text.tokens[probe].kind == .punct && text.tokens[probe].scalar == "."
        for _ in 0..<3 {
            guard let next = text.nextSolid(after: probe), next == probe + 2, text.tokens[probe + 1].kind == .space,
                  text.tokens[probe + 1].length == 1, text.tokens[next].kind == .word,
                  !(afterFullStop && text.tokens[next].capitalised) else { return false }
            let word = text.tokens[next].folded
            if institutions.contains(word), PostalAddress.streetTypes[word] == nil || text.tokens[next].capitalised { return true }
            // In a passage of capitals only words that are no ordinary word carry a name on.
            guard text.tokens[next].capitalised, !NameMatcher.functionWords.contains(word), !(text.isAllCaps(next) && isCommon(word)) else { return false }
            probe = next
        }
        return false
    }

    /// The multi-word borough and force-area names, folded word by word.
    static let boroughPhrases: [[String]] = (Vocabulary.londonBoroughs + Vocabulary.policeForceAreas)
        .map { $0.split(whereSeparator: { $0 == " " || $0 == "-" }).map { TextFolding.fold($0) } }
        .filter { $0.count > 1 }

    /// Whether the word at `index` stands inside a borough's or force area's name ("Kensington and Chelsea").
    static let boroughPhraseWords = WordSet(Set(boroughPhrases.joined()))

    static func isInsideBoroughName(_ text: TextTokens, _ index: Int) -> Bool {
        let folded = text.tokens[index].folded
        guard boroughPhraseWords.contains(folded) else { return false }
        for phrase in boroughPhrases {
            guard let position = phrase.firstIndex(of: folded) else { continue }
            // Walk back to where the phrase would start, then compare word by word.
            var start = index
            for _ in 0..<position {
                guard let previous = text.previousSolid(before: start) else { start = -1; break }
                start = previous
            }
            guard start >= 0 else { continue }
            var probe = start
            var matched = true
            for (offset, word) in phrase.enumerated() {
                if offset > 0 {
                    guard let next = text.nextSolid(after: probe) else { matched = false; break }
                    probe = next
                    if text.tokens[probe].folded == "-" { guard let after = text.nextSolid(after: probe) else { matched = false; break }; probe = after }
                }
                if text.tokens[probe].folded != word { matched = false; break }
            }
            if matched { return true }
        }
        return false
    }
}
