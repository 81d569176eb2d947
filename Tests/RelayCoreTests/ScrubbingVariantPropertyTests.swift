import Foundation
@testable import RelayCore
import RelayFixtures
import Testing

/// Random victims whose identity the narrative writes in another form than the one registered:
/// diacritics stripped or added, another script (Cyrillic, Greek), the apostrophe of an Irish
/// prefix dropped or spaced, the family in the plural, possessives, letters spelt out, the name
/// inside a handle, hashtag or email, the street without its number and with its type
/// abbreviated, the date of birth in a random written form. At `anonymous` the serialised
/// police view must contain none of them, and the ordinary text around them must survive.
@Suite("Scrubbing property: identities written in forms nobody registered")
struct ScrubbingVariantPropertyTests {
    typealias Generator = SeededGenerator

    /// Latin syllables with their Cyrillic and Greek spellings (the transliteration UK forms use).
    static let syllables: [(latin: String, cyrillic: String, greek: String)] = [
        ("ka", "ка", "κα"), ("lo", "ло", "λο"), ("mir", "мир", "μιρ"), ("dan", "дан", "δαν"), ("ve", "ве", "βε"), ("tor", "тор", "τορ"),
        ("pre", "пре", "πρε"), ("zan", "зан", "ζαν"), ("fel", "фел", "φελ"), ("ra", "ра", "ρα"), ("po", "по", "πο"), ("sed", "сед", "σεδ"),
        ("va", "ва", "βα"), ("nik", "ник", "νικ"), ("shen", "шен", "σεν"), ("ko", "ко", "κο"), ("li", "ли", "λι"), ("min", "мин", "μιν"),
    ]
    static let accents: [Character: [Character]] = [
        "a": ["ă", "á", "ą", "â"], "s": ["ș", "ś", "š", "ş"], "e": ["ę", "é", "ė", "ë"], "l": ["ł"], "o": ["ó", "ø", "ö", "ő"],
        "z": ["ż", "ž", "ź"], "c": ["ć", "č", "ç"], "n": ["ń", "ň"], "i": ["í", "î", "ı"], "t": ["ț", "ť"], "u": ["ů", "ü", "ű"], "r": ["ř"],
    ]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
    static let ordinals = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
                           "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
                           "twentieth", "twenty-first", "twenty-second", "twenty-third", "twenty-fourth", "twenty-fifth",
                           "twenty-sixth", "twenty-seventh", "twenty-eighth"]
    static let roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]

    struct Name {
        var latin: String
        var cyrillic: String
        var greek: String
    }

    /// A name of two or three syllables that is no ordinary word or place (so that its loose
    /// forms are the scrubber's to find, as a real surname's are).
    static func name(_ generator: inout Generator) -> Name {
        while true {
            let parts = (0..<Int.random(in: 2...3, using: &generator)).map { _ in syllables.randomElement(using: &generator)! }
            let latin = parts.map(\.latin).joined()
            guard !CommonWords.isCommon(latin), latin.count >= 5 else { continue }
            func capital(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }
            return Name(latin: capital(latin), cyrillic: capital(parts.map(\.cyrillic).joined()), greek: capital(parts.map(\.greek).joined()))
        }
    }

    static func accented(_ text: String, _ generator: inout Generator) -> String {
        var out = ""
        var changed = false
        for character in text {
            let lower = Character(character.lowercased())
            if let options = accents[lower], Bool.random(using: &generator) || !changed {
                let replacement = options.randomElement(using: &generator)!
                out += character.isUppercase ? replacement.uppercased() : String(replacement)
                changed = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func dateWritten(_ dob: DateOfBirth, _ generator: inout Generator) -> String {
        let month = months[dob.month - 1]
        let yy = String(format: "%02d", dob.year % 100)
        let forms = [
            String(format: "%02d/%02d/%04d", dob.day, dob.month, dob.year), "\(dob.day)/\(dob.month)/\(yy)",
            String(format: "%02d.%02d.%@", dob.day, dob.month, yy), "\(dob.day) \(month.prefix(3)) \(dob.year)",
            "\(dob.day)-\(month.prefix(3).uppercased())-\(yy)", "\(month) \(dob.day)th, \(dob.year)", "\(month.prefix(3)). \(dob.day) '\(yy)",
            String(format: "%04d%02d%02d", dob.year, dob.month, dob.day), "the \(ordinals[dob.day - 1]) of \(month) \(dob.year)",
            "Sunday \(dob.day) \(month) \(dob.year)", "\(dob.day) \(roman[dob.month - 1]) \(dob.year)", dob.isoString,
            "\(dob.day)\(dob.day % 10 == 1 && dob.day != 11 ? "st" : dob.day % 10 == 2 && dob.day != 12 ? "nd" : dob.day % 10 == 3 && dob.day != 13 ? "rd" : "th") of \(month), \(dob.year)",
        ]
        return forms.randomElement(using: &generator)!
    }

    struct Case {
        var report: JSONValue
        /// Forms of the identity written into the text; none may survive.
        var secrets: [String]
        var fillers: [String]
    }

    static let fillers = ["the 38 bus stopped at 18:30", "a man in a grey hoodie shouted", "outside the shop on Mare Street", "in 2019",
                          "someone filmed it", "the witness called out", "it cost £250 to repair", "near the library in Hackney"]

    static func makeCase(_ generator: inout Generator) -> Case {
        let given = name(&generator), family = name(&generator), street = name(&generator)
        let irish = Bool.random(using: &generator)
        let registeredFamily = irish ? "O'\(family.latin)" : family.latin
        let accentRegistered = Bool.random(using: &generator)
        let givenAccented = accented(given.latin, &generator), familyAccented = accented(family.latin, &generator)
        let script = Int.random(in: 0..<3, using: &generator)  // 0 Latin, 1 Cyrillic, 2 Greek registration
        let registeredName: String = switch script {
        case 1: "\(given.cyrillic) \(family.cyrillic)"
        case 2: "\(given.greek) \(family.greek)"
        default: accentRegistered ? "\(givenAccented) \(irish ? "O'" : "")\(familyAccented)" : "\(given.latin) \(registeredFamily)"
        }
        let dob = DateOfBirth(year: Int.random(in: 1945...2005, using: &generator), month: Int.random(in: 1...12, using: &generator),
                              day: Int.random(in: 1...28, using: &generator))
        let house = Int.random(in: 2...300, using: &generator)
        // The forms the narrative uses. With a Cyrillic or Greek registration the text writes
        // Latin, and the other way round.
        let plainGiven = script == 0 && !accentRegistered ? givenAccented : given.latin
        let plainFamily = script == 0 && !accentRegistered ? familyAccented : family.latin
        var variants = [
            plainGiven, plainFamily, "the \(family.latin)s", "\(plainFamily)'s", "\(given.latin.uppercased()) \(family.latin.uppercased())",
            given.latin.uppercased().map(String.init).joined(separator: ["", " ", "-", "."].randomElement(using: &generator)!.isEmpty ? " " : "-"),
            "@\(given.latin.lowercased())\(family.latin.lowercased())\(Int.random(in: 1...99, using: &generator))",
            "#JusticeFor\(given.latin)", "\(given.latin.lowercased()).\(family.latin.lowercased())\(Int.random(in: 1...99, using: &generator))@example.net",
            "\(given.latin.prefix(1)). \(plainFamily)", "\(street.latin) \(["Rd", "Road", "Rd."].randomElement(using: &generator)!)",
            "\(house + 2) \(street.latin) Road", dateWritten(dob, &generator),
        ]
        if script == 0 { variants += [given.cyrillic, family.greek] }
        if irish { variants += ["O \(family.latin)", "O\(family.latin)", "O’\(family.latin)"] }
        func sentence(_ generator: inout Generator) -> (String, [String], [String]) {
            var parts = (0..<3).map { _ in fillers.randomElement(using: &generator)! }
            let fillersUsed = parts
            var used: [String] = []
            for _ in 0..<Int.random(in: 2...4, using: &generator) {
                let variant = variants.randomElement(using: &generator)!
                used.append(variant)
                parts.insert("— \(variant) —", at: Int.random(in: 0...parts.count, using: &generator))
            }
            return (parts.joined(separator: " ") + ".", used, fillersUsed)
        }
        var secrets: [String] = [], fillersUsed: [String] = []
        var texts: [String] = []
        for _ in 0..<3 {
            let (text, used, kept) = sentence(&generator)
            texts.append(text)
            secrets += used
            fillersUsed += kept
        }
        let report: JSONValue = [
            "schema": "reportrelay/report/v1",
            "incident": [
                "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["harassment"],
                "narrative": .string(texts[0]),
                "location": ["borough": "Hackney", "description": .string(texts[1])],
                "witnesses": [["description": .string(texts[2])]],
            ],
            "victim": [
                "name": .string(registeredName), "date_of_birth": .string(dob.isoString),
                "email": .string("registered.\(Int.random(in: 100...999, using: &generator))@example.org"),
                "address": .string("\(house) \(street.latin) Road, Hackney, London"),
            ],
            "consent": ["level": "anonymous"],
        ]
        return Case(report: report, secrets: secrets, fillers: fillersUsed)
    }

    @Test("400 random victims, identity written in unregistered forms, anonymous view checked on its serialised JSON")
    func variants() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        var generator = Generator(state: seed)
        for _ in 0..<400 {
            let scrubbingCase = Self.makeCase(&generator)
            let validated = try ReportValidator().validate(document: scrubbingCase.report, now: SampleReports.now)
            let view = try #require(PoliceViewBuilder.build(report: validated, consent: validated.consent,
                                                             context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")))
            let incident = view.document["incident"]?.canonicalString ?? ""
            let folded = incident.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_GB"))
            for secret in scrubbingCase.secrets {
                let needle = secret.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_GB"))
                #expect(!folded.contains(needle), "seed \(seed): “\(secret)” leaked in \(incident)")
            }
            for filler in scrubbingCase.fillers {
                #expect(incident.contains(filler), "seed \(seed): “\(filler)” damaged in \(incident)")
            }
        }
    }
}
