/// The victim's address cut into its parts: flat and house numbers, the street (name and type),
/// the site, estate or building name, localities and postcodes. The street and the site or estate
/// identify the victim; a lone locality or borough does not (police need it) and stays.
struct PostalAddress {
    struct Street: Equatable {
        /// Folded words of the name without the type ("kingsland", "high").
        var name: [String]
        /// The canonical type ("street" for St, Str, Street).
        var type: String
        /// House numbers written with it ("16" of "16 Chatsworth Road"): before the name, they
        /// make it the street even without its type ("No.16 Chatsworth").
        var numbers: [String] = []
    }

    struct Place: Equatable {
        /// Folded words of the name without the site words ("meadow", "view").
        var name: [String]
        /// A building or site named without any site word in the address ("Flat 61, Wendover"):
        /// written as a name, it is theirs even where a town has the same name.
        var bare = false
    }

    var streets: [Street] = []
    var places: [Place] = []
    /// Flat, plot or pitch numbers ("flat" and "5" for "Flat 5").
    var units: [(designator: String, number: String)] = []
    /// Compact upper-case postcodes (`E81AB`).
    var postcodes: [String] = []
    /// what3words addresses in the address (`filled.count.soap`), as a roadside Traveller family's
    /// address often is: three words joined by dots.
    var what3words: [String] = []
    /// Folded words of the localities (kept in text).
    var localities: Set<String> = []
    /// The street and site names run together into one word, as in a hashtag (`#HeathfieldGardens`,
    /// `Meadowview`): each street's name with its type in any spelling, and names of two words or more.
    var gluedNames: Set<String> = []

    /// Street types in full and abbreviated, folded → the canonical type.
    static let streetTypes = WordTable<String>({
        let forms: [String: [String]] = [
            "road": ["road", "rd"], "street": ["street", "st", "str"], "avenue": ["avenue", "ave", "av"], "lane": ["lane", "ln"],
            "close": ["close", "cl"], "drive": ["drive", "dr", "drv"], "court": ["court", "ct"], "place": ["place", "pl"],
            "gardens": ["gardens", "gdns", "gdn"], "crescent": ["crescent", "cres", "cresc"], "terrace": ["terrace", "terr", "ter", "tce"],
            "square": ["square", "sq"], "grove": ["grove", "gr", "gro"], "park": ["park", "pk"], "mews": ["mews"], "rise": ["rise"],
            "way": ["way", "wy"], "walk": ["walk", "wlk", "wk"], "row": ["row"], "hill": ["hill"], "parade": ["parade", "pde"], "green": ["green", "grn"],
            "vale": ["vale"], "gate": ["gate"], "path": ["path"], "wharf": ["wharf"], "quay": ["quay"], "embankment": ["embankment"],
            "boulevard": ["boulevard", "blvd"], "broadway": ["broadway"], "circus": ["circus"], "approach": ["approach", "appr"],
            "passage": ["passage"], "heights": ["heights", "hts"], "mount": ["mount", "mt"], "yard": ["yard", "yd"], "end": ["end"],
            "hollow": ["hollow"], "drove": ["drove"], "chase": ["chase", "ch"], "croft": ["croft"], "field": ["field"], "fields": ["fields"],
            "brae": ["brae"], "wynd": ["wynd"], "vennel": ["vennel"], "causeway": ["causeway"], "dene": ["dene"], "garth": ["garth"],
            "fold": ["fold"],
        ]
        var table: [String: String] = [:]
        for (canonical, variants) in forms { for variant in variants { table[variant] = canonical } }
        return table
    }())

    /// Every spelling of each canonical street type ("street": st, str, street).
    static let typeSpellings: [String: [String]] = Dictionary(grouping: streetTypes.keys, by: { streetTypes[$0]! })

    /// Words that name a site, estate or building rather than a street.
    static let siteWords: Set<String> = [
        "site", "sites", "estate", "caravan", "caravans", "camp", "traveller", "travellers", "gypsy", "gypsies", "roma", "park",
        "yard", "farm", "house", "lodge", "mansions", "tower", "towers", "buildings", "cottage", "cottages", "flats", "apartments",
        "block", "hall", "halls", "centre", "hostel", "hotel", "residence", "residences", "halting", "encampment", "pitches",
        "hse", "est", "bldgs", "twr", "mans", "cott",
    ]

    /// Street types that also end the names of districts (Harold Hill, Palmers Green, Mile End).
    static let localityTypes: WordSet = ["hill", "green", "end", "park", "vale", "field", "fields", "gate"]

