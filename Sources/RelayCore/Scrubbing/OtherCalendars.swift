/// Dates written in the calendars of the victim's own papers, turned into the Gregorian date the
/// relay holds: the Solar Hijri calendar of Iran and Afghanistan (a tazkira or an Iranian passport
/// gives `12 Farvardin 1366` or `1366/01/12` for 1 April 1987), and the Ethiopian calendar used in
/// Ethiopia and Eritrea (`23 Meskerem 1980` for 4 October 1987).
enum OtherCalendars {
    enum Kind { case solarHijri, ethiopian }

    /// Solar Hijri years a living person's birth falls in (1921–2071).
    static let solarYears = 1300...1450
    /// Ethiopian years the recogniser reads (those of Gregorian dates, 1857–2107).
    static let ethiopianYears = 1850...2100

    /// Folded month names → (calendar, month number). Iranian Persian and Afghan Dari names in
    /// their usual Latin spellings and in Persian script; Ethiopian (Amharic) and Eritrean
    /// (Tigrinya) names in Latin letters.
    static let months = WordTable<(Kind, Int)>({
        let solar: [[String]] = [
            // Iranian, Dari and Pashto names.
            ["farvardin", "farwardin", "fravardin", "hamal", "wray", "حمل", "فروردین"],
            ["ordibehesht", "ordibehest", "urdibihisht", "ardibehesht", "sawr", "saur", "sowr", "ghwayay", "ghwayai", "ثور", "اردیبهشت"],
            ["khordad", "khurdad", "gbargolay", "ghbargolai", "jawza", "jauza", "jowza", "jawzā", "جوزا", "خرداد"],
            ["tir", "chungash", "saratan", "سرطان", "تیر"],
            ["mordad", "amordad", "murdad", "zmaray", "zmarai", "asad", "اسد", "مرداد"],
            ["shahrivar", "shahrewar", "shahriwar", "sonbola", "sunbula", "sunbulah", "sonbula", "wagay", "wagai", "سنبله", "شهریور"],
            ["mehr", "mihr", "tala", "mizan", "ميزان", "میزان", "مهر"],
            ["aban", "laram", "aqrab", "akrab", "عقرب", "آبان"],
            ["azar", "adhar", "lindey", "lindai", "qaws", "qaus", "kaws", "قوس", "آذر"],
            ["dey", "dei", "marghumay", "marghumai", "jadi", "jaddi", "جدی", "دی"],
            ["bahman", "salwagha", "dalw", "dalv", "دلو", "بهمن"],
            ["esfand", "espand", "isfand", "kab", "hut", "hoot", "حوت", "اسفند"],
        ]
        let ethiopian: [[String]] = [
            ["meskerem", "meskerrem", "maskaram"], ["tikimt", "tikimti", "tekemt", "tiqimt", "teqemt"], ["hidar", "hedar", "hidare"],
            ["tahsas", "tahsass", "tahisas"], ["ter", "tirr"], ["yekatit", "yakatit", "lekatit"], ["megabit", "maggabit", "mogabit"],
            ["miazia", "miyazya", "miyaziya", "miyazia"], ["genbot", "ginbot", "gunbot"], ["sene", "sane"], ["hamle", "hamlie"],
            ["nehase", "nahase", "nehasie"], ["pagume", "pagumen", "pagumay"],
        ]
        var table: [String: (Kind, Int)] = [:]
        for (index, forms) in solar.enumerated() { for form in forms { table[TextFolding.fold(form)] = (.solarHijri, index + 1) } }
        for (index, forms) in ethiopian.enumerated() { for form in forms { table[TextFolding.fold(form)] = (.ethiopian, index + 1) } }
        return table
    }())

    /// The Gregorian date of `day` `month` `year` in `calendar`, or nil when there is no such day.
    static func gregorian(_ calendar: Kind, year: Int, month: Int, day: Int) -> (year: Int, month: Int, day: Int)? {
        switch calendar {
        case .solarHijri:
            // Months 1–6 have 31 days, 7–11 have 30, the twelfth 29 (30 in a leap year: accepted).
            guard solarYears.contains(year), (1...12).contains(month), day >= 1, day <= (month <= 6 ? 31 : 30) else { return nil }
            let (gregorianYear, marchDay) = nowruz(year)
            let offset = (month - 1) * 31 - max(0, month - 7) + day - 1
            return civil(daysFromCivil(gregorianYear, 3, marchDay) + offset)
        case .ethiopian:
            // Twelve months of 30 days and Pagume of 5 (6 in a leap year: accepted).
            guard ethiopianYears.contains(year), (1...13).contains(month), day >= 1, day <= (month <= 12 ? 30 : 6) else { return nil }
            // 1 Meskerem is 11 September of the Gregorian year seven later, or the 12th after an
            // Ethiopian leap year (one whose number leaves 3 divided by 4); right for 1900–2099.
            let newYear = daysFromCivil(year + 7, 9, year % 4 == 0 ? 12 : 11)
            return civil(newYear + (month - 1) * 30 + day - 1)
        }
    }

    /// Where the 33-year cycles of the Solar Hijri calendar break (Borkowski's table, as used by
    /// the widely-used `jalaali` algorithm), valid for years -61 to 3177.
    static let breaks = [-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097, 2192, 2262, 2324, 2394, 2456, 3178]

    /// The Gregorian year in which Solar Hijri `year` starts, and the day of March of its first day
    /// (Nowruz): 1366 → (1987, 21).
    static func nowruz(_ year: Int) -> (Int, Int) {
        let gregorianYear = year + 621
        var leapSolar = -14
        var previousBreak = breaks[0]
        var jump = 0
        for nextBreak in breaks.dropFirst() {
            jump = nextBreak - previousBreak
            if year < nextBreak { break }
            leapSolar += jump / 33 * 8 + jump % 33 / 4
            previousBreak = nextBreak
        }
        let n = year - previousBreak
        leapSolar += n / 33 * 8 + (n % 33 + 3) / 4
        if jump % 33 == 4, jump - n == 4 { leapSolar += 1 }
        let leapGregorian = gregorianYear / 4 - (gregorianYear / 100 + 1) * 3 / 4 - 150
        return (gregorianYear, 20 + leapSolar - leapGregorian)
    }

    /// Days since 1970-01-01 of a Gregorian date.
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        RFC3339.daysFromCivil(year: year, month: month, day: day)
    }

    /// The Gregorian date `days` after 1970-01-01.
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let (year, month, day) = RFC3339.civilFromDays(days)
        return (year, month, day)
    }
}
