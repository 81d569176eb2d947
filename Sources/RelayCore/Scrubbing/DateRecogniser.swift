/// Finds date expressions in tokenised text, whatever their written form, and resolves each to
/// the calendar dates it can mean — one recogniser, not a pattern per format. Forms read:
/// - numeric day, month and year with any one separator (`12/2/84`, `12.02.1984`, `12-02-84`,
///   `12 02 1984`), day-month-year as written in the UK and also month-day-year (either reading
///   that is a valid date counts); year first (`1984-02-12`, `1984/2/12`); eight or six digits
///   together (`12021984`, `19840212`, `120284`); a Roman-numeral month (`12.II.1984`);
/// - a month name or abbreviation in English or in the languages of the communities served
///   (Polish, Romanian, Czech, Hungarian, Turkish, Lithuanian, French, Spanish, Portuguese,
///   Italian, German, and in Cyrillic: Russian, Ukrainian, Bulgarian), before or after the day
///   (`12 Feb 1984`, `Feb 12th, 1984`, `12-FEB-84`, `12th of February`, `1984. február 12.`,
///   `1 вересня 1983`);
/// - a day as an ordinal word (`the twelfth of February`, `twenty-third of June`), and a year in
///   words after the day and month (`nineteen ninety-seven`, `two thousand and three`);
/// - a weekday in front (`Sunday 12th February 1984`, `Sun, 12 Feb '84`), taken with the date;
/// - two-digit years (`'84`, `84`); days known by name with a year (`Christmas Eve 1992`);
/// - the Chinese, Japanese and Korean form (`1975年3月15日`, `1975년 3월 15일`);
/// - dates of the Solar Hijri calendar of Iran and Afghanistan (`12 Farvardin 1366`, `12 Hamal
///   1366`, `1366/01/12`, `12/01/1366`) and of the Ethiopian calendar (`23 Meskerem 1980`), with
///   their year, read as the Gregorian date they are (``OtherCalendars``);
/// - any of these numeric forms in the digits of other scripts (`٥/١١/١٩٨٨`; ``TextTokens``).
/// A date written without a year (`her birthday, 12 February`) can mean the date of birth.
struct DateRecogniser {
    /// A calendar reading of a date expression; `year` is nil when none was written, and
    /// `twoDigitYear` says only the last two digits were.
    struct Reading: Equatable {
        var day: Int
        var month: Int
        var year: Int?
        var twoDigitYear = false

        func matches(_ date: DateOfBirth) -> Bool {
            guard day == date.day, month == date.month else { return false }
            guard let year else { return true }
            return twoDigitYear ? year == date.year % 100 : year == date.year
        }
    }

    struct Expression {
        /// Token index range.
        var tokens: Range<Int>
        var readings: [Reading]
    }