    /// Welsh words for a street that stand before its name (`Heol y Bont`, `Ffordd Las`, `Lôn
    /// Isaf`): such a street is matched as a named place, type word and all.
    static let welshStreetWords: WordSet = ["heol", "ffordd", "lon", "stryd", "rhodfa", "cilgant", "teras", "llys", "clos", "maes", "cae", "allt"]

    /// Designators of a dwelling within a building or site ("Flat 5" identifies beside the street),
    /// each with its kind: the words that name the same dwelling. A Traveller site's plot is as
    /// often called its pitch or bay, and a flat its apartment.
    static let unitKindList: [(word: String, kind: String)] = [
        ("flat", "flat"), ("apartment", "flat"), ("apt", "flat"), ("unit", "flat"), ("plot", "pitch"), ("pitch", "pitch"), ("bay", "pitch"),
        ("room", "room"), ("rm", "room"), ("caravan", "caravan"), ("trailer", "caravan"), ("box", "box"), ("pob", "box"),
    ]

    /// The kind of dwelling `folded` designates, if it is a designator (a scan of the ten words).
    static func unitKind(_ folded: String) -> String? {
        unitKindList.first { $0.word == folded }?.kind
    }

    /// Housing named after a street ("the Cranbrook Road estate", "the Meridian Walk flats"): the
    /// victim's street before one of these is still the victim's, where a station or a school
    /// after it names another place.
    static let dwellingWords: WordSet = [
        "estate", "est", "block", "blocks", "flats", "apartments", "tower", "towers", "twr", "mansions", "mans", "buildings", "bldgs",
        "cottages", "houses", "house", "site", "sites", "camp", "encampment", "pitches",
    ]

    /// Abbreviated site words ("Brandon Hse", "Kingsmead Est.").
    static let abbreviatedSiteWords: WordSet = ["hse", "est", "ho", "ct", "bldgs", "twr", "mans", "cott"]

    /// Words before a number that are part of it ("Flat 3", "Plot 7", "No. 12").
    static let designators: WordSet = ["flat", "apartment", "apt", "unit", "plot", "pitch", "bay", "room", "rm", "no", "number", "house", "block", "floor", "box", "pob"]

