/// A text cut once into words, numbers, white space and punctuation, by Unicode scalar offsets,
/// so that every matcher works on the same tokens and a replacement keeps the rest of the text
/// byte for byte.
struct TextTokens {
    enum Kind: Equatable {
        /// Letters (and their combining marks) of any script.
        case word
        /// ASCII digits.
        case number
        case space
        /// One scalar of anything else.
        case punct
    }

    struct Token {
        var kind: Kind
        /// Scalar offsets into `TextTokens.scalars`, end exclusive.
        var start: Int
        var end: Int
        /// Words: ``TextFolding/fold(_:)``. Numbers: the digits. Punctuation: the scalar.
        var folded: String
        /// A word whose first letter is upper case, or in a script without case.
        var capitalised: Bool = false
        /// Space containing a line break.
        var newline: Bool = false
        /// A word in the Latin script (an English word can only be one of these).
        var latin: Bool = true

        var length: Int { end - start }
    }

    let scalars: [Unicode.Scalar]
    let tokens: [Token]

    init(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        self.scalars = scalars
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 3)
        var index = 0
        while index < scalars.count {
            let start = index
            let scalar = scalars[index]
            if Self.isDigit(scalar) {
                while index < scalars.count, Self.isDigit(scalars[index]) { index += 1 }
                var digits = ""
                digits.unicodeScalars.append(contentsOf: scalars[start..<index])
                tokens.append(Token(kind: .number, start: start, end: index, folded: digits))
            } else if Self.isLetter(scalar) {
                var ascii = true
                while index < scalars.count, Self.isLetter(scalars[index]) || (index > start && TextFolding.isMark(scalars[index]))
                    || (Self.isInvisible(scalars[index]) && index + 1 < scalars.count && Self.isLetter(scalars[index + 1])) {
                    if !scalars[index].isASCII { ascii = false }
                    index += 1
                }
                let slice = scalars[start..<index]
                let folded: String
                if ascii {
                    var out = ""
                    for scalar in slice { TextFolding.appendASCII(scalar, to: &out) }
                    folded = out
                } else {
                    folded = TextFolding.foldScalars(slice)
                }
                let properties = scalar.properties
                let capitalised = properties.isUppercase || !(properties.isLowercase || properties.changesWhenUppercased)
                let latin = ascii || scalar.value < 0x0250 || (0x1E00...0x1EFF).contains(scalar.value)
                tokens.append(Token(kind: .word, start: start, end: index, folded: folded, capitalised: capitalised, latin: latin))
            } else if scalar.properties.isWhitespace {
                var newline = false
                while index < scalars.count, scalars[index].properties.isWhitespace {
                    if scalars[index] == "\n" || scalars[index] == "\r" || scalars[index] == "\u{2028}" { newline = true }
                    index += 1
                }
                tokens.append(Token(kind: .space, start: start, end: index, folded: newline ? "\n" : " ", newline: newline))
            } else {
                index += 1
                tokens.append(Token(kind: .punct, start: start, end: index, folded: String(scalar)))
            }
        }
        self.tokens = tokens
    }

    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    /// Soft hyphens and zero-width characters inside a word, invisible when printed.
    @inline(__always)
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        !scalar.isASCII && scalar.properties.isDefaultIgnorableCodePoint
    }

    @inline(__always)
    static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return (scalar.value | 0x20) >= 0x61 && (scalar.value | 0x20) <= 0x7A }
        return scalar.properties.isAlphabetic && !isDigit(scalar)
    }

    /// The text of tokens `range`, as written.
    func text(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "" }
        var out = ""
        out.unicodeScalars.append(contentsOf: scalars[tokens[range.lowerBound].start..<tokens[range.upperBound - 1].end])
        return out
    }

    /// The index of the next token after `index` that is not white space.
    func nextSolid(after index: Int) -> Int? {
        var next = index + 1
        while next < tokens.count, tokens[next].kind == .space { next += 1 }
        return next < tokens.count ? next : nil
    }

    /// The index of the previous token before `index` that is not white space.
    func previousSolid(before index: Int) -> Int? {
        var previous = index - 1
        while previous >= 0, tokens[previous].kind == .space { previous -= 1 }
        return previous >= 0 ? previous : nil
    }

    /// Whether the word at `index` begins a sentence (so its capital says nothing).
    func isSentenceInitial(_ index: Int) -> Bool {
        var previous = index - 1
        while previous >= 0 {
            let token = tokens[previous]
            switch token.kind {
            case .space where token.newline: return true
            case .space: previous -= 1
            case .punct where "\"“‘'([".contains(token.folded): previous -= 1
            case .punct: return ".!?:;…".contains(token.folded)
            default: return false
            }
        }
        return true
    }
}
