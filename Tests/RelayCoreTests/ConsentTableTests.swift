import Foundation
import RelayCore
import RelayFixtures
import Testing

/// The rows of DESIGN.md's consent table.
enum ConsentRow: String, CaseIterable, CustomTestStringConvertible {
    case forwarded = "forwarded to police at all"
    case names = "victim name, other names, date of birth"
    case contact = "victim address, phone, email"
    case demographics = "demographics (special category)"
    case needs = "needs (interpreter language, accessibility)"
    case postcode = "incident postcode"
    case coordinates = "incident latitude/longitude"
    case freeText = "free text"
    case contactRoute = "how police make contact"
    case recordability = "police recordability label"

    var testDescription: String { rawValue }
}

@Suite("Consent table (DESIGN.md)")
struct ConsentTableTests {
    static func view(_ level: ConsentLevel, shareDemographics: Bool = false) throws -> JSONValue? {
        let report = try ReportValidator().validate(document: SampleReports.full(level: level, shareDemographics: shareDemographics), now: SampleReports.now)
        let context = PoliceViewContext(reportID: UUID(), centreID: "centre-a", centreName: "Centre A", previousReports: 1, pseudonym: "pseudo")
        return PoliceViewBuilder.build(report: report, consent: report.consent, context: context)?.document
    }

    static func at(_ view: JSONValue, _ path: String...) -> JSONValue? {
        var node: JSONValue? = view
        for key in path {
            if let index = Int(key) { node = node?.arrayValue.flatMap { index < $0.count ? $0[index] : nil } } else { node = node?[key] }
        }
        return node
    }

    @Test("consent level × row", arguments: ConsentLevel.allCases, ConsentRow.allCases)
    func row(level: ConsentLevel, row: ConsentRow) throws {
        let view = try Self.view(level)
        guard level != .statsOnly else {
            #expect(view == nil, "stats_only reports are counted, never forwarded")
            return
        }
        let v = try #require(view)
        let withheldIdentity = level == .anonymous
        let withheldContact = level != .identityAndContact
        switch row {
        case .forwarded:
            #expect(v["schema"] == "reportrelay/police-view/v1")
            #expect(v["consent"]?["level"] == .string(level.rawValue))
        case .names:
            #expect((Self.at(v, "victim", "name") == nil) == withheldIdentity)
            #expect((Self.at(v, "victim", "other_names") == nil) == withheldIdentity)
            #expect((Self.at(v, "victim", "date_of_birth") == nil) == withheldIdentity)
            #expect(Self.at(v, "victim", "age_band") == (withheldIdentity ? "35-44" : nil))
        case .contact:
            for field in ["address", "phone", "email"] {
                #expect((Self.at(v, "victim", field) == nil) == withheldContact, "victim.\(field)")
            }
        case .demographics:
            #expect(Self.at(v, "victim", "demographics") == nil)
            let shared = try #require(try Self.view(level, shareDemographics: true))
            #expect(Self.at(shared, "victim", "demographics", "ethnicity") == "Romani")
        case .needs:
            #expect(Self.at(v, "victim", "needs", "interpreter_language") == "rom")
            #expect(Self.at(v, "victim", "needs", "accessibility") == ["easy_read"])
        case .postcode:
            #expect(Self.at(v, "incident", "location", "postcode") == (withheldIdentity ? "E8" : "E8 1AB"))
        case .coordinates:
            #expect(Self.at(v, "incident", "location", "latitude") == .number(withheldIdentity ? 51.54 : 51.5434))
            #expect(Self.at(v, "incident", "location", "longitude") == .number(withheldIdentity ? -0.06 : -0.0553))
        case .freeText:
            let text = [Self.at(v, "incident", "narrative"), Self.at(v, "incident", "location", "description"),
                        Self.at(v, "incident", "witnesses", "0", "description")].compactMap { $0?.stringValue }.joined(separator: "\n")
            #expect(text.contains("Maria") == !withheldIdentity, "names")
            #expect(text.contains("07700 900123") == !withheldContact, "victim's phone")
            #expect(text.contains("maria.lovell@example.org") == !withheldContact, "victim's email")
            #expect(text.contains("020 7946 0123") == !withheldContact, "other phone numbers")
            #expect(text.contains("38 bus") && text.contains("18:30"), "bus routes and times survive")
            // Offender descriptions are evidence: kept, minus the victim's identity when withheld.
            let offender = Self.at(v, "incident", "offenders", "0", "description")?.stringValue ?? ""
            #expect(offender.contains("grey hoodie"))
            #expect(offender.contains("Maria") == !withheldIdentity)
        case .contactRoute:
            #expect(v["contact_via"] == (withheldContact ? "centre" : "direct"))
            #expect((Self.at(v, "victim", "needs", "preferred_contact") == nil) == withheldContact)
        case .recordability:
            #expect(v["recordability"] == (withheldIdentity ? "incident" : "crime"))
        }
    }

