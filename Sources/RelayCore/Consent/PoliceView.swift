import Foundation

/// Facts the redaction needs that are not in the report itself.
public struct PoliceViewContext: Sendable {
    public var reportID: UUID
    public var centreID: String
    public var centreName: String
    /// Earlier reports of the same victim through the relay (0 when the victim is not identifiable).
    public var previousReports: Int
    /// The repeat-victim pseudonym, when one could be derived.
    public var pseudonym: String?

    public init(reportID: UUID, centreID: String, centreName: String, previousReports: Int = 0, pseudonym: String? = nil) {
        self.reportID = reportID
        self.centreID = centreID
        self.centreName = centreName
        self.previousReports = previousReports
        self.pseudonym = pseudonym
    }
}

/// What police receive: the redacted report and the summary of what was withheld.
public struct PoliceView: Sendable {
    public static let schema = "reportrelay/police-view/v1"

    /// The view document (schema `reportrelay/police-view/v1`), `redactions` included.
    public var document: JSONValue
    public var redactions: [Redaction]
    /// Every replacement made in free text, with the text it replaced: for the caseworker's
    /// preview only (`relay preview`); never stored, logged or sent.
    public var replacements: [FieldReplacement]
}

/// One replacement in one free-text field of the report.
public struct FieldReplacement: Sendable, Equatable {
    /// JSON pointer of the field in the original report.
    public var path: String
    public var replacement: Scrubber.Replacement
}

/// The consent table of DESIGN.md as a pure function of (report, consent, context).
public enum PoliceViewBuilder {
    /// The police view for `consent`, or `nil` for `stats_only` (never forwarded).
    public static func build(report: Report, consent: Consent, context: PoliceViewContext) -> PoliceView? {
        guard consent.level.isForwarded else { return nil }
        var editor = DocumentEditor(document: report.document)
        let level = consent.level
        let identityWithheld = level < .identity
        let contactWithheld = level < .identityAndContact

        // Victim identity.
        if identityWithheld {
            editor.remove("/victim/name")
            editor.remove("/victim/other_names")
            if let dob = report.victim.dateOfBirth, editor.has("/victim/date_of_birth") {
                editor.remove("/victim/date_of_birth", action: .coarsened)
                editor.set("/victim/age_band", .string(AgeBand.band(dateOfBirth: dob, on: RFC3339.civilDate(report.occurredAt))))
            }
        }
        if contactWithheld {
            editor.remove("/victim/address")
            editor.remove("/victim/phone")
            editor.remove("/victim/email")
            editor.remove("/victim/needs/preferred_contact")
        }
        if !consent.shareDemographics {
            editor.remove("/victim/demographics")
        }

        // Location.
        if identityWithheld {
            if let postcode = editor.value("/incident/location/postcode")?.stringValue, let outward = UKPostcode.outwardCode(of: postcode) {
                editor.replace("/incident/location/postcode", with: .string(outward))
            }
            for axis in ["latitude", "longitude"] {
                if let number = editor.value("/incident/location/\(axis)")?.numberValue {
                    editor.replace("/incident/location/\(axis)", with: .number((number * 100).rounded() / 100))
                }
            }
        }

        // Free text.
        let policy = Scrubber.Policy(removeIdentity: identityWithheld, removeContact: contactWithheld, generic: true)
        // A name one field gives the victim ("Ashley Pardoe (Ash)") goes from every field: when a
        // field declares one, every field is scrubbed again knowing it (rare, so paid only then).
        var scrubber = Scrubber(identity: report.victim, policy: policy)
        let unscrubbed = editor
        var known: Set<String> = []
        // A declared name may declare another ("Birdie, aka Bibi"): four rounds at most, the
        // last one always a scrub.
        for round in 1... {
            let declared = Set(editor.scrubFreeText(with: scrubber)).subtracting(known)
            guard !declared.isEmpty, round < 4 else { break }
            known.formUnion(declared)
            editor = unscrubbed
            scrubber = scrubber.adding(names: declared.sorted())
        }

        // Recordability: with no victim to engage, police can at most record an incident.
        let assessed = report.recordability ?? "incident"
        let recordability = identityWithheld ? "incident" : assessed
        if identityWithheld && assessed == "crime" {
            editor.replace("/incident/recordability", with: "incident")
        }

        // The consent in force, all of it from the latest record (it may have been varied since
        // submission): a change that gives no method leaves none, never the old one. `recorded_by`
        // is the caseworker's reference, kept: police reach the victim through the centre.
        var consentObject: [String: JSONValue] = ["level": .string(level.rawValue), "share_demographics": .bool(consent.shareDemographics)]
        if let method = consent.method { consentObject["method"] = .string(method) }
        if let recordedAt = consent.recordedAt { consentObject["recorded_at"] = .string(RFC3339.format(recordedAt)) }
        if let recordedBy = consent.recordedBy { consentObject["recorded_by"] = .string(recordedBy) }

        var root = editor.document.objectValue ?? [:]
        root["schema"] = .string(PoliceView.schema)
        root["report_id"] = .string(context.reportID.lowercasedString)
        root["centre"] = ["id": .string(context.centreID), "name": .string(context.centreName)]
        root["contact_via"] = .string(contactWithheld ? "centre" : "direct")
        root["previous_reports_via_relay"] = .integer(context.previousReports)
        if !identityWithheld, let pseudonym = context.pseudonym { root["victim_pseudonym"] = .string(pseudonym) }
        root["recordability"] = .string(recordability)
        root["consent"] = .object(consentObject)
        root["redactions"] = .array(editor.redactions.map(\.jsonValue))
        return PoliceView(document: .object(root), redactions: editor.redactions, replacements: editor.replacements)
    }
}

