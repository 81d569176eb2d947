import Foundation
import RelayCore
import RelayFixtures
import Testing

/// A name the narrative gives the victim ("Bernadette Ward (Birdie)") is theirs in every
/// free-text field of the report, not only in the narrative.
@Suite("Names the narrative declares")
struct DeclaredNameTests {
    func view(level: String, narrative: String, location: String, witness: String, offender: String) throws -> JSONValue {
        let incident: [String: JSONValue] = [
            "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"], "narrative": .string(narrative),
            "location": ["borough": "Hackney", "description": .string(location)],
            "witnesses": [["description": .string(witness)]], "offenders": [["description": .string(offender)]],
        ]
        let document: JSONValue = [
            "schema": "reportrelay/report/v1", "incident": .object(incident), "consent": ["level": .string(level)],
            "victim": ["name": "Bernadette Ward"],
        ]
        let report = try ReportValidator().validate(document: document, now: SampleReports.now)
        let view = try #require(PoliceViewBuilder.build(report: report, consent: report.consent,
                                                         context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")))
        return view.document
    }

    @Test("goes from the location, witness and offender descriptions too, at anonymous")
    func everyField() throws {
        let document = try view(level: "anonymous", narrative: "Bernadette Ward (Birdie) lives on the council site.",
                                location: "Outside Birdie's trailer on the site.", witness: "Her cousin saw them shout at Birdie.",
                                offender: "Tall man, knew Birdie from school, grey hoodie.")
        let incident = try #require(document["incident"])
        #expect(incident["narrative"]?.stringValue == "[redacted:name] ([redacted:name]) lives on the council site.")
        #expect(incident["location"]?["description"]?.stringValue == "Outside [redacted:name] trailer on the site.")
        #expect(incident["witnesses"]?.arrayValue?.first?["description"]?.stringValue == "Her cousin saw them shout at [redacted:name].")
        #expect(incident["offenders"]?.arrayValue?.first?["description"]?.stringValue == "Tall man, knew [redacted:name] from school, grey hoodie.")
        let counts = try #require(document["redactions"]?.arrayValue?.first { $0["path"]?.stringValue == "/incident/location/description" }?["counts"])
        #expect(counts["name"]?.numberValue == 1)
    }

    @Test("declared in a later field, goes from the narrative before it too")
    func declaredLater() throws {
        let document = try view(level: "anonymous", narrative: "Birdie was followed home from the shop.",
                                location: "Outside the flat of Bernadette Ward (Birdie).", witness: "A neighbour.", offender: "Tall man.")
        #expect(document["incident"]?["narrative"]?.stringValue == "[redacted:name] was followed home from the shop.")
        #expect(document["incident"]?["location"]?["description"]?.stringValue == "Outside the flat of [redacted:name] ([redacted:name]).")
    }

    @Test("stays at identity, where the name is shared")
    func identityKeepsIt() throws {
        let document = try view(level: "identity", narrative: "Bernadette Ward (Birdie) lives on the council site.",
                                location: "Outside Birdie's trailer.", witness: "Saw them shout at Birdie.", offender: "Knew Birdie.")
        #expect(document["incident"]?["location"]?["description"]?.stringValue == "Outside Birdie's trailer.")
    }

    @Test("a word in brackets that is no name of theirs is not declared")
    func notANameInBrackets() throws {
        let document = try view(level: "anonymous", narrative: "Bernadette Ward (Traveller) lives on the council site.",
                                location: "Traveller site, Marsh Lane.", witness: "A Traveller woman.", offender: "Shouted at the Traveller kids.")
        #expect(document["incident"]?["location"]?["description"]?.stringValue == "Traveller site, Marsh Lane.")
        #expect(document["incident"]?["narrative"]?.stringValue == "[redacted:name] (Traveller) lives on the council site.")
    }
}