    @Test("the redaction summary names paths and counts, never values", arguments: [ConsentLevel.anonymous, .identity])
    func summary(level: ConsentLevel) throws {
        let v = try #require(try Self.view(level))
        let redactions = try #require(v["redactions"]?.arrayValue)
        let paths = redactions.compactMap { $0["path"]?.stringValue }
        #expect(paths.contains("/victim/phone"))
        #expect(paths.contains("/incident/narrative"))
        let narrative = try #require(redactions.first { $0["path"] == "/incident/narrative" })
        #expect(narrative["action"] == "scrubbed")
        #expect(narrative["counts"]?["phone"] == 1)
        let summaryText = JSONValue.array(redactions).canonicalString
        for identity in SampleReports.identityStrings { #expect(!summaryText.contains(identity)) }
    }

    @Test("anonymous views contain none of the victim's identity strings")
    func anonymousLeaksNothing() throws {
        let text = try #require(try Self.view(.anonymous)).canonicalString.lowercased()
        for identity in SampleReports.identityStrings { #expect(!text.contains(identity.lowercased()), "\(identity)") }
        #expect(!text.contains("pseudo"), "the pseudonym is shown only at identity or above")
    }

    /// Caseworkers write notes into any field the schema leaves open: the victim's details come
    /// out of those as out of the narrative, at the same levels; what is no detail of theirs stays.
    @Test("notes in the needs, demographics, online platform and centre reference are scrubbed too", arguments: [ConsentLevel.anonymous, .identity])
    func notesInOtherFields(level: ConsentLevel) throws {
        let document: JSONValue = [
            "schema": "reportrelay/report/v1",
            "centre_reference": "CONNORS-S-120690",
            "incident": [
                "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["online"], "narrative": "Abuse online.",
                "location": ["online_platform": "TikTok, her account @shauna.connors90, re-posted by @essex_truth_uk"],
            ],
            "victim": [
                "name": "Shauna Connors", "other_names": ["Sean Connors"], "date_of_birth": "1990-06-12",
                "address": "Plot 2, Oakfield Traveller Site, Doncaster, DN4 7AB", "phone": "07700 900455",
                "needs": ["interpreter_language": "none needed", "accessibility": ["easy_read", "Text her on 07700 900455 or her nephew on 07700 900215", "Lives at Plot 2, Oakfield site"]],
                "demographics": ["gender_identity": "Trans woman (was Sean Connors until 2022)", "ethnicity": "Irish Traveller"],
            ],
            "consent": ["level": .string(level.rawValue), "share_demographics": true],
        ]
        let report = try ReportValidator().validate(document: document, now: SampleReports.now)
        let context = PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")
        let view = try #require(PoliceViewBuilder.build(report: report, consent: report.consent, context: context)?.document)
        let needs = (Self.at(view, "victim", "needs", "accessibility")?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: "\n")
        #expect(needs.contains("easy_read"))
        #expect(!needs.contains("900455") && !needs.contains("900215") && !needs.contains("Plot 2"), "\(needs)")
        let platform = try #require(Self.at(view, "incident", "location", "online_platform")?.stringValue)
        #expect(platform.contains("@essex_truth_uk"))
        #expect(platform.contains("connors90") == (level != .anonymous), "\(platform)")
        let gender = try #require(Self.at(view, "victim", "demographics", "gender_identity")?.stringValue)
        #expect(gender.contains("Trans woman"))
        #expect(gender.contains("Sean") == (level != .anonymous), "\(gender)")
        let reference = try #require(view["centre_reference"]?.stringValue)
        #expect(reference.contains("CONNORS") == (level != .anonymous) && reference.contains("120690") == (level != .anonymous), "\(reference)")
        #expect(reference == (level == .anonymous ? "[redacted:name]-[redacted:date_of_birth]" : "CONNORS-S-120690"))
        let paths = (view["redactions"]?.arrayValue ?? []).compactMap { $0["path"]?.stringValue }
        #expect(paths.contains("/victim/needs/accessibility/1") && paths.contains("/victim/needs/accessibility/2"))
    }

    @Test("a shared category in ordinary words stays though it holds the victim's name (White British for a victim called White)")
    func demographicCategories() throws {
        let document: JSONValue = [
            "schema": "reportrelay/report/v1",
            "incident": ["occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"], "narrative": "Abuse."],
            "victim": ["name": "Maria White", "demographics": ["ethnicity": "White British", "religion": "Christian", "gender_identity": "Was Mario White until 2021"]],
            "consent": ["level": "anonymous", "share_demographics": true],
        ]
        let report = try ReportValidator().validate(document: document, now: SampleReports.now)
        let view = try #require(PoliceViewBuilder.build(report: report, consent: report.consent, context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C"))?.document)
        #expect(Self.at(view, "victim", "demographics", "ethnicity") == "White British")
        #expect(Self.at(view, "victim", "demographics", "religion") == "Christian")
        let note = try #require(Self.at(view, "victim", "demographics", "gender_identity")?.stringValue)
        #expect(!note.contains("Mario") && !note.contains("White"), "\(note)")
    }

    @Test("the pseudonym is shown at identity and above")
    func pseudonym() throws {
        #expect(try Self.view(.identity)?["victim_pseudonym"] == "pseudo")
        #expect(try Self.view(.identity)?["previous_reports_via_relay"] == 1)
    }

    @Test("redaction is deterministic")
    func deterministic() throws {
        let report = try ReportValidator().validate(document: SampleReports.full(), now: SampleReports.now)
        let context = PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")
        let first = PoliceViewBuilder.build(report: report, consent: report.consent, context: context)?.document.canonicalString
        let second = PoliceViewBuilder.build(report: report, consent: report.consent, context: context)?.document.canonicalString
        #expect(first == second)
    }
}
