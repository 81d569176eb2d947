import ArgumentParser
import Foundation
import RelayCore

/// `relay-bench scrub-dump`: every police view the redaction corpus and the held-out reports
/// produce, one line each, so that two builds can be compared byte for byte. A change meant only
/// to make scrubbing faster must leave this output unchanged:
///
///     relay-bench scrub-dump > before.txt   # old build
///     relay-bench scrub-dump > after.txt    # new build
///     cmp before.txt after.txt
///
/// Beside each corpus text as written it scrubs variants the corpus does not hold: the text in
/// capitals, in small letters, and run together with two other cases' texts (other people's
/// words around the victim's).
struct ScrubDump: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub-dump",
        abstract: "Print the police view of every corpus case and held-out report, for comparing two builds.")
    @Option(help: "The scrubbing corpus (JSON files of cases).") var corpus = "Tests/RelayCoreTests/Corpus"
    @Option(help: "Held-out report documents (JSON files).") var reports = "Tests/RelayCoreTests/HeldOut/reports"

    func run() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let context = PoliceViewContext(reportID: UUID(uuidString: "00000000-0000-4000-8000-000000000000")!, centreID: "c", centreName: "C")
        let cases = try Self.files(corpus).flatMap { try JSONParser.parse(Array(FileManager.default.contents(atPath: $0) ?? Data())).arrayValue ?? [] }
        let texts = cases.compactMap { $0["text"]?.stringValue }
        for (index, item) in cases.enumerated() {
            guard let text = item["text"]?.stringValue, let level = item["level"]?.stringValue else { continue }
            let offender = item["field"]?.stringValue == "offender"
            let variants = [text, text.uppercased(), text.lowercased(),
                            texts[(index + 1) % texts.count] + " " + text + " " + texts[(index + 7) % texts.count]]
            for (number, variant) in variants.enumerated() {
                var incident: [String: JSONValue] = [
                    "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"],
                    "narrative": offender ? "See the offender description." : .string(variant),
                ]
                if offender { incident["offenders"] = [["description": .string(variant)]] }
                var document: [String: JSONValue] = ["schema": "reportrelay/report/v1", "incident": .object(incident), "consent": ["level": .string(level)]]
                if let victim = item["victim"] { document["victim"] = victim }
                print("case \(index).\(number): " + Self.view(.object(document), now: now, context: context))
            }
        }
        for path in try Self.files(reports) {
            guard case .object(var document)? = try? JSONParser.parse(Array(FileManager.default.contents(atPath: path) ?? Data())) else { continue }
            for level in ["anonymous", "identity", "identity_and_contact"] {
                var consent = document["consent"]?.objectValue ?? [:]
                consent["level"] = .string(level)
                document["consent"] = .object(consent)
                print("report \((path as NSString).lastPathComponent) \(level): " + Self.view(.object(document), now: now, context: context))
            }
        }
    }

    static func files(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted().map { "\(directory)/\($0)" }
    }

    static func view(_ document: JSONValue, now: Date, context: PoliceViewContext) -> String {
        do {
            let report = try ReportValidator().validate(document: document, now: now)
            guard let view = PoliceViewBuilder.build(report: report, consent: report.consent, context: context) else { return "no view" }
            return view.document.canonicalString
        } catch {
            return "invalid: \(error)"
        }
    }
}