    /// Folded month names and abbreviations → month number.
    static let months = WordTable<Int>({
        let names: [[String]] = [
            ["january", "jan", "ianuarie", "ian", "styczen", "stycznia", "leden", "ledna", "januar", "janvier", "enero", "janeiro", "gennaio", "janner", "ocak", "sausis", "sausio"],
            ["february", "feb", "febr", "februarie", "luty", "lutego", "unor", "unora", "februar", "fevrier", "febrero", "fevereiro", "febbraio", "subat", "vasaris", "vasario"],
            ["march", "mar", "martie", "marzec", "marca", "brezen", "brezna", "marcius", "marz", "mars", "marzo", "marco", "mart", "kovas", "kovo"],
            ["april", "apr", "aprilie", "kwiecien", "kwietnia", "duben", "dubna", "aprilis", "avril", "abril", "aprile", "nisan", "balandis", "balandzio"],
            ["may", "mai", "maj", "maja", "kveten", "kvetna", "majus", "mayo", "maio", "maggio", "mayis", "geguze", "geguzes"],
            ["june", "jun", "iunie", "czerwiec", "czerwca", "cerven", "cervna", "junius", "juni", "juin", "junio", "junho", "giugno", "haziran", "birzelis", "birzelio"],
            ["july", "jul", "iulie", "lipiec", "lipca", "cervenec", "cervence", "julius", "juli", "juillet", "julio", "julho", "luglio", "temmuz", "liepa", "liepos"],
            ["august", "aug", "sierpien", "sierpnia", "srpen", "srpna", "augusztus", "aout", "agosto", "agustos", "rugpjutis", "rugpjucio"],
            ["september", "sep", "sept", "septembrie", "wrzesien", "wrzesnia", "zari", "szeptember", "septembre", "septiembre", "setiembre", "setembro", "settembre", "eylul", "rugsejis", "rugsejo"],
            ["october", "oct", "octombrie", "pazdziernik", "pazdziernika", "rijen", "rijna", "oktober", "october", "octobre", "octubre", "outubro", "ottobre", "ekim", "spalis", "spalio"],
            ["november", "nov", "noiembrie", "listopad", "listopada", "listopadu", "novembre", "noviembre", "novembro", "kasim", "lapkritis", "lapkricio"],
            ["december", "dec", "decembrie", "grudzien", "grudnia", "prosinec", "prosince", "dezember", "decembre", "diciembre", "dezembro", "dicembre", "aralik", "gruodis", "gruodzio"],
        ]
        // Welsh (also mutated after "o": o Fawrth, o Dachwedd), Slovak (nominative and the genitive a
        // date uses), Albanian, Arabic in Latin letters
        // (Levantine and Egyptian), Kurdish (Kurmanji), and Turkish and Polish abbreviations.
        let more: [[String]] = [
            ["ionawr", "januara", "janar", "janarit"], ["chwefror", "februara", "shkurt", "shkurtit"], ["mawrth", "fawrth", "marec", "marsit"],
            ["ebrill", "aprila", "prill", "prillit"], ["fai", "maja", "majit"], ["mehefin", "fehefin", "juna", "qershor", "qershorit"],
            ["gorffennaf", "orffennaf", "jula", "korrik", "korrikut"], ["awst", "augusta", "gusht", "gushtit"],
            ["medi", "fedi", "septembra", "shtator", "shtatorit"], ["hydref", "oktobra", "tetor", "tetorit"],
            ["tachwedd", "dachwedd", "novembra", "nentor", "nentorit"], ["rhagfyr", "decembra", "dhjetor", "dhjetorit"],
        ]
        let arabicKurdishAbbreviated: [[String]] = [
            ["yanayir", "yanayer", "cile", "oca", "sty"], ["shubat", "shbat", "fibrayir", "febrayer", "sibat", "sub", "lut"],
            ["adhar", "azar", "maris", "mares", "adar"], ["nis", "kwi"], ["ayyar", "ayar", "mayu", "gulan"],
            ["yunyu", "yunya", "heziran", "haz", "cze"], ["tammuz", "tamuz", "yulyu", "yulya", "tirmeh", "tem", "lip"],
            ["aghustus", "aghustos", "tebax", "agu", "sie"], ["aylul", "ailul", "sibtimbir", "sebtamber", "ilon", "eyl", "wrz"],
            ["uktubar", "oktobar", "cotmeh", "eki", "paz"], ["nufimbir", "novamber", "mijdar", "kas", "lis"],
            ["disimbir", "desamber", "berfanbar", "ara", "gru"],
        ]
        // In other scripts, folded as the text is (Greek genitives, Urdu, Arabic, Bengali); forms
        // that fold to fewer than three letters are left out (Bengali মে is "me").
        let scripts: [[String]] = [
            ["Ιανουαρίου", "جنوری", "يناير", "জানুয়ারি"], ["Φεβρουαρίου", "فروری", "فبراير", "شباط", "ফেব্রুয়ারি"],
            ["Μαρτίου", "مارچ", "مارس", "آذار", "মার্চ"], ["Απριλίου", "اپریل", "أبريل", "نيسان", "এপ্রিল"],
            ["Μαΐου", "مئی", "مايو", "أيار"], ["Ιουνίου", "يونيو", "حزيران"], ["Ιουλίου", "جولائی", "يوليو", "تموز", "জুলাই"],
            ["Αυγούστου", "اگست", "أغسطس", "আগস্ট"], ["Σεπτεμβρίου", "ستمبر", "سبتمبر", "أيلول", "সেপ্টেম্বর"],
            ["Οκτωβρίου", "اکتوبر", "أكتوبر", "অক্টোবর"], ["Νοεμβρίου", "نومبر", "نوفمبر", "নভেম্বর"], ["Δεκεμβρίου", "دسمبر", "ديسمبر", "ডিসেম্বর"],
        ]
        // Russian, Ukrainian and Bulgarian, in the nominative and the genitive a date uses
        // (`1 вересня 1983`, `12 мая 1995`), folded through the Cyrillic table as the text is.
        let cyrillic: [[String]] = [
            ["январь", "января", "січень", "січня", "януари"], ["февраль", "февраля", "лютий", "лютого", "февруари"],
            ["март", "марта", "березень", "березня"], ["апрель", "апреля", "квітень", "квітня", "април"],
            ["май", "мая", "травень", "травня"], ["июнь", "июня", "червень", "червня", "юни"],
            ["июль", "июля", "липень", "липня", "юли"], ["август", "августа", "серпень", "серпня"],
            ["сентябрь", "сентября", "вересень", "вересня", "септември"], ["октябрь", "октября", "жовтень", "жовтня", "октомври"],
            ["ноябрь", "ноября", "листопад", "листопада", "ноември"], ["декабрь", "декабря", "грудень", "грудня", "декември"],
        ]
        var table: [String: Int] = [:]
        for (index, forms) in names.enumerated() { for form in forms { table[form] = index + 1 } }
        for (index, forms) in (more + arabicKurdishAbbreviated).enumerated() {
            for form in forms {
                precondition(table[form] == nil || table[form] == index % 12 + 1, "\(form) is another month's name")
                table[form] = index % 12 + 1
            }
        }
        for (index, forms) in scripts.enumerated() {
            for form in forms {
                let folded = TextFolding.fold(form)
                if folded.utf8.count >= 3, table[folded] == nil { table[folded] = index + 1 }
            }
        }
        for (index, forms) in cyrillic.enumerated() {
            for form in forms {
                let folded = TextFolding.fold(form)
                precondition(table[folded] == nil || table[folded] == index + 1, "\(form) folds to another month's name")
                table[folded] = index + 1
            }
        }
        return table
    }())

