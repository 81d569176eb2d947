import ArgumentParser
import Foundation
import RelayCore

/// `relay preview`: the police view a report would produce, offline, for the caseworker who took
/// it. The same RelayCore function the relay runs (`PoliceViewBuilder`), so what is shown is what
/// goes, except the two facts only the relay knows: earlier reports of the same victim
/// (`previous_reports_via_relay`, shown as 0) and the repeat-victim pseudonym.
struct Preview: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show, offline, exactly the police view a report would produce, with every replacement.",
        discussion: """
            Nothing is sent. The output shows the victim's details that were replaced, so keep it \
            as you keep the report itself. Exit codes: 0 done; 1 the report is not valid; 64 usage.
            """)

    @Argument(help: "Report file (schema reportrelay/report/v1).") var file: String
    @Option(help: "Consent level to preview instead of the report's own (stats_only, anonymous, identity, identity_and_contact).")
    var level: String?
    @Flag(help: "Print {\"view\", \"replacements\", \"summary\"} as JSON.") var json = false
    @Option(help: "Report id to show in the view (the relay uses the id chosen at submission).") var reportId: String?
    @Option(help: "Centre id to show in the view.") var centreId = "preview"
    @Option(help: "Centre name to show in the view.") var centreName = "Preview"

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ValidationError("cannot read \(file): check the path")
        }
        let report: Report
        do {
            report = try ReportValidator().validate(bytes: Array(data), now: Date())
        } catch {
            let lines = error.violations.map { "  \($0.pointer.isEmpty ? "(document)" : $0.pointer): \($0.detail)" }
            FileHandle.standardError.write(Data("relay: \(file) is not a valid report:\n\(lines.joined(separator: "\n"))\n".utf8))
            throw ExitCode(1)
        }
        var consent = report.consent
        if let level {
            guard let chosen = ConsentLevel(rawValue: level) else {
                throw ValidationError("--level must be one of stats_only, anonymous, identity, identity_and_contact")
            }
            consent.level = chosen
        }
        var reportID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        if let reportId {
            guard let parsed = UUID(uuidString: reportId), parsed.lowercasedString == reportId else {
                throw ValidationError("--report-id must be a lower-case UUID")
            }
            reportID = parsed
        }
        let view = PoliceViewBuilder.build(report: report, consent: consent,
                                           context: PoliceViewContext(reportID: reportID, centreID: centreId, centreName: centreName))
        if json {
            print(Self.jsonOutput(view).canonicalString)
        } else {
            print(Self.text(view, level: consent.level))
        }
    }

    static func jsonOutput(_ view: PoliceView?) -> JSONValue {
        guard let view else { return ["view": .null, "forwarded": false, "replacements": [], "summary": []] }
        let replacements = view.replacements.map { item -> JSONValue in
            ["path": .string(item.path), "kind": .string(item.replacement.kind.rawValue), "original": .string(item.replacement.original)]
        }
        return ["view": view.document, "forwarded": true, "replacements": .array(replacements), "summary": .array(view.redactions.map(\.jsonValue))]
    }

    static func text(_ view: PoliceView?, level: ConsentLevel) -> String {
        guard let view else {
            return "Consent level stats_only: this report is not forwarded to police; it is counted in statistics only."
        }
        var lines = ["Police view at consent level \(level.rawValue) (contact via \(view.document["contact_via"]?.stringValue ?? "?")):", ""]
        lines.append(Self.pretty(view.document))
        lines.append("")
        if view.replacements.isEmpty {
            lines.append("Replacements in free text: none.")
        } else {
            lines.append("Replacements in free text (\(view.replacements.count)):")
            for item in view.replacements {
                lines.append("  \(item.path)  \(item.replacement.kind.rawValue): “\(item.replacement.original)” → [redacted:\(item.replacement.kind.rawValue)]")
            }
        }
        lines.append("")
        lines.append("Summary of what was withheld:")
        for action in Redaction.Action.allCases {
            let entries = view.redactions.filter { $0.action == action }
            guard !entries.isEmpty else { continue }
            let described = entries.map { redaction in
                redaction.counts.isEmpty ? redaction.path
                    : "\(redaction.path) (" + redaction.counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
            }
            lines.append("  \(action.rawValue): " + described.joined(separator: ", "))
        }
        if view.redactions.isEmpty { lines.append("  nothing") }
        lines.append("")
        lines.append("The relay adds previous_reports_via_relay (shown as 0 here) and, at identity and above, the victim's pseudonym.")
        return lines.joined(separator: "\n")
    }

    /// Indented JSON for reading (the canonical form is one line).
    static func pretty(_ value: JSONValue) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(value.canonicalBytes)),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]) else {
            return value.canonicalString
        }
        return String(decoding: data, as: UTF8.self)
    }
}
