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

    /// Whether `folded` is an ordinary word, a calendar word or a place word.
    static func isCommon(_ folded: String) -> Bool {
        ordinary.contains(folded) || calendar.contains(folded) || places.contains(folded)
    }

    /// Words that make the word before them part of a place or an institution's name
    /// ("Delancey Street", "Walsall Magistrates' Court", "St Peter's church").
    static let institutions: Set<String> = {
        var words: Set<String> = [
            "hospital", "station", "school", "college", "university", "church", "chapel", "mosque", "synagogue", "temple",
            "gurdwara", "magistrates", "council", "market", "library", "centre", "center", "bridge", "airport", "prison",
            "academy", "surgery", "clinic", "theatre", "stadium", "cathedral", "abbey", "pub", "arms", "inn", "hotel", "tavern",
            "museum", "shopping", "services", "barracks", "infirmary", "junction", "ward", "wharf", "estate", "primary",
        ]
        words.formUnion(PostalAddress.streetTypes.keys)
        words.formUnion(PostalAddress.siteWords)
        return words
    }()
}