    init(_ address: String?) {
        guard let address, !address.isEmpty else { return }
        let text = TextTokens(address)
        postcodes = ContactPatterns.postcodes(in: text.scalars).map { ContactPatterns.compactPostcode(text.scalars[$0]) }
        what3words = address.lowercased().split(whereSeparator: { !($0.isLetter || $0 == ".") }).map(String.init).filter { chunk in
            let parts = chunk.split(separator: ".", omittingEmptySubsequences: false)
            return parts.count == 3 && parts.allSatisfy { $0.count >= 2 && $0.unicodeScalars.allSatisfy { TextTokens.isLetter($0) && $0.isASCII } }
        }
        let postcodeRanges = ContactPatterns.postcodes(in: text.scalars)
        // Parts at commas, semicolons and line breaks; words only, numbers and designators dropped.
        var parts: [[TextTokens.Token]] = [[]]
        for token in text.tokens {
            if token.newline || token.folded == "," || token.folded == ";" {
                parts.append([])
            } else if token.kind == .word || token.kind == .number, !postcodeRanges.contains(where: { $0.contains(token.start) }) {
                parts[parts.count - 1].append(token)
            }
        }
        var streetSeen = false
        // A street written with its house number: a later part without a number whose type word
        // also ends district names is a locality (`9 Juniper Chase, Harold Hill`, `40 Ashfield
        // Avenue, Palmers Green`); `14 Kingsley Court, Wellington Road` is a block on a street.
        var numberedStreetSeen = false
        var unknownBeforeStreet: [[String]] = []
        var unknownAfter: [[String]] = []
        for part in parts {
            var numbers: [String] = []
            for (index, token) in part.enumerated() where token.kind == .number {
                if index > 0, let kind = Self.unitKind(part[index - 1].folded) {
                    // A Scottish flat's position, floor and door: Flat 3/2.
                    let slashed = index + 1 < part.count && part[index + 1].kind == .number && text.scalars[token.end] == "/" && part[index + 1].start == token.end + 1
                    units.append((kind, slashed ? token.folded + "/" + part[index + 1].folded : token.folded))
                } else if index >= 2, Self.unitKind(part[index - 2].folded) != nil, part[index - 1].kind == .number, part[index - 1].end + 1 == token.start,
                          text.scalars[part[index - 1].end] == "/" {
                    continue  // the 2 of 3/2
                } else {
                    numbers.append(token.folded)
                }
            }
            let words = Self.stripNumbers(part)
            guard !words.isEmpty else { continue }
            if words.count >= 2, Self.welshStreetWords.contains(words[0]) {
                places.append(Place(name: words))
                streetSeen = true
                continue
            }
            if let siteIndex = words.firstIndex(where: { Self.siteWords.contains($0) }), siteIndex > 0,
               !(Self.streetTypes[words[words.count - 1]] != nil && !Self.siteWords.contains(words[words.count - 1])) {
                let name = Array(words[..<siteIndex]).filter { $0 != "the" }
                places.append(Place(name: name))
                // "Smallwood Road Site" is also "the Smallwood site" (when Smallwood is no ordinary word or place).
                if name.count >= 2, Self.streetTypes[name[name.count - 1]] != nil, name.dropLast().contains(where: { !CommonWords.isCommon($0) }) {
                    places.append(Place(name: Array(name.dropLast())))
                }
                continue
            }
            if let typeIndex = words.indices.last(where: { $0 > 0 && Self.streetTypes[words[$0]] != nil }) {
                if numberedStreetSeen, numbers.isEmpty, Self.localityTypes.contains(words[typeIndex]) {
                    localities.formUnion(words)
                    continue
                }
                let name = Array(words[..<typeIndex]).filter { $0 != "the" }
                if !name.isEmpty { streets.append(Street(name: name, type: Self.streetTypes[words[typeIndex]]!, numbers: numbers)) }
                streetSeen = true
                numberedStreetSeen = numberedStreetSeen || !numbers.isEmpty
                // An address typed without commas: what follows the type is the locality.
                localities.formUnion(words[(typeIndex + 1)...])
                continue
            }
            if streetSeen || !places.isEmpty, words.allSatisfy({ CommonWords.places.contains($0) }) {
                localities.formUnion(words)
            } else if words.allSatisfy({ CommonWords.boroughWords.contains($0) || $0 == "london" }) {
                localities.formUnion(words)
            } else if streetSeen || !places.isEmpty {
                unknownAfter.append(words)
            } else {
                unknownBeforeStreet.append(words)
            }
        }
        // A named part before the street (a house or site name) identifies; after it, a locality.
        // With no street at all, the first named part is the site and the rest are localities.
        if streetSeen {
            places += unknownBeforeStreet.map { Place(name: $0.filter { $0 != "the" }, bare: true) }
            for words in unknownAfter { localities.formUnion(words) }
        } else if !places.isEmpty {
            // Named parts before the site or estate are blocks and buildings ("Flat 61, Wendover, Aylesbury Estate").
            places += unknownBeforeStreet.map { Place(name: $0.filter { $0 != "the" }, bare: true) }
        } else if let first = unknownBeforeStreet.first {
            places.append(Place(name: first.filter { $0 != "the" }, bare: true))
            for words in unknownBeforeStreet.dropFirst() { localities.formUnion(words) }
        }
        places.removeAll { $0.name.isEmpty }
        for street in streets {
            let name = street.name.joined()
            for variant in Self.typeSpellings[street.type] ?? [] { gluedNames.insert(name + variant) }
            // Without its type, only a name with a word of its own (not `#BethnalGreen`, a locality).
            if street.name.count >= 2, street.name.contains(where: { !CommonWords.isCommon($0) }) { gluedNames.insert(name) }
        }
        for place in places where place.name.count >= 2 { gluedNames.insert(place.name.joined()) }
    }

    /// The folded words of a part without house numbers and their designators.
    static func stripNumbers(_ part: [TextTokens.Token]) -> [String] {
        var words: [String] = []
        for (index, token) in part.enumerated() {
            if token.kind == .number { continue }
            let next = index + 1 < part.count ? part[index + 1] : nil
            // "Flat 3", "No 12": a designator before a number; "12a": a letter glued to a number.
            if designators.contains(token.folded), next?.kind == .number { continue }
            if token.folded.count == 1, index > 0, part[index - 1].kind == .number, part[index - 1].end == token.start { continue }
            // "Shepherd's Bush": the possessive s joins its word (the apostrophe is not kept in parts).
            if token.folded == "s", index > 0, part[index - 1].kind == .word, token.start - part[index - 1].end == 1, !words.isEmpty {
                words[words.count - 1] += "s"
                continue
            }
            words.append(token.folded)
        }
        return words
    }
}
