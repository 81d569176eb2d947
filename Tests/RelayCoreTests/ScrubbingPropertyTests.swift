import Foundation
import RelayCore
import RelayFixtures
import Testing

/// Random victim identities embedded at random places in every free-text field: at `anonymous`
/// the serialised police view must contain none of them.
@Suite("Scrubbing property: random identities never reach an anonymous view")
struct ScrubbingPropertyTests {
    struct Identity {
        var given: String
        var family: String
        var former: String
        var phone: String
        var phoneWritten: String
        var email: String
        var dateOfBirth: DateOfBirth
        var dateWritten: String
        var street: String
        var house: Int

        /// Strings that must not appear, each with whether it is a word (matched on word boundaries).
        var secrets: [(String, Bool)] {
            [(given, true), (family, true), (former, true), (phoneWritten, false), (email, false), (dateWritten, false),
             ("\(house) \(street)", false)]
        }
    }

    static let syllables = ["ka", "lo", "mir", "dan", "vesh", "tor", "ul", "bre", "zan", "quo", "fel", "nix", "ra", "po", "gim", "sed", "wa", "yor"]
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    static func word(_ generator: inout some RandomNumberGenerator) -> String {
        let text = (0..<Int.random(in: 2...3, using: &generator)).map { _ in syllables.randomElement(using: &generator)! }.joined()
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    static func identity(_ generator: inout some RandomNumberGenerator) -> Identity {
        let digits = (0..<6).map { _ in String(Int.random(in: 0...9, using: &generator)) }.joined()
        let phone = "07700 \(digits)"
        let phoneWritten = [phone, "07700\(digits)", "+44 7700 \(digits)", "+447700\(digits)", "0770 0\(digits)"].randomElement(using: &generator)!
        let dob = DateOfBirth(year: Int.random(in: 1940...2005, using: &generator), month: Int.random(in: 1...12, using: &generator),
                              day: Int.random(in: 1...28, using: &generator))
        let dateWritten = [
            String(format: "%02d/%02d/%04d", dob.day, dob.month, dob.year), "\(dob.day) \(months[dob.month - 1]) \(dob.year)",
            "\(months[dob.month - 1]) \(dob.day), \(dob.year)", dob.isoString, "\(dob.day)th \(months[dob.month - 1]) \(dob.year)",
        ].randomElement(using: &generator)!
        let given = word(&generator), family = word(&generator)
        return Identity(given: given, family: family, former: word(&generator), phone: phone, phoneWritten: phoneWritten,
                        email: "\(given.lowercased()).\(family.lowercased())@example.org", dateOfBirth: dob, dateWritten: dateWritten,
                        street: "\(word(&generator)) Road", house: Int.random(in: 1...300, using: &generator))
    }

    /// A sentence with some of the identity's details at random places.
    static func sentence(_ identity: Identity, _ generator: inout some RandomNumberGenerator) -> String {
        let fillers = ["the 38 bus stopped at 18:30", "a man in a grey hoodie shouted", "outside the shop on Mare Street", "in 2019",
                       "someone filmed it", "the witness called out", "it cost £250 to repair"]
        let details = [
            identity.given, "\(identity.given) \(identity.family)", "\(identity.family)'s", identity.former.uppercased(), "\(identity.former)-\(identity.family)",
            "on \(identity.phoneWritten)", "at \(identity.email)", "born \(identity.dateWritten)", "at \(identity.house) \(identity.street)",
            "\(identity.given.prefix(1)). \(identity.family)",
        ]
        var parts = (0..<4).map { _ in fillers.randomElement(using: &generator)! }
        for _ in 0..<Int.random(in: 2...4, using: &generator) {
            parts.insert(details.randomElement(using: &generator)!, at: Int.random(in: 0...parts.count, using: &generator))
        }
        return parts.joined(separator: " ") + "."
    }

    @Test("300 random victims, every free-text field, anonymous view checked on its serialised JSON")
    func randomIdentities() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let identity = Self.identity(&generator)
            let report: JSONValue = [
                "schema": "reportrelay/report/v1",
                "incident": [
                    "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["harassment"],
                    "narrative": .string(Self.sentence(identity, &generator)),
                    "location": ["borough": "Hackney", "description": .string(Self.sentence(identity, &generator))],
                    "offenders": [["description": .string(Self.sentence(identity, &generator))]],
                    "witnesses": [["description": .string(Self.sentence(identity, &generator))]],
                ],
                "victim": [
                    "name": .string("\(identity.given) \(identity.family)"), "other_names": [.string("\(identity.former) \(identity.family)")],
                    "date_of_birth": .string(identity.dateOfBirth.isoString), "phone": .string(identity.phone), "email": .string(identity.email),
                    "address": .string("\(identity.house) \(identity.street), London"),
                ],
                "consent": ["level": "anonymous"],
            ]
            let validated = try ReportValidator().validate(document: report, now: SampleReports.now)
            let view = try #require(PoliceViewBuilder.build(report: validated, consent: validated.consent,
                                                             context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")))
            let text = view.document.canonicalString.lowercased()
            for (secret, isWord) in identity.secrets {
                let needle = secret.lowercased()
                let found = isWord
                    ? text.range(of: "(?<![\\p{L}\\p{N}])" + NSRegularExpression.escapedPattern(for: needle) + "(?![\\p{L}\\p{N}])", options: .regularExpression) != nil
                    : text.contains(needle)
                #expect(!found, "“\(secret)” leaked in: \(view.document["incident"]?.canonicalString ?? "")")
            }
        }
    }
}

@Suite("Repeat-victim pseudonym")
struct PseudonymTests {
    let secret = SymmetricKeyFixture.key

    @Test("case, accents, extra spaces and name order do not change it", arguments: [
        "Maria Lovell", "maria lovell", "  MARIA   LOVELL ", "Lovell Maria", "María Lovell", "Lovell, Maria",
    ])
    func normalised(name: String) {
        let dob = DateOfBirth(year: 1990, month: 4, day: 1)
        let reference = VictimPseudonym.derive(identity: VictimIdentity(name: "Maria Lovell", dateOfBirth: dob), secret: secret)
        #expect(reference != nil)
        #expect(VictimPseudonym.derive(identity: VictimIdentity(name: name, dateOfBirth: dob), secret: secret) == reference)
    }

    @Test("another person, another date of birth or another secret gives another pseudonym; no date of birth gives none")
    func distinct() {
        let dob = DateOfBirth(year: 1990, month: 4, day: 1)
        let reference = VictimPseudonym.derive(identity: VictimIdentity(name: "Maria Lovell", dateOfBirth: dob), secret: secret)
        #expect(VictimPseudonym.derive(identity: VictimIdentity(name: "Mary Lovell", dateOfBirth: dob), secret: secret) != reference)
        #expect(VictimPseudonym.derive(identity: VictimIdentity(name: "Maria Lovell", dateOfBirth: DateOfBirth(year: 1990, month: 4, day: 2)), secret: secret) != reference)
        #expect(VictimPseudonym.derive(identity: VictimIdentity(name: "Maria Lovell", dateOfBirth: dob), secret: SymmetricKeyFixture.other) != reference)
        #expect(VictimPseudonym.derive(identity: VictimIdentity(name: "Maria Lovell"), secret: secret) == nil)
        #expect(reference?.contains("Maria") == false)
    }
}
