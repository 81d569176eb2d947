import Foundation

/// The one normalisation used on both sides of the scrubber — the victim's registered identity
/// and the free text — so that two spellings of the same name compare equal.
///
/// `fold` gives lower-case ASCII letters and digits:
/// 1. Latin letters: Unicode compatibility decomposition (NFKD, Foundation's
///    `decomposedStringWithCompatibilityMapping`), then every combining mark dropped
///    (`Ș` → `S`, `ł` stays), then a table for the Latin letters that do not decompose
///    (`ł`→`l`, `ø`→`o`, `đ`→`dj` as Serbian and Croatian write it, `ß`→`ss`, `æ`→`ae`, `ı`→`i`, `þ`→`th` …).
/// 2. Cyrillic and Greek: tables in the transliteration UK bodies use for names (BGN/PCGN for
///    Cyrillic, with the Ukrainian letters; ELOT 743 for Greek), so `Мельник` → `melnik`,
///    `Юлія` → `yuliya`, `Νίκος` → `nikos`.
/// 3. Any other script: ICU's `Any-Latin; Latin-ASCII` transform through Foundation's
///    `applyingTransform`, per token (it costs microseconds a word, so it is never run on whole
///    texts, and only for tokens the tables do not cover).
/// Apostrophes, hyphens and other punctuation are dropped: `O'Donnell` folds to `odonnell`.
public enum TextFolding {
    /// The folded form of `text`: lower-case ASCII letters and digits only.
    public static func fold<S: StringProtocol>(_ text: S) -> String {
        var ascii = true
        for unit in text.utf8 where unit >= 0x80 { ascii = false; break }
        if ascii {
            var out = ""
            out.reserveCapacity(text.utf8.count)
            for unit in text.utf8 {
                switch unit {
                case 0x41...0x5A: out.unicodeScalars.append(Unicode.Scalar(unit + 32))
                case 0x61...0x7A, 0x30...0x39: out.unicodeScalars.append(Unicode.Scalar(unit))
                default: break
                }
            }
            return out
        }
        return foldScalars(text.unicodeScalars)
    }