/// Edits a JSON document by pointer, recording each change as a ``Redaction``.
struct DocumentEditor {
    var document: JSONValue
    var redactions: [Redaction] = []
    var replacements: [FieldReplacement] = []

    func value(_ pointer: String) -> JSONValue? {
        var current = document
        for token in pointer.split(separator: "/").map(String.init) {
            if let index = Int(token), let elements = current.arrayValue {
                guard index < elements.count else { return nil }
                current = elements[index]
            } else {
                guard let next = current[token] else { return nil }
                current = next
            }
        }
        return current == .null ? nil : current
    }

    func has(_ pointer: String) -> Bool { value(pointer) != nil }

    mutating func remove(_ pointer: String, action: Redaction.Action = .removed) {
        guard has(pointer) else { return }
        Self.update(&document, path: pointer.split(separator: "/").map(String.init)[...], with: nil)
        redactions.append(Redaction(path: pointer, action: action))
    }

    mutating func replace(_ pointer: String, with value: JSONValue) {
        guard let old = self.value(pointer), old != value else { return }
        Self.update(&document, path: pointer.split(separator: "/").map(String.init)[...], with: value)
        redactions.append(Redaction(path: pointer, action: .coarsened))
    }

    /// Sets a value without recording a redaction (for fields the view adds).
    mutating func set(_ pointer: String, _ value: JSONValue) {
        Self.update(&document, path: pointer.split(separator: "/").map(String.init)[...], with: value)
    }

    /// Scrubs every field of the report a caseworker can type into; returns the other names they
    /// gave the victim. Beside the incident's free text, that is every string the schema leaves
    /// open and the view keeps — the online platform, the needs, the shared demographics — since
    /// caseworkers write notes there ("text his nephew on 07…", "was Luke until 2022"); and the
    /// centre's own reference, from which only the victim's own details are taken (`CONNORS-S-120690`).
    @discardableResult
    mutating func scrubFreeText(with scrubber: Scrubber) -> [String] {
        var declared = scrub("/incident/narrative", with: scrubber)
        declared += scrub("/incident/location/description", with: scrubber)
        declared += scrub("/incident/location/online_platform", with: scrubber)
        declared += scrub("/victim/needs/interpreter_language", with: scrubber)
        for index in 0..<(value("/victim/needs/accessibility")?.arrayValue?.count ?? 0) {
            declared += scrub("/victim/needs/accessibility/\(index)", with: scrubber)
        }
        // A category in ordinary words ("White British", "Christian", "Gay man") is the victim's
        // own description, not their name, even for a victim called White: only notes are scrubbed.
        for key in (value("/victim/demographics")?.objectValue?.keys).map({ $0.sorted() }) ?? [] {
            if let text = value("/victim/demographics/\(key)")?.stringValue, Self.isOrdinaryWords(text) { continue }
            declared += scrub("/victim/demographics/\(key)", with: scrubber)
        }
        declared += scrub("/centre_reference", with: scrubber, ownOnly: true)
        for index in 0..<(value("/incident/witnesses")?.arrayValue?.count ?? 0) {
            declared += scrub("/incident/witnesses/\(index)/description", with: scrubber)
        }
        for index in 0..<(value("/incident/offenders")?.arrayValue?.count ?? 0) {
            // Offender descriptions are evidence: only the victim's own details come out of them.
            declared += scrub("/incident/offenders/\(index)/description", with: scrubber, ownOnly: true)
        }
        return declared
    }

    /// Whether `text` is only ordinary words and words for a people or faith, with no digits
    /// (a category such as "White British" or "Muslim", not a note).
    static func isOrdinaryWords(_ text: String) -> Bool {
        let tokens = TextTokens(text).tokens
        return tokens.allSatisfy { token in
            switch token.kind {
            case .word: token.latin && (CommonWords.isCommon(token.folded) || NameMatcher.groupWords.contains(token.folded))
            case .number: false
            case .space, .punct: true
            }
        }
    }

    /// Scrubs the text at `pointer`; returns the other names it gave the victim.
    @discardableResult
    mutating func scrub(_ pointer: String, with scrubber: Scrubber, ownOnly: Bool = false) -> [String] {
        guard let text = value(pointer)?.stringValue else { return [] }
        let result = scrubber.scrubbed(text, ownOnly: ownOnly)
        guard !result.replacements.isEmpty else { return [] }
        Self.update(&document, path: pointer.split(separator: "/").map(String.init)[...], with: .string(result.text))
        redactions.append(Redaction(path: pointer, action: .scrubbed, counts: result.counts))
        replacements += result.replacements.map { FieldReplacement(path: pointer, replacement: $0) }
        return result.declaredNames
    }

    /// Sets (or, with nil, removes) the value at `path` in place. Each container on the path is
    /// taken out of its enum case before it is changed, so that it is changed where it is rather
    /// than copied.
    private static func update(_ node: inout JSONValue, path: ArraySlice<String>, with value: JSONValue?) {
        guard let head = path.first else {
            node = value ?? .null
            return
        }
        let rest = path.dropFirst()
        switch node {
        case .object(var members):
            node = .null
            if rest.isEmpty {
                members[head] = value
            } else {
                var child = members.removeValue(forKey: head) ?? .object([:])
                update(&child, path: rest, with: value)
                members[head] = child
            }
            node = .object(members)
        case .array(var elements):
            guard let index = Int(head), index < elements.count else { return }
            node = .null
            if rest.isEmpty {
                elements[index] = value ?? .null
            } else {
                update(&elements[index], path: rest, with: value)
            }
            node = .array(elements)
        default:
            return
        }
    }
}
