import Foundation
import RelayCore
import RelayFixtures
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
    /// Why the case's removals depend on how the text is written in capitals and small letters
    /// (`case_sensitive`: a word that is a name only when capitalised), if they do.
    var caseSensitive: String?

    var testDescription: String { name }

    /// Every case of every file in `Corpus/` (`scrubbing.json` and the variant files).
    static let all: [ScrubbingCase] = {
        let directory = "\(Repository.root)/Tests/RelayCoreTests/Corpus"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return files.flatMap { file -> [ScrubbingCase] in
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)"), let cases = try? JSONParser.parse(Array(data)).arrayValue else {
                fatalError("cannot read the scrubbing corpus file \(file)")
            }
            return cases.map { json in
                ScrubbingCase(
                    name: json["name"]!.stringValue!, level: ConsentLevel(rawValue: json["level"]!.stringValue!)!,
                    field: json["field"]?.stringValue ?? "narrative", victim: json["victim"], text: json["text"]!.stringValue!,
                    removed: json["removed"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    kept: json["kept"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    kinds: json["kinds"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                    caseSensitive: json["case_sensitive"]?.stringValue)
            }
        }
    }()

    /// Whether `value` survives in `output`: compared without case and without accents
    /// (Foundation's folding, not the scrubber's), so "Stefan" counts for "Ștefan".
    static func survives(_ value: String, in output: String) -> Bool {
        let fold: (String) -> String = { $0.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "en_GB")) }
        return output.lowercased().contains(value.lowercased()) || fold(output).contains(fold(value))
    }

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
        #expect(ScrubbingCase.all.count >= 500)
        let kinds = Set(ScrubbingCase.all.flatMap(\.kinds))
        #expect(kinds.isSuperset(of: ["name", "phone", "email", "address", "date_of_birth", "postcode", "ni_number"]))
        #expect(ScrubbingCase.all.filter { $0.removed.isEmpty }.count >= 60, "negative cases")
    }

    @Test("scrubbing case", arguments: ScrubbingCase.all)
    func scrub(_ scrubbingCase: ScrubbingCase) throws {
        let output = try scrubbingCase.scrubbed()
        for value in scrubbingCase.removed {
            #expect(!ScrubbingCase.survives(value, in: output), "still contains “\(value)” → \(output)")
        }
        for value in scrubbingCase.kept {
            #expect(output.contains(value), "lost “\(value)” → \(output)")
        }
        for kind in scrubbingCase.kinds {
            #expect(output.contains("[redacted:\(kind)]"), "no [redacted:\(kind)] → \(output)")
        }
    }

    /// Graffiti and posts are written in capitals, messages in small letters: whatever a case
    /// removes from its text must go from the same text in capitals and in small letters too.
    /// (What it keeps need not stay: in capitals a name that is also a word cannot be told from
    /// the word, and goes.) A case marked `case_sensitive` says why its forms depend on case.
    @Test("recall holds for every case's text in capitals and in small letters")
    func recallInOtherCases() throws {
        var present = 0
        var misses: [String] = []
        for scrubbingCase in ScrubbingCase.all where !scrubbingCase.removed.isEmpty && scrubbingCase.caseSensitive == nil {
            for (label, variant) in [("capitals", scrubbingCase.text.uppercased()), ("small letters", scrubbingCase.text.lowercased())] {
                var changed = scrubbingCase
                changed.text = variant
                let output = try changed.scrubbed()
                for value in scrubbingCase.removed {
                    present += 1
                    if ScrubbingCase.survives(value, in: output) { misses.append("\(scrubbingCase.name) (\(label)): “\(value)” → \(output)") }
                }
            }
        }
        print("scrubbing corpus in capitals and small letters: \(present - misses.count)/\(present) removed")
        #expect(misses.isEmpty, "missed:\n\(misses.joined(separator: "\n"))")
    }

    /// Recall: identity strings removed over identity strings present, over every case.
    /// Damage: must-keep strings lost over must-keep strings. Printed on every run.
    @Test("recall is 100% and damage at most 2% over the whole corpus")
    func recallAndDamage() throws {
        var present = 0, removed = 0, keptTotal = 0, lost = 0
        var misses: [String] = [], damaged: [String] = []
        for scrubbingCase in ScrubbingCase.all {
            let output = try scrubbingCase.scrubbed()
            for value in scrubbingCase.removed {
                present += 1
                if ScrubbingCase.survives(value, in: output) { misses.append("\(scrubbingCase.name): “\(value)”") } else { removed += 1 }
            }
            for value in scrubbingCase.kept {
                keptTotal += 1
                if !output.contains(value) { lost += 1; damaged.append("\(scrubbingCase.name): “\(value)”") }
            }
        }
        let recall = Double(removed) / Double(max(present, 1))
        let damage = Double(lost) / Double(max(keptTotal, 1))
        print("scrubbing corpus: \(ScrubbingCase.all.count) cases; recall \(removed)/\(present) = \(String(format: "%.2f", recall * 100))%; damage \(lost)/\(keptTotal) = \(String(format: "%.2f", damage * 100))%")
        #expect(recall == 1, "missed: \(misses.joined(separator: "; "))")
        #expect(damage <= 0.02, "damaged: \(damaged.joined(separator: "; "))")
    }
}