    static func foldScalars<C: Collection>(_ scalars: C) -> String where C.Element == Unicode.Scalar {
        var out = ""
        var pending: [Unicode.Scalar] = []  // a run of another script, for ICU
        func flushPending() {
            guard !pending.isEmpty else { return }
            var run = ""
            run.unicodeScalars.append(contentsOf: pending)
            pending.removeAll()
            let latin = run.applyingTransform(StringTransform("Any-Latin; Latin-ASCII"), reverse: false) ?? ""
            // Only what came out as ASCII or a tabled Latin letter is kept: ICU leaves some letters
            // as they are (ʿ, ـ), and folding them again would never end.
            for scalar in latin.unicodeScalars {
                if scalar.isASCII { appendASCII(scalar, to: &out) } else if let mapped = latinTable[scalar] { out += mapped }
            }
        }
        var previous: Unicode.Scalar?
        for scalar in scalars {
            defer { previous = scalar }
            if scalar.isASCII {
                flushPending()
                appendASCII(scalar, to: &out)
                continue
            }
            // Kurdish (Sorani) writes the vowel e with ە, which ICU reads as the consonant h.
            if scalar == "\u{06D5}" {
                flushPending()
                out += "e"
                continue
            }
            // A mark inside a run of another script is part of its spelling (Devanagari vowel
            // signs, the virama): ICU needs it. On a Latin letter it is an accent, dropped.
            if isMark(scalar) {
                if !pending.isEmpty { pending.append(scalar) }
                continue
            }
            if let mapped = latinTable[scalar] ?? cyrillicTable[scalar] {
                flushPending()
                out += mapped
                continue
            }
            if let greek = greekLetter(scalar, after: previous) {
                flushPending()
                out += greek
                continue
            }
            let decomposed = String(scalar).decomposedStringWithCompatibilityMapping.unicodeScalars
            if decomposed.count > 1 || decomposed.first != scalar, decomposed.allSatisfy({ $0.isASCII || isMark($0) || latinTable[$0] != nil }) {
                flushPending()
                for part in decomposed where !isMark(part) {
                    if part.isASCII { appendASCII(part, to: &out) } else if let mapped = latinTable[part] { out += mapped }
                }
                continue
            }
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                // Greek with accents decomposes to a base letter plus marks.
                if let base = decomposed.first, let greek = greekLetter(base, after: previous) {
                    flushPending()
                    out += greek
                } else {
                    pending.append(scalar)
                }
            }
        }
        flushPending()
        return out
    }

    @inline(__always)
    static func appendASCII(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar.value {
        case 0x41...0x5A: out.unicodeScalars.append(Unicode.Scalar(scalar.value + 32)!)
        case 0x61...0x7A, 0x30...0x39: out.unicodeScalars.append(scalar)
        default: break
        }
    }

    /// Combining marks (accents, the Romanian comma below, the Czech háček …).
    @inline(__always)
    static func isMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// Latin letters that have no decomposition, in both cases.
    static let latinTable: [Unicode.Scalar: String] = {
        let pairs: [(String, String)] = [
            ("łŁ", "l"), ("øØ", "o"), ("đĐ", "dj"), ("ðÐ", "d"), ("þÞ", "th"), ("ßẞ", "ss"), ("æÆ", "ae"), ("œŒ", "oe"),
            ("ı", "i"), ("ħĦ", "h"), ("ŧŦ", "t"), ("ŋŊ", "n"), ("ĸ", "k"), ("ŀĿ", "l"), ("ſ", "s"), ("ƒ", "f"),
            ("ɨƗ", "i"), ("əƏǝ", "e"), ("ɛƐ", "e"), ("ɔƆ", "o"), ("ʒƷ", "z"), ("ɲƝ", "n"), ("ƴƳ", "y"), ("ɓƁ", "b"),
            ("ɗƊ", "d"), ("ƙƘ", "k"), ("ʼ‘’`´ʹʻ", ""),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letters, latin) in pairs { for scalar in letters.unicodeScalars { table[scalar] = latin } }
        return table
    }()

    /// Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian letters) in the
    /// BGN/PCGN style British forms use: `х`→`kh`, `ж`→`zh`, `ц`→`ts`, `ю`→`yu`, `я`→`ya`.
    static let cyrillicTable: [Unicode.Scalar: String] = {
        let lower: [(String, String)] = [
            ("а", "a"), ("б", "b"), ("в", "v"), ("г", "g"), ("ґ", "g"), ("д", "d"), ("е", "e"), ("ё", "e"), ("є", "ye"),
            ("ж", "zh"), ("з", "z"), ("и", "i"), ("і", "i"), ("ї", "yi"), ("й", "y"), ("к", "k"), ("л", "l"), ("м", "m"),
            ("н", "n"), ("о", "o"), ("п", "p"), ("р", "r"), ("с", "s"), ("т", "t"), ("у", "u"), ("ў", "u"), ("ф", "f"),
            ("х", "kh"), ("ц", "ts"), ("ч", "ch"), ("ш", "sh"), ("щ", "shch"), ("ъ", ""), ("ы", "y"), ("ь", ""),
            ("э", "e"), ("ю", "yu"), ("я", "ya"), ("ђ", "dj"), ("ј", "j"), ("љ", "lj"), ("њ", "nj"), ("ћ", "c"),
            ("џ", "dz"), ("ѓ", "gj"), ("ќ", "kj"), ("ѕ", "dz"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letter, latin) in lower {
            table[letter.unicodeScalars.first!] = latin
            table[letter.uppercased().unicodeScalars.first!] = latin
        }
        return table
    }()

    /// Greek (ELOT 743): `η`→`i`, `υ`→`y` except in `ου` (`ou`), `β`→`v`, `χ`→`ch`.
    static let greekTable: [Unicode.Scalar: String] = {
        let lower: [(String, String)] = [
            ("α", "a"), ("β", "v"), ("γ", "g"), ("δ", "d"), ("ε", "e"), ("ζ", "z"), ("η", "i"), ("θ", "th"), ("ι", "i"),
            ("κ", "k"), ("λ", "l"), ("μ", "m"), ("ν", "n"), ("ξ", "x"), ("ο", "o"), ("π", "p"), ("ρ", "r"), ("σ", "s"),
            ("ς", "s"), ("τ", "t"), ("υ", "y"), ("φ", "f"), ("χ", "ch"), ("ψ", "ps"), ("ω", "o"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letter, latin) in lower {
            table[letter.unicodeScalars.first!] = latin
            table[letter.uppercased().unicodeScalars.first!] = latin
        }
        return table
    }()

    static func greekLetter(_ scalar: Unicode.Scalar, after previous: Unicode.Scalar?) -> String? {
        guard let latin = greekTable[scalar] else { return nil }
        guard latin == "y", let previous else { return latin }
        let base = String(previous).decomposedStringWithCompatibilityMapping.unicodeScalars.first.flatMap { greekTable[$0] }
        switch base {
        case "o": return "u"
        case "a", "e": return "v"
        default: return latin
        }
    }
}