    static let romanMonths: WordTable<Int> = [
        "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12,
    ]

    static let weekdays: WordSet = [
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
    ]

    static let ordinalWords: WordTable<Int> = [
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
        "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
        "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
    ]

    /// Hyphens and dashes, which join a number word to the next word (`twelve-year-olds`). (Not
    /// an apostrophe: after a year it is most often a closing quote, `'… nineteen ninety-two'`.)
    static let joiningMarks: ScalarSet = "-‐–"

    static let unitNumbers: WordTable<Int> = [
        "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    ]
    static let teenNumbers: WordTable<Int> = [
        "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
        "eighteen": 18, "nineteen": 19,
    ]
    static let tensNumbers: WordTable<Int> = [
        "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    ]

    /// Words the cursor is asked about, built once.
    /// English, Welsh (`1af`, `2il`, `3ydd`, `5ed`, `7fed`, `11eg`, `21ain`), French (`1er`) and
    /// Portuguese and Spanish (`1º`) ordinal endings of a day.
    static let ordinalSuffixes: WordSet = ["st", "nd", "rd", "th", "af", "il", "ydd", "ed", "fed", "eg", "ain", "er", "o", "º"]
    /// Words between a day, its month and its year: `of`, Welsh `o`, Portuguese and Spanish `de`.
    static let of: WordSet = ["of", "o", "de", "del"]
    /// Words before a year: those, and Vietnamese `năm` ("year").
    static let yearWords: WordSet = ["of", "o", "de", "del", "nam"]
    static let the: WordSet = ["the"]

    let text: TextTokens

    /// Every date expression in the text, longest first at each position.
    func expressions() -> [Expression] {
        var found: [Expression] = []
        var index = 0
        let tokens = text.tokens
        while index < tokens.count {
            if mayStart(tokens[index]), let expression = expression(at: index) {
                found.append(expression)
                index = expression.tokens.upperBound
            } else {
                index += 1
            }
        }
        return found
    }

    /// Days known by name ("born on Christmas Eve 1992"), as folded words (a possessive `'s` dropped).
    static let namedDays: [([String], day: Int, month: Int)] = [
        (["christmas", "eve"], 24, 12), (["christmas", "day"], 25, 12), (["boxing", "day"], 26, 12), (["new", "year", "eve"], 31, 12),
        (["new", "years", "eve"], 31, 12), (["new", "year", "day"], 1, 1), (["new", "years", "day"], 1, 1), (["valentine", "day"], 14, 2),
        (["valentines", "day"], 14, 2), (["halloween"], 31, 10), (["bonfire", "night"], 5, 11), (["guy", "fawkes", "night"], 5, 11),
        (["st", "patrick", "day"], 17, 3), (["st", "george", "day"], 23, 4), (["st", "andrew", "day"], 30, 11), (["st", "david", "day"], 1, 3),
        (["burns", "night"], 25, 1), (["april", "fools", "day"], 1, 4), (["april", "fool", "day"], 1, 4),
    ]

    /// Words a date expression can begin with (most words cannot, and are not tried).
    static let starters = WordSet(Set(months.keys).union(weekdays.words).union(ordinalWords.keys).union(["the", "twenty", "thirty"])
        .union(namedDays.map { $0.0[0] }).union(OtherCalendars.months.keys))

    func mayStart(_ token: TextTokens.Token) -> Bool {
        switch token.kind {
        case .number: true
        case .word: Self.starters.contains(token.folded)
        case .space, .punct: false
        }
    }

    // MARK: Reading components

    /// A cursor over the solid tokens that records the separators between them.
    struct Cursor {
        let text: TextTokens
        var index: Int

        var token: TextTokens.Token? { index < text.tokens.count ? text.tokens[index] : nil }

        /// Moves past white space and at most one separator from `allowed`; returns the separator
        /// ("" for white space alone), or nil when something else stands there.
        mutating func separator(_ allowed: ScalarSet = "/-.,", maxSpaces: Int = 3) -> String? {
            var probe = index
            var separator = ""
            var spaces = 0
            while probe < text.tokens.count {
                let token = text.tokens[probe]
                if token.kind == .space {
                    spaces += token.length
                    guard spaces <= maxSpaces else { return nil }
                    probe += 1
                } else if token.kind == .punct, separator.isEmpty, allowed.contains(token.scalar) {
                    separator = token.folded
                    probe += 1
                } else {
                    break
                }
            }
            guard probe < text.tokens.count, probe > index else { return nil }
            index = probe
            return separator
        }

        /// A day: 1–31, with an optional ordinal suffix (`12th`), or an ordinal word.
        mutating func day() -> Int? {
            guard let token else { return nil }
            if token.kind == .number, token.length <= 2, let value = Int(token.folded), (1...31).contains(value) {
                index += 1
                if let suffix = self.token, suffix.kind == .word, DateRecogniser.ordinalSuffixes.contains(suffix.folded) { index += 1 }
                return value
            }
            if token.kind == .word {
                if let value = DateRecogniser.ordinalWords[token.folded] {
                    index += 1
                    return value
                }
                if token.folded == "twenty" || token.folded == "thirty" {
                    let tens = token.folded == "twenty" ? 20 : 30
                    var probe = self
                    probe.index += 1
                    if probe.separator("-", maxSpaces: 1) != nil, let unit = probe.token, let value = DateRecogniser.ordinalWords[unit.folded], value < 10 {
                        index = probe.index + 1
                        return tens + value
                    }
                }
            }
            return nil
        }

        /// A month name or abbreviation (with an optional full stop).
        mutating func monthName() -> Int? {
            guard let token, token.kind == .word, let month = DateRecogniser.months[token.folded] else { return nil }
            index += 1
            // "Feb." takes its full stop; "February." ends a sentence.
            if let dot = self.token, dot.folded == ".", token.folded.utf8.count <= 4 { index += 1 }
            return month
        }

        /// A month of the Solar Hijri or Ethiopian calendar (``OtherCalendars/months``).
        mutating func otherMonth() -> (OtherCalendars.Kind, Int)? {
            guard let token, token.kind == .word, let month = OtherCalendars.months[token.folded] else { return nil }
            index += 1
            return month
        }

        /// A year of `calendar` in four digits (`1366`, `۱۳۶۶`; `1980` in the Ethiopian calendar).
        mutating func year(in calendar: OtherCalendars.Kind) -> Int? {
            guard let token, token.kind == .number, token.length == 4, let value = Int(token.folded),
                  (calendar == .solarHijri ? OtherCalendars.solarYears : OtherCalendars.ethiopianYears).contains(value) else { return nil }
            index += 1
            return value
        }

        /// A month said as its number, after a day and `of`: `the 4th` in `the 3rd of the 4th, '87`.
        mutating func ordinalMonth() -> Int? {
            var probe = self
            probe.skipWords(DateRecogniser.the)
            guard probe.index > index, let token = probe.token, token.kind == .number, token.length <= 2, let month = Int(token.folded),
                  (1...12).contains(month), probe.index + 1 < text.tokens.count, text.tokens[probe.index + 1].kind == .word,
                  DateRecogniser.ordinalSuffixes.contains(text.tokens[probe.index + 1].folded) else { return nil }
            index = probe.index + 2
            return month
        }

        /// A Vietnamese month: `tháng` and its number (`3 tháng 7 năm 1988`).
        mutating func vietnameseMonth() -> Int? {
            guard let token, token.kind == .word, token.folded == "thang", index + 2 < text.tokens.count, text.tokens[index + 1].kind == .space,
                  text.tokens[index + 2].kind == .number, let month = Int(text.tokens[index + 2].folded), (1...12).contains(month) else { return nil }
            index += 3
            return month
        }

        /// A year: four digits, two digits, or `'84`. Returns (year, twoDigit).
        mutating func year() -> (Int, Bool)? {
            var probe = index
            if probe < text.tokens.count, text.tokens[probe].folded == "'" || text.tokens[probe].folded == "’" { probe += 1 }
            guard probe < text.tokens.count else { return nil }
            let token = text.tokens[probe]
            guard token.kind == .number, token.length == 4 || token.length == 2, let value = Int(token.folded) else { return nil }
            if token.length == 4, !(1850...2100).contains(value) { return nil }
            index = probe + 1
            return (value, token.length == 2)
        }

        /// A year written in words after a day and month: `nineteen ninety-seven`, `nineteen eighty`,
        /// `nineteen oh five`, `two thousand and three`, `twenty twelve`. Moves past it. Only where
        /// the words end there (the text ends, or a line, or a comma, full stop or the like follows):
        /// in `14 August two thousand people` or `twenty twelve-year-olds` they count something
        /// else, and a year read from them would keep the birthday's day and month in the text.
        mutating func yearInWords() -> Int? {
            var reading = self
            guard let year = reading.yearWords(), reading.endsPhrase() else { return nil }
            self = reading
            return year
        }

        /// Whether the words stop at the cursor: the end of the text, a line break, or punctuation
        /// other than a hyphen, after at most one space.
        func endsPhrase() -> Bool {
            var probe = index
            if probe < text.tokens.count, text.tokens[probe].kind == .space {
                if text.tokens[probe].newline { return true }
                probe += 1
            }
            guard probe < text.tokens.count else { return true }
            let token = text.tokens[probe]
            return token.kind == .punct && !DateRecogniser.joiningMarks.contains(token.scalar)
        }

        mutating func yearWords() -> Int? {
            var probe = self
            guard let first = probe.numberWord() else { return nil }
            let century: Int
            switch first {
            case "eighteen": century = 1800
            case "nineteen": century = 1900
            case "twenty": century = 2000
            case "two":
                guard probe.numberWord() == "thousand" else { return nil }
                var rest = probe
                if rest.numberWord() != "and" { rest = probe }
                let year = 2000 + (rest.belowHundred() ?? 0)
                if year > 2000 { probe = rest }
                self = probe
                return year
            default: return nil
            }
            var rest = probe
            if let word = rest.numberWord(), word == "oh" || word == "o", let unit = rest.numberWord().flatMap({ DateRecogniser.unitNumbers[$0] }) {
                self = rest
                return century + unit
            }
            rest = probe
            if rest.numberWord() == "hundred" {
                self = rest
                return century
            }
            rest = probe
            guard let below = rest.belowHundred(), below >= 10 else { return nil }
            self = rest
            return century + below
        }

        /// 1–99 in words: `three`, `twelve`, `ninety`, `ninety-seven`, `ninety seven`.
        mutating func belowHundred() -> Int? {
            var probe = self
            guard let word = probe.numberWord() else { return nil }
            if let small = DateRecogniser.unitNumbers[word] ?? DateRecogniser.teenNumbers[word] {
                self = probe
                return small
            }
            guard let tens = DateRecogniser.tensNumbers[word] else { return nil }
            self = probe
            var unit = probe
            if let next = unit.numberWord(), let value = DateRecogniser.unitNumbers[next] {
                self = unit
                return tens + value
            }
            return tens
        }

        /// The folded word after one space or a hyphen (``DateRecogniser/joiningMarks``), or at the
        /// cursor, moving past it.
        mutating func numberWord() -> String? {
            var probe = index
            if probe < text.tokens.count, text.tokens[probe].length == 1, !text.tokens[probe].newline,
               text.tokens[probe].kind == .space || (text.tokens[probe].kind == .punct && DateRecogniser.joiningMarks.contains(text.tokens[probe].scalar)) {
                probe += 1
            }
            guard probe < text.tokens.count, text.tokens[probe].kind == .word else { return nil }
            index = probe + 1
            return text.tokens[probe].folded
        }

        /// Skips "of" and "the".
        mutating func skipWords(_ words: WordSet) {
            while let token, token.kind == .word, words.contains(token.folded) {
                index += 1
                if let space = self.token, space.kind == .space { index += 1 }
            }
        }
    }

    // MARK: Expressions

    func expression(at start: Int) -> Expression? {
        var cursor = Cursor(text: text, index: start)
        // A weekday in front is taken with the date.
        if let token = cursor.token, token.kind == .word, Self.weekdays.contains(token.folded) {
            cursor.index += 1
            if let dot = cursor.token, dot.folded == "." { cursor.index += 1 }
            guard cursor.separator(",", maxSpaces: 2) != nil, let date = expression(at: cursor.index) else { return nil }
            return Expression(tokens: start..<date.tokens.upperBound, readings: date.readings)
        }
        return numeric(at: start) ?? compact(at: start) ?? named(at: start) ?? namedDay(at: start) ?? eastAsian(at: start)
    }

    /// "Christmas Eve 1992", "St Patrick's Day, 1988", "on Halloween".
    func namedDay(at start: Int) -> Expression? {
        for (words, day, month) in Self.namedDays where words[0] == text.tokens[start].folded {
            var cursor = Cursor(text: text, index: start + 1)
            var matched = true
            for word in words.dropFirst() {
                // Skip white space and a possessive ('s) between the words.
                while let token = cursor.token, token.kind == .space || token.folded == "'" || token.folded == "’" || (token.folded == "s" && token.length == 1) {
                    cursor.index += 1
                }
                guard let token = cursor.token, token.folded == word else { matched = false; break }
                cursor.index += 1
            }
            guard matched else { continue }
            // A year follows in four digits ("Christmas Eve 1992"); "Halloween, 31/10/1993" is
            // followed by a date of its own.
            var withYear = cursor
            if withYear.separator(",", maxSpaces: 2) != nil, let token = withYear.token, token.kind == .number, token.length == 4,
               let (year, twoDigit) = withYear.year() {
                return finish(start, withYear, [Reading(day: day, month: month, year: year, twoDigitYear: twoDigit)])
            }
            // Without a year a named day is an occasion ("at Halloween"), not a birthday.
            return nil
        }
        return nil
    }

    static let yearSigns: ScalarSet = "年년"
    static let monthSigns: ScalarSet = "月월"
    static let daySigns: ScalarSet = "日일"

    /// `1975年3月15日` (Chinese, Japanese), `1975년 3월 15일` (Korean): a year, a month and a day,
    /// each followed by its sign. A sign glued to the words after it (`15日出生`) goes with them.
    func eastAsian(at start: Int) -> Expression? {
        let tokens = text.tokens
        // Most numbers are followed by no year sign: asked first, before anything is built.
        guard start + 1 < tokens.count, tokens[start + 1].kind == .word, Self.yearSigns.contains(tokens[start + 1].scalar) else { return nil }
        var index = start
        var values: [Int] = []
        for signs in [Self.yearSigns, Self.monthSigns, Self.daySigns] {
            if index > start, index < tokens.count, tokens[index].kind == .space, tokens[index].length == 1 { index += 1 }
            guard index + 1 < tokens.count, tokens[index].kind == .number, tokens[index].length <= 4, let value = Int(tokens[index].folded),
                  tokens[index + 1].kind == .word, signs.contains(tokens[index + 1].scalar) else { return nil }
            values.append(value)
            index += 2
        }
        return finish(start, Cursor(text: text, index: index), [Reading(day: values[2], month: values[1], year: values[0])])
    }

    /// Built from the cursor's position: ends the expression there.
    func finish(_ start: Int, _ cursor: Cursor, _ readings: [Reading]) -> Expression? {
        let valid = readings.filter { $0.month >= 1 && $0.month <= 12 && $0.day >= 1 && $0.day <= Self.daysIn($0.month) }
        return valid.isEmpty ? nil : Expression(tokens: start..<cursor.index, readings: valid)
    }

    static func daysIn(_ month: Int) -> Int { [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] }

    /// `12/02/1984`, `12.II.1984`, `1984-02-12`, `12/02` (slashes only without a year).
    func numeric(at start: Int) -> Expression? {
        var cursor = Cursor(text: text, index: start)
        guard let first = cursor.token, first.kind == .number, let a = Int(first.folded) else { return nil }
        cursor.index += 1
        if first.length == 4 {
            if OtherCalendars.solarYears.contains(a) { return solarNumeric(at: start) }
            // Year first: 1984-02-12, 1984/2/12, 1984. február 12.
            guard (1850...2100).contains(a) else { return nil }
            var yearFirst = cursor
            guard let separator = yearFirst.separator("/-.", maxSpaces: 1) else { return nil }
            if let month = yearFirst.monthName() {
                _ = yearFirst.separator("/-.", maxSpaces: 1)
                guard let day = yearFirst.day() else { return nil }
                if let dot = yearFirst.token, dot.folded == "." { yearFirst.index += 1 }
                return finish(start, yearFirst, [Reading(day: day, month: month, year: a)])
            }
            guard !separator.isEmpty, let monthToken = yearFirst.token, monthToken.kind == .number, monthToken.length <= 2,
                  let month = Int(monthToken.folded) else { return nil }
            yearFirst.index += 1
            guard yearFirst.separator(ScalarSet(stringLiteral: separator), maxSpaces: 0) == separator, let dayToken = yearFirst.token, dayToken.kind == .number,
                  dayToken.length <= 2, let day = Int(dayToken.folded) else { return nil }
            yearFirst.index += 1
            return finish(start, yearFirst, [Reading(day: day, month: month, year: a)])
        }
        guard first.length <= 2 else { return nil }
        var afterDay = cursor
        if let suffix = afterDay.token, suffix.kind == .word, Self.ordinalSuffixes.contains(suffix.folded) { return nil }
        guard let separator = afterDay.separator("/-.", maxSpaces: 1) else { return nil }
        // Second component: a number, a Roman numeral month.
        guard let second = afterDay.token else { return nil }
        var readingsBase: [(Int, Int)] = []
        if second.kind == .number, second.length <= 2, let b = Int(second.folded) {
            readingsBase = [(a, b), (b, a)]  // day-month as in the UK, and month-day
        } else if second.kind == .word, let month = Self.romanMonths[second.folded] {
            readingsBase = [(a, month)]
        } else {
            return nil
        }
        afterDay.index += 1
        var withYear = afterDay
        let secondSeparator = withYear.separator("/-.", maxSpaces: 1)
        var solar = withYear
        if secondSeparator == separator, !separator.isEmpty, let year = solar.year(in: .solarHijri) {
            // 12/01/1366: a Solar Hijri date, day first (or month first).
            return finish(start, solar, readingsBase.compactMap { Self.converted(.solarHijri, year: year, month: $0.1, day: $0.0) })
        }
        if let secondSeparator, secondSeparator == separator, let (year, twoDigit) = withYear.year() {
            if let next = withYear.token, next.kind == .punct, next.folded == separator, !separator.isEmpty,
               withYear.index + 1 < text.tokens.count, text.tokens[withYear.index + 1].kind == .number { return nil }
            return finish(start, withYear, readingsBase.map { Reading(day: $0.0, month: $0.1, year: year, twoDigitYear: twoDigit) })
        }
        // Day and month alone: only with a slash (12/02), never a time (12.02) or a range (12-14).
        guard separator == "/", !(afterDay.token.map { $0.kind == .punct && $0.folded == "/" } ?? false) else { return nil }
        return finish(start, afterDay, readingsBase.map { Reading(day: $0.0, month: $0.1, year: nil) })
    }

    /// `1366/01/12`, `1366-1-12`: a Solar Hijri date, year first, with one separator throughout.
    func solarNumeric(at start: Int) -> Expression? {
        var cursor = Cursor(text: text, index: start)
        guard let year = cursor.year(in: .solarHijri), let separator = cursor.separator("/-.", maxSpaces: 0), !separator.isEmpty,
              let monthToken = cursor.token, monthToken.kind == .number, monthToken.length <= 2, let month = Int(monthToken.folded) else { return nil }
        cursor.index += 1
        guard cursor.separator(ScalarSet(stringLiteral: separator), maxSpaces: 0) == separator, let dayToken = cursor.token, dayToken.kind == .number,
              dayToken.length <= 2, let day = Int(dayToken.folded), let reading = Self.converted(.solarHijri, year: year, month: month, day: day) else { return nil }
        cursor.index += 1
        return finish(start, cursor, [reading])
    }

    /// A reading of the Gregorian date a date of another calendar is.
    static func converted(_ calendar: OtherCalendars.Kind, year: Int, month: Int, day: Int) -> Reading? {
        OtherCalendars.gregorian(calendar, year: year, month: month, day: day).map { Reading(day: $0.day, month: $0.month, year: $0.year) }
    }

    /// Identity numbers that carry the date of birth, found whole (the number identifies the
    /// victim as much as the date): the date as YYMMDD at the start or after one digit of a run
    /// of ten to thirteen digits — Polish PESEL (month + 20 after 2000), Romanian CNP, Czech and
    /// Slovak rodné číslo (month + 50 for women, also written `820307/1234` or with a space),
    /// Bulgarian EGN
    /// (month + 40 after 2000), Lithuanian and Estonian codes — and the date with its check
    /// digit glued to the letters of a passport's machine-readable line (`UKR9008245F`).
    static func identityNumbers(in text: TextTokens, bornOn date: DateOfBirth) -> [Range<Int>] {
        let tokens = text.tokens
        func twoDigits(_ value: Int) -> [UInt8] { [UInt8(48 + value / 10 % 10), UInt8(48 + value % 10)] }
        let stems = [0, 20, 40, 50, 70, 80].map { twoDigits(date.year % 100) + twoDigits(date.month + $0) + twoDigits(date.day) }
        func carries(_ digits: String, at offsets: [Int]) -> Bool {
            let bytes = Array(digits.utf8)
            return offsets.contains { offset in offset + 6 <= bytes.count && stems.contains { bytes[offset..<(offset + 6)].elementsEqual($0) } }
        }
        var found: [Range<Int>] = []
        for (index, token) in tokens.enumerated() where token.kind == .number {
            if (10...13).contains(token.length), carries(token.folded, at: [0, 1]) {
                found.append(token.start..<token.end)
            } else if token.length == 6, carries(token.folded, at: [0]), index + 2 < tokens.count,
                      tokens[index + 1].scalar == "/" || tokens[index + 1].kind == .space && tokens[index + 1].length == 1 && !tokens[index + 1].newline,
                      tokens[index + 2].kind == .number, (3...5).contains(tokens[index + 2].length) {
                found.append(token.start..<tokens[index + 2].end)
            } else if token.length == 7, carries(token.folded, at: [0]), index > 0, tokens[index - 1].kind == .word, tokens[index - 1].end == token.start {
                found.append(tokens[index - 1].start..<token.end)
            }
        }
        return found
    }

    /// Eight or six digits together: `12021984`, `19840212`, `120284`.
    func compact(at start: Int) -> Expression? {
        let token = text.tokens[start]
        guard token.kind == .number, token.length == 8 || token.length == 6 else { return nil }
        let digits = Array(token.folded.utf8).map { Int($0) - 48 }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + digits[$1] } }
        var readings: [Reading] = []
        if token.length == 8 {
            readings.append(Reading(day: number(0..<2), month: number(2..<4), year: number(4..<8)))
            readings.append(Reading(day: number(6..<8), month: number(4..<6), year: number(0..<4)))
        } else {
            readings.append(Reading(day: number(0..<2), month: number(2..<4), year: number(4..<6), twoDigitYear: true))
        }
        return finish(start, Cursor(text: text, index: start + 1), readings)
    }

