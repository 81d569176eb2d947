extension PostalAddress {
    var isEmpty: Bool { streets.isEmpty && places.isEmpty && units.isEmpty && what3words.isEmpty }

    /// Scalar ranges of the victim's street and site or estate name in `text`, with any house
    /// number before them (the victim's or a neighbour's) and the type word after them in full or
    /// abbreviated. A name made only of ordinary words ("Mill", "Meadow View") needs its type or
    /// site word, or capitals, to count.
    func spans(in text: TextTokens) -> [Range<Int>] {
        let tokens = text.tokens
        // Every match starts with a word whose first byte is that of a unit designator (followed by
        // a number) or of a street's or place's first word (slot 256: the empty word): other words
        // are passed over.
        var unitStarts = [Bool](repeating: false, count: 257), nameStarts = [Bool](repeating: false, count: 257)
        let slot = { (word: String?) in word?.utf8.first.map(Int.init) ?? 256 }
        for (word, kind) in Self.unitKindList where units.contains(where: { $0.designator == kind }) { unitStarts[slot(word)] = true }
        streets.forEach { nameStarts[slot($0.name.first)] = true }
        places.forEach { nameStarts[slot($0.name.first)] = true }
        var found: [Range<Int>] = []
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index].kind == .word else { continue }
            let first = slot(tokens[index].folded)
            let unitStart = unitStarts[first] && index + 1 < tokens.count
            guard unitStart || nameStarts[first] else { continue }
            var best: Range<Int>?
            // The victim's own flat, plot or pitch ("Flat 5", "plot 7", "Rm 214", "room no. 12",
            // "plot four", "room three-one-two"), under any word for it.
            if unitStart, let kind = Self.unitKind(tokens[index].folded), let (number, end) = Self.unitNumber(text, after: index),
               units.contains(where: { $0.designator == kind && $0.number == number }) {
                best = index..<end
            }
            for street in streets {
                guard let end = sequence(text, street.name, at: index) else { continue }
                // With its own type in any spelling (Rd, Road): another type is another street
                // (Navarino Grove is not Navarino Road).
                if let next = text.nextSolid(after: end - 1), tokens[next].kind == .word, let type = Self.streetTypes[tokens[next].folded],
                   type != street.type, next == end + 1 { continue }
                let typed = typeWord(text, after: end, types: { Self.streetTypes[$0] == street.type }, acrossLines: true)
                // Without its type: after its house number ("No.16 Chatsworth"), after a word for
                // going along a street ("lives on Brudenell"), or a long name of its own written in
                // small letters or capitals, as graffiti and posts write it ("out of elmcroft"), though not
                // where a town's name would stand ("in hornsey": towns share street names).
                let previous = text.previousSolid(before: index)
                // The house number right before, or with a letter glued to it or a comma after it (16a, "16, Chatsworth").
                var numberIndex = previous
                if let letter = numberIndex, tokens[letter].kind == .word, tokens[letter].length == 1, letter > 0,
                   tokens[letter - 1].kind == .number, tokens[letter - 1].end == tokens[letter].start { numberIndex = letter - 1 }
                if let comma = numberIndex, tokens[comma].folded == ",", let before = text.previousSolid(before: comma) { numberIndex = before }
                let numbered = numberIndex.map { tokens[$0].kind == .number && street.numbers.contains(tokens[$0].folded) } ?? false
                    || spokenHouseNumber(text, before: index, among: street.numbers)
                let lowerCaseName = street.name.count == 1 && street.name[0].utf8.count >= 6 && (!tokens[index].capitalised || text.isAllCaps(index))
                    && !(previous.map { Self.townPrepositions.contains(tokens[$0].folded) } ?? false) && !anotherNameFollows(text, after: end)
                // After a house number, a name of ordinary words only as a name ("3 Market
                // traders" are traders): capitalised, or no ordinary word.
                let named = distinctive(street.name) || (index..<end).allSatisfy { tokens[$0].kind != .word || tokens[$0].capitalised && !text.isAllCaps($0) }
                guard typed != nil || numbered && named || (distinctive(street.name) && (standsAlone(text, from: index, to: end) || lowerCaseName)) else { continue }
                // "Kilburn High Road station" names the station, not the victim's home; "the
                // Cranbrook Road estate" is housing on or by the victim's street.
                if !dwellingFollows(text, after: typed ?? end), CommonWords.namesAnotherPlace(text, after: typed ?? end) { continue }
                let range = extendLeft(text, index)..<(typed ?? end)
                if best.map({ range.count > $0.count }) ?? true { best = range }
            }
            for place in places {
                guard let end = sequence(text, place.name, at: index) else { continue }
                let typed = typeWord(text, after: end, types: { Self.siteWords.contains($0) || Self.streetTypes[$0] != nil }, repeats: 3)
                let capitalised = (index..<end).allSatisfy { tokens[$0].kind != .word || tokens[$0].capitalised }
                // The victim's block, site or estate written as a name (capitalised) is theirs even
                // when a town shares it ("a neighbour in Wendover", Flat 61, Wendover).
                let afterThe = text.previousSolid(before: index).map { tokens[$0].folded == "the" } == true
                let named = place.name.count >= 2 ? capitalised
                    : capitalised && (!text.isSentenceInitial(index) || afterThe)
                    && (!CommonWords.ordinary.contains(place.name[0]) || afterThe)
                    && !CommonWords.boroughWords.contains(place.name[0])
                    && (place.bare || !CommonWords.places.contains(place.name[0]) || afterThe)
                guard typed != nil || distinctive(place.name) || named else { continue }
                if CommonWords.namesAnotherPlace(text, after: typed ?? end) { continue }
                let range = extendLeft(text, index)..<(typed ?? end)
                if best.map({ range.count > $0.count }) ?? true { best = range }
            }
            if best == nil, gluedNames.contains(tokens[index].folded) { best = index..<(index + 1) }
            if let best {
                found.append(tokens[best.lowerBound].start..<tokens[best.upperBound - 1].end)
                index = best.upperBound - 1
            }
        }
        // A what3words address, with or without its slashes.
        for words in what3words {
            for range in Scrubber.occurrences(of: words, in: text.scalars) {
                var lower = range.lowerBound
                while lower > 0, text.scalars[lower - 1] == "/" { lower -= 1 }
                found.append(lower..<range.upperBound)
            }
        }
        return found
    }

    /// Whether a word for housing (``PostalAddress/dwellingWords``) comes right after `end`.
    func dwellingFollows(_ text: TextTokens, after end: Int) -> Bool {
        let tokens = text.tokens
        guard end + 1 < tokens.count, tokens[end].kind == .space, !tokens[end].newline, tokens[end + 1].kind == .word else { return false }
        return Self.dwellingWords.contains(tokens[end + 1].folded)
    }

    /// A street name written without its type counts only where a street is meant ("lives on
    /// Brudenell"), not where the name is a town's, a station's or another street's ("in Hornsey",
    /// "Stockwell station", "Kilburn High Road").
    func standsAlone(_ text: TextTokens, from start: Int, to end: Int) -> Bool {
        let tokens = text.tokens
        guard let previous = text.previousSolid(before: start), Self.streetPrepositions.contains(tokens[previous].folded) else { return false }
        return !anotherNameFollows(text, after: end)
    }

    /// Whether a capitalised word or a word for an institution comes right after `end` (the name is
    /// then part of another: "Stockwell station", "Kilburn High Road").
    func anotherNameFollows(_ text: TextTokens, after end: Int) -> Bool {
        guard let next = text.nextSolid(after: end - 1), text.tokens[next].kind == .word else { return false }
        return text.tokens[next].capitalised || CommonWords.institutions.contains(text.tokens[next].folded)
    }

    /// Whether one of `numbers` is said in words right before `index` (`forty-two Brackenbury`,
    /// `number six Juniper`, `twenty seven marlow`).
    func spokenHouseNumber(_ text: TextTokens, before index: Int, among numbers: [String]) -> Bool {
        let tokens = text.tokens
        guard !numbers.isEmpty else { return false }
        // Up to three number words back (twenty-seven, twenty seven), each tried as the start.
        var start = index
        for _ in 0..<3 {
            guard start >= 2, tokens[start - 1].kind == .space || tokens[start - 1].folded == "-", !tokens[start - 1].newline,
                  tokens[start - 2].kind == .word else { break }
            start -= 2
            if let (number, end) = Self.spokenNumber(text, from: start), end == index - 1, numbers.contains(number) { return true }
        }
        return false
    }

    /// The number of a flat, room or plot after its designator at `index`: digits (`214`, `RM12`,
    /// `no. 12`) or words (`twelve`, `twenty-one`, `three-one-two`). Returns the number as digits
    /// and the token index after it.
    static func unitNumber(_ text: TextTokens, after index: Int) -> (String, Int)? {
        let tokens = text.tokens
        var probe = index + 1
        // Glued (`RM12`), or after a mark: "his flat, 3/2", "Rm. 214", "room: 214", "plot #12".
        if probe < tokens.count, tokens[probe].kind == .punct, ",.:#".unicodeScalars.contains(tokens[probe].scalar) { probe += 1 }
        if probe + 1 < tokens.count, tokens[probe].kind == .space, tokens[probe + 1].scalar == "#" { probe += 2 }
        if probe < tokens.count, tokens[probe].kind == .number { return (tokens[probe].folded, probe + 1) }
        guard probe < tokens.count, tokens[probe].kind == .space, !tokens[probe].newline else { return nil }
        probe += 1
        // 3/2: a Scottish flat's floor and door.
        if probe + 2 < tokens.count, tokens[probe].kind == .number, tokens[probe + 1].scalar == "/", tokens[probe + 2].kind == .number {
            return (tokens[probe].folded + "/" + tokens[probe + 2].folded, probe + 3)
        }
        // "no." or "number" between.
        if probe + 1 < tokens.count, tokens[probe].folded == "no" || tokens[probe].folded == "number" {
            var after = probe + 1
            if tokens[after].folded == "." { after += 1 }
            if after < tokens.count, tokens[after].kind == .space { after += 1 }
            if after < tokens.count, tokens[after].kind == .number { return (tokens[after].folded, after + 1) }
        }
        guard probe < tokens.count else { return nil }
        if tokens[probe].kind == .number { return (tokens[probe].folded, probe + 1) }
        return spokenNumber(text, from: probe)
    }

    /// A number said in words from `probe`: digit by digit (three-one-two, oh), or one number
    /// below a hundred (twelve, twenty-one). Returns it as digits and the token index after it.
    static func spokenNumber(_ text: TextTokens, from probe: Int) -> (String, Int)? {
        let tokens = text.tokens
        var digits = ""
        var end = probe
        var position = probe
        while position < tokens.count, tokens[position].kind == .word {
            let word = tokens[position].folded
            if let digit = ContactPatterns.digitWords[word] { digits.append(digit) }
            else if let teen = DateRecogniser.teenNumbers[word], digits.isEmpty { digits = String(teen); end = position + 1; break }
            else if let tens = DateRecogniser.tensNumbers[word], digits.isEmpty {
                digits = String(tens)
                end = position + 1
                // twenty-one, twenty one
                if position + 2 < tokens.count, tokens[position + 1].folded == "-" || (tokens[position + 1].kind == .space && !tokens[position + 1].newline),
                   let unit = DateRecogniser.unitNumbers[tokens[position + 2].folded] {
                    digits = String(tens + unit)
                    end = position + 3
                }
                break
            } else { break }
            end = position + 1
            // The next digit word after a hyphen or one space.
            guard position + 2 < tokens.count, tokens[position + 1].folded == "-" || (tokens[position + 1].kind == .space && !tokens[position + 1].newline),
                  tokens[position + 2].kind == .word else { break }
            position += 2
        }
        return digits.isEmpty ? nil : (digits, end)
    }

    static let streetPrepositions: WordSet = ["on", "off", "along", "down", "up"]
    static let townPrepositions: WordSet = ["in", "to", "from", "near", "towards", "into", "via"]

    /// A name with a word that is neither ordinary nor a locality of this address.
    func distinctive(_ name: [String]) -> Bool {
        name.contains { !CommonWords.isCommon($0) && !localities.contains($0) && $0.count >= 3 }
    }

    /// The end (token index) of `words` written from `index`, with spaces or hyphens between.
    func sequence(_ text: TextTokens, _ words: [String], at index: Int) -> Int? {
        guard let first = words.first, let afterFirst = word(text, first, at: index) else { return nil }
        var position = afterFirst
        for word in words.dropFirst() {
            var probe = position
            while probe < text.tokens.count, probe - position < 2, text.tokens[probe].kind == .space || text.tokens[probe].folded == "-" { probe += 1 }
            guard probe > position, probe < text.tokens.count, let after = self.word(text, word, at: probe) else { return nil }
            position = after
        }
        return position
    }

    /// The end of `word` written at `index`: as folded, a street type in another spelling (St for
    /// Street), or with a possessive apostrophe (Shepherd's for shepherds).
    func word(_ text: TextTokens, _ word: String, at index: Int) -> Int? {
        let tokens = text.tokens
        let folded = tokens[index].folded
        // Every accepted spelling starts with the same letter (St/Street, Shepherds/Shepherd's).
        guard folded.utf8.first == word.utf8.first else { return nil }
        // A saint's name is written St, St. or Saint whatever the address says (St Mary's Road).
        if Self.saintWords.contains(word), Self.saintWords.contains(folded) {
            return index + 1 < tokens.count && tokens[index + 1].folded == "." && folded != "saint" ? index + 2 : index + 1
        }
        if folded == word { return index + 1 }
        if let type = Self.streetTypes[word], Self.streetTypes[folded] == type { return index + 1 }
        if word.hasSuffix("s"), folded == String(word.dropLast()), index + 2 < tokens.count,
           tokens[index + 1].folded == "'" || tokens[index + 1].folded == "’", tokens[index + 2].folded == "s" {
            return index + 3
        }
        return nil
    }

    static let saintWords: WordSet = ["st", "saint", "ste"]

    /// The end of the type or site words right after `end` ("Rd.", "Traveller Site",
    /// "Heathfield-Gardens"), if any.
    func typeWord(_ text: TextTokens, after end: Int, types: (String) -> Bool, repeats: Int = 1, acrossLines: Bool = false) -> Int? {
        var result: Int?
        var position = end
        for _ in 0..<repeats {
            guard position < text.tokens.count, text.tokens[position].kind == .space && (acrossLines || !text.tokens[position].newline) || text.tokens[position].folded == "-",
                  position + 1 < text.tokens.count, text.tokens[position + 1].kind == .word, types(text.tokens[position + 1].folded) else { break }
            let word = text.tokens[position + 1].folded
            position += 2
            // The full stop of an abbreviation ("Rd.") goes with it; after a full word it ends a sentence.
            if position < text.tokens.count, text.tokens[position].folded == ".", Self.streetTypes[word].map({ $0 != word }) ?? Self.abbreviatedSiteWords.contains(word) {
                position += 1
            }
            result = position
        }
        return result
    }

    /// Takes a house number before the street: "12", "12a", "12-14", "No. 12", "number 14", "Flat 3, 12".
    func extendLeft(_ text: TextTokens, _ index: Int) -> Int {
        let tokens = text.tokens
        var lower = index
        var probe = text.previousSolid(before: lower)
        if let comma = probe, tokens[comma].folded == "," { probe = text.previousSolid(before: comma) }
        // A letter glued to the number (12a).
        if let letter = probe, tokens[letter].kind == .word, tokens[letter].length == 1, letter > 0,
           tokens[letter - 1].kind == .number, tokens[letter - 1].end == tokens[letter].start {
            probe = letter - 1
        }
        guard let number = probe, tokens[number].kind == .number, tokens[number].length <= 4 else { return lower }
        lower = number
        // A range (12-14).
        if number >= 2, tokens[number - 1].folded == "-", tokens[number - 2].kind == .number { lower = number - 2 }
        var before = text.previousSolid(before: lower)
        if let dot = before, tokens[dot].folded == ".", let word = text.previousSolid(before: dot), tokens[word].folded == "no" { before = word }
        if let word = before, tokens[word].kind == .word, Self.designators.contains(tokens[word].folded) { lower = word }
        return lower
    }
}
