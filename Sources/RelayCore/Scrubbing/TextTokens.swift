/// A text cut once into words, numbers, white space and punctuation, by Unicode scalar offsets,
/// so that every matcher works on the same tokens and a replacement keeps the rest of the text
/// byte for byte.
final class TextTokens {
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
        /// A word in Cyrillic or Greek (folded through a table, vowels and all).
        var tabled: Bool = false
        /// A word with a capital after a small letter (`StefanLacatus`).
        var innerCapital: Bool = false
        /// The first scalar (for punctuation, the scalar itself).
        var scalar: Unicode.Scalar = " "

        var length: Int { end - start }
    }

    let scalars: [Unicode.Scalar]
    let tokens: [Token]
    /// The UTF-8 offset of each scalar (and of the end), for writing the text back.
    let utf8Offsets: [Int]

    init(_ text: String) {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars { scalars.append(scalar) }
        self.scalars = scalars
        // Written through the buffer: an array subscript in a loop checks uniqueness on every write.
        utf8Offsets = [Int](unsafeUninitializedCapacity: scalars.count + 1) { buffer, count in
            var offset = 0
            for index in scalars.indices {
                buffer[index] = offset
                let value = scalars[index].value
                offset += value < 0x80 ? 1 : value < 0x800 ? 2 : value < 0x10000 ? 3 : 4
            }
            buffer[scalars.count] = offset
            count = scalars.count + 1
        }
        var tokens: [Token] = []
        tokens.reserveCapacity(scalars.count / 3)
        var index = 0
        while index < scalars.count {
            let start = index
            let scalar = scalars[index]
            if Self.isDigit(scalar) {
                while index < scalars.count, Self.isDigit(scalars[index]) { index += 1 }
                let digits = Self.ascii(scalars[start..<index])
                tokens.append(Token(kind: .number, start: start, end: index, folded: digits, scalar: scalar))
            } else if Self.otherDigitValue(scalar) != nil {
                var digits = ""
                while index < scalars.count, let value = Self.otherDigitValue(scalars[index]) {
                    digits.unicodeScalars.append(Unicode.Scalar(0x30 + value))
                    index += 1
                }
                tokens.append(Token(kind: .number, start: start, end: index, folded: digits, scalar: scalar))
            } else if Self.isLetter(scalar) {
                var ascii = true
                var innerCapital = false
                var previousLower = false
                while index < scalars.count {
                    let current = scalars[index]
                    if current.isASCII {
                        let value = current.value | 0x20
                        guard value >= 0x61 && value <= 0x7A else { break }
                        let upper = current.value < 0x61
                        if upper && previousLower { innerCapital = true }
                        previousLower = !upper
                    } else {
                        guard Self.isLetter(current) || (index > start && TextFolding.isMark(current))
                            || (Self.isInvisible(current) && index + 1 < scalars.count && Self.isLetter(scalars[index + 1])) else { break }
                        ascii = false
                    }
                    index += 1
                }
                let slice = scalars[start..<index]
                let folded: String
                if ascii {
                    folded = Self.ascii(slice, lowercased: true)
                } else {
                    folded = TextFolding.foldScalars(slice)
                }
                let capitalised: Bool
                if scalar.isASCII {
                    capitalised = scalar.value < 0x61
                } else {
                    let properties = scalar.properties
                    capitalised = properties.isUppercase || !(properties.isLowercase || properties.changesWhenUppercased)
                }
                let latin = ascii || scalar.value < 0x0250 || (0x1E00...0x1EFF).contains(scalar.value)
                let tabled = (0x0370...0x03FF).contains(scalar.value) || (0x1F00...0x1FFF).contains(scalar.value) || (0x0400...0x052F).contains(scalar.value)
                tokens.append(Token(kind: .word, start: start, end: index, folded: folded, capitalised: capitalised, latin: latin,
                                    tabled: tabled, innerCapital: innerCapital, scalar: scalar))
            } else if Self.isSpace(scalar) {
                var newline = false
                while index < scalars.count, Self.isSpace(scalars[index]) {
                    if scalars[index] == "\n" || scalars[index] == "\r" || scalars[index] == "\u{2028}" { newline = true }
                    index += 1
                }
                tokens.append(Token(kind: .space, start: start, end: index, folded: newline ? "\n" : " ", newline: newline, scalar: scalar))
            } else {
                index += 1
                tokens.append(Token(kind: .punct, start: start, end: index, folded: scalar.isASCII ? Self.asciiStrings[Int(scalar.value)] : String(scalar), scalar: scalar))
            }
        }
        self.tokens = tokens
        // Segments (sentences and quoted passages) written with no capital at all: there, case says
        // nothing about whether a word is a name.
        self.lowercaseSegment = [Bool](unsafeUninitializedCapacity: tokens.count) { lowercaseSegment, count in
            var segmentStart = 0
            var capitals = false
            func close(_ end: Int) {
                for position in segmentStart..<end { lowercaseSegment[position] = !capitals }
                segmentStart = end
                capitals = false
            }
            for position in tokens.indices {
                let token = tokens[position]
                switch token.kind {
                case .word where token.latin && token.capitalised && token.length > 1: capitals = true
                case .space where token.newline: close(position)
                case .punct where Self.segmentEnds.contains(token.scalar):
                    // An apostrophe between letters (don't) is no quote mark.
                    let inWord = position > 0 && position + 1 < tokens.count && tokens[position - 1].kind == .word && tokens[position + 1].kind == .word
                    if !inWord { close(position) }
                default: break
                }
            }
            close(tokens.count)
            count = tokens.count
        }
    }

    /// ASCII scalars as a String, letters in small letters if `lowercased`.
    @inline(__always)
    static func ascii(_ slice: ArraySlice<Unicode.Scalar>, lowercased: Bool = false) -> String {
        String(unsafeUninitializedCapacity: slice.count) { buffer in
            var offset = 0
            for index in slice.indices {
                buffer[offset] = UInt8(truncatingIfNeeded: lowercased ? slice[index].value | 0x20 : slice[index].value)
                offset += 1
            }
            return offset
        }
    }

    /// Each ASCII scalar as a String, made once.
    static let asciiStrings: [String] = (0..<128).map { String(Unicode.Scalar(UInt8($0))) }

    /// Per token: whether its sentence or quoted passage has no capital letter at all.
    let lowercaseSegment: [Bool]
    /// Marks that end a segment: a quotation often follows a colon or semicolon ("the offender:
    /// rose is a slag").
    static let segmentEnds: ScalarSet = ".!?\"“”‘’'…;:"

    @inline(__always)
    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x30 && scalar.value <= 0x39 }

    /// The value of a decimal digit of another script (Arabic-Indic `٥`, Persian `۵`, Devanagari
    /// `५`, full-width `５`…): a run of them is a number token, folded to ASCII digits, so that
    /// `٥/١١/١٩٨٨` reads as a date. (A run mixing them with ASCII digits is two numbers.)
    @inline(__always)
    static func otherDigitValue(_ scalar: Unicode.Scalar) -> UInt8? {
        guard !scalar.isASCII, scalar.properties.numericType == .decimal, let value = scalar.properties.numericValue,
              value >= 0, value <= 9 else { return nil }
        return UInt8(value)
    }

    /// White space, with an ASCII fast path.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || (scalar.value >= 0x09 && scalar.value <= 0x0D) }
        return scalar.properties.isWhitespace
    }

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

    /// Whether the word at `index` is written in capitals throughout (`SAID`).
    func isAllCaps(_ index: Int) -> Bool {
        let token = tokens[index]
        return token.length > 1 && scalars[token.start..<token.end].allSatisfy { $0.properties.isUppercase }
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

    static let openers: ScalarSet = "\"“‘'(["
    static let sentenceEnds: ScalarSet = ".!?:;…"

    /// Whether the word at `index` begins a sentence (so its capital says nothing).
    func isSentenceInitial(_ index: Int) -> Bool {
        var previous = index - 1
        while previous >= 0 {
            let token = tokens[previous]
            switch token.kind {
            case .space where token.newline: return true
            case .space: previous -= 1
            case .punct where Self.openers.contains(token.scalar): previous -= 1
            case .punct: return Self.sentenceEnds.contains(token.scalar)
            default: return false
            }
        }
        return true
    }
}
