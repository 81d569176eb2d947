extension PostalAddress {
    var isEmpty: Bool { streets.isEmpty && places.isEmpty && units.isEmpty }

    /// Scalar ranges of the victim's street and site or estate name in `text`, with any house
    /// number before them (the victim's or a neighbour's) and the type word after them in full or
    /// abbreviated. A name made only of ordinary words ("Mill", "Meadow View") needs its type or
    /// site word, or capitals, to count.
    func spans(in text: TextTokens) -> [Range<Int>] {
        let tokens = text.tokens
        var found: [Range<Int>] = []
        var index = 0
        while index < tokens.count {
            defer { index += 1 }
            guard tokens[index].kind == .word else { continue }
            var best: Range<Int>?
            // The victim's own flat, plot or pitch ("Flat 5", "plot 7").
            for unit in units where tokens[index].folded == unit.designator {
                if let number = text.nextSolid(after: index), number == index + 2, tokens[number].kind == .number, tokens[number].folded == unit.number {
                    best = index..<(number + 1)
                }
            }
            for street in streets {
                guard let end = sequence(text, street.name, at: index) else { continue }
                let typed = typeWord(text, after: end, types: Self.streetTypes.keys.contains)
                guard typed != nil || distinctive(street.name) else { continue }
                let range = extendLeft(text, index)..<(typed ?? end)
                if best.map({ range.count > $0.count }) ?? true { best = range }
            }
            for place in places {
                guard let end = sequence(text, place.name, at: index) else { continue }
                let typed = typeWord(text, after: end, types: { Self.siteWords.contains($0) || Self.streetTypes[$0] != nil }, repeats: 3)
                let capitalised = (index..<end).allSatisfy { tokens[$0].kind != .word || tokens[$0].capitalised }
                let named = place.name.count >= 2 ? capitalised
                    : capitalised && !text.isSentenceInitial(index) && text.previousSolid(before: index).map { tokens[$0].folded == "the" } == true
                guard typed != nil || distinctive(place.name) || named else { continue }
                let range = extendLeft(text, index)..<(typed ?? end)
                if best.map({ range.count > $0.count }) ?? true { best = range }
            }
            if let best {
                found.append(tokens[best.lowerBound].start..<tokens[best.upperBound - 1].end)
                index = best.upperBound - 1
            }
        }
        return found
    }

    /// A name with a word that is neither ordinary nor a locality of this address.
    func distinctive(_ name: [String]) -> Bool {
        name.contains { !CommonWords.isCommon($0) && !localities.contains($0) && $0.count >= 3 }
    }

    /// The end (token index) of `words` written from `index`, with spaces or hyphens between.
    func sequence(_ text: TextTokens, _ words: [String], at index: Int) -> Int? {
        guard let first = words.first, text.tokens[index].folded == first else { return nil }
        var position = index + 1
        for word in words.dropFirst() {
            var probe = position
            while probe < text.tokens.count, probe - position < 2, text.tokens[probe].kind == .space || text.tokens[probe].folded == "-" { probe += 1 }
            guard probe > position, probe < text.tokens.count, text.tokens[probe].folded == word else { return nil }
            position = probe + 1
        }
        return position
    }

    /// The end of the type or site words right after `end` ("Rd.", "Traveller Site"), if any.
    func typeWord(_ text: TextTokens, after end: Int, types: (String) -> Bool, repeats: Int = 1) -> Int? {
        var result: Int?
        var position = end
        for _ in 0..<repeats {
            guard position < text.tokens.count, text.tokens[position].kind == .space, !text.tokens[position].newline,
                  position + 1 < text.tokens.count, text.tokens[position + 1].kind == .word, types(text.tokens[position + 1].folded) else { break }
            position += 2
            if position < text.tokens.count, text.tokens[position].folded == "." { position += 1 }
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
