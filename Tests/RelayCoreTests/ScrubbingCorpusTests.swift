import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// One case of `Corpus/scrubbing.json`. A failing case is never deleted: the corpus grows with
/// every miss found.
struct ScrubbingCase: Sendable, CustomTestStringConvertible {
    var name: String
    var level: ConsentLevel
    var field: String
    var victim: JSONValue?
    var text: String
    var removed: [String]
    var kept: [String]
    var kinds: [String]

    var testDescription: String { name }

    static let all: [ScrubbingCase] = {
        let path = "\(Repository.root)/Tests/RelayCoreTests/Corpus/scrubbing.json"
        guard let data = FileManager.default.contents(atPath: path), let cases = try? JSONParser.parse(Array(data)).arrayValue else {
            fatalError("cannot read the scrubbing corpus at \(path)")
        }
        return cases.map { json in
            ScrubbingCase(
                name: json["name"]!.stringValue!, level: ConsentLevel(rawValue: json["level"]!.stringValue!)!,
                field: json["field"]?.stringValue ?? "narrative", victim: json["victim"], text: json["text"]!.stringValue!,
                removed: json["removed"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                kept: json["kept"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                kinds: json["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }()

    /// The field's text after the real redaction pipeline: a report carrying the case's victim and
    /// text, validated, and turned into a police view at the case's consent level.
    func scrubbed() throws -> String {
        var incident: [String: JSONValue] = [
            "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"],
            "narrative": field == "narrative" ? .string(text) : "See the offender description.",
        ]
        if field == "offender" { incident["offenders"] = [["description": .string(text)]] }
        var document: [String: JSONValue] = [
            "schema": "reportrelay/report/v1", "incident": .object(incident), "consent": ["level": .string(level.rawValue)],
        ]
        if let victim { document["victim"] = victim }
        let report = try ReportValidator().validate(document: .object(document), now: SampleReports.now)
        let view = try #require(PoliceViewBuilder.build(report: report, consent: report.consent,
                                                         context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C")))
        let result = field == "narrative" ? view.document["incident"]?["narrative"] : view.document["incident"]?["offenders"]?.arrayValue?.first?["description"]
        return try #require(result?.stringValue)
    }
}

@Suite("Free-text scrubbing corpus")
struct ScrubbingCorpusTests {
    @Test("the corpus is large and covers every kind")
    func size() {
        #expect(ScrubbingCase.all.count >= 150)
        let kinds = Set(ScrubbingCase.all.flatMap(\.kinds))
        #expect(kinds.isSuperset(of: ["name", "phone", "email", "address", "date_of_birth", "postcode", "ni_number"]))
        #expect(ScrubbingCase.all.filter { $0.removed.isEmpty }.count >= 60, "negative cases")
    }

    @Test("scrubbing case", arguments: ScrubbingCase.all)
    func scrub(_ scrubbingCase: ScrubbingCase) throws {
        let output = try scrubbingCase.scrubbed()
        for value in scrubbingCase.removed {
            #expect(!output.lowercased().contains(value.lowercased()), "still contains “\(value)” → \(output)")
        }
        for value in scrubbingCase.kept {
            #expect(output.contains(value), "lost “\(value)” → \(output)")
        }
        for kind in scrubbingCase.kinds {
            #expect(output.contains("[redacted:\(kind)]"), "no [redacted:\(kind)] → \(output)")
        }
    }
}