    /// `12 Feb 1984`, `12th of February, 1984`, `12-FEB-84`, `the twelfth of February`,
    /// `Feb 12th, 1984`, `February 12`.
    func named(at start: Int) -> Expression? {
        var cursor = Cursor(text: text, index: start)
        if let token = cursor.token, token.kind == .word, token.folded == "the", text.tokens[start].kind == .word {
            cursor.index += 1
            guard cursor.separator("", maxSpaces: 2) != nil else { return nil }
        }
        let dayFirst = cursor
        var attempt = dayFirst
        if let day = attempt.day() {
            var afterDay = attempt
            _ = afterDay.separator("/-.,", maxSpaces: 2)
            afterDay.skipWords(Self.of)
            var other = afterDay
            if let (calendar, month) = other.otherMonth() {
                // 12 Farvardin 1366, 23 Meskerem 1980: only with the year, which says the calendar
                // (21 Azar 1983 is Levantine Arabic for 21 March 1983). 12-Farvardin-1366 too.
                _ = other.separator("/-.,", maxSpaces: 2)
                if let year = other.year(in: calendar), let reading = Self.converted(calendar, year: year, month: month, day: day) {
                    return finish(start, other, [reading])
                }
            }
            guard let month = afterDay.monthName() ?? afterDay.ordinalMonth() ?? afterDay.vietnameseMonth() else { return nil }
            var withYear = afterDay
            let yearSeparator = withYear.separator("/-.,", maxSpaces: 2)  // none at all in `07AUG1989`
            if yearSeparator != nil { withYear.skipWords(Self.yearWords) }  // 28 de novembro de 1993, 3 tháng 7 năm 1988
            if let (year, twoDigit) = withYear.year() {
                return finish(start, withYear, [Reading(day: day, month: month, year: year, twoDigitYear: twoDigit)])
            }
            if yearSeparator != ".", let year = withYear.yearInWords() {
                return finish(start, withYear, [Reading(day: day, month: month, year: year)])
            }
            return finish(start, afterDay, [Reading(day: day, month: month, year: nil)])
        }
        guard text.tokens[start].folded != "the" else { return nil }
        attempt = dayFirst
        if let (calendar, month) = attempt.otherMonth() {
            // Farvardin 12, 1366.
            guard attempt.separator("", maxSpaces: 2) != nil, let day = attempt.day(), attempt.separator(",", maxSpaces: 2) != nil,
                  let year = attempt.year(in: calendar), let reading = Self.converted(calendar, year: year, month: month, day: day) else { return nil }
            return finish(start, attempt, [reading])
        }
        guard let month = attempt.monthName() else { return nil }
        guard attempt.separator("/-.,", maxSpaces: 2) != nil else { return nil }
        attempt.skipWords(Self.the)
        guard let day = attempt.day() else { return nil }
        var withYear = attempt
        if let yearSeparator = withYear.separator("/-.,", maxSpaces: 2) {
            if let (year, twoDigit) = withYear.year() {
                return finish(start, withYear, [Reading(day: day, month: month, year: year, twoDigitYear: twoDigit)])
            }
            if yearSeparator != ".", let year = withYear.yearInWords() {
                return finish(start, withYear, [Reading(day: day, month: month, year: year)])
            }
        }
        return finish(start, attempt, [Reading(day: day, month: month, year: nil)])
    }
}
