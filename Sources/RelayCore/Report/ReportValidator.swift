import Foundation

/// Strict validation of schema `reportrelay/report/v1` (FORMATS.md): unknown fields, wrong
/// types, over-long strings, future dates and out-of-vocabulary values are all reported, each
/// with its JSON pointer. A pure function of the document and `now`.
public struct ReportValidator: Sendable {
    /// The schema identifier a report must carry.
    public static let schema = "reportrelay/report/v1"
    /// Longest narrative, in characters.
    public static let narrativeLimit = 20_000
    /// Longest other string, in characters.
    public static let stringLimit = 500
    /// Longest list (names, offenders, witnesses, ...).
    public static let listLimit = 50
    /// How far in the future a time may be, to allow for clock skew between centre and relay.
    public static let clockSkew: TimeInterval = 300

    public init() {}

    /// Parses UTF-8 bytes and validates them. Bytes that are not UTF-8 JSON give the pointer `""`.
    public func validate<Bytes: Collection>(bytes: Bytes, now: Date) throws(ReportValidationError) -> Report where Bytes.Element == UInt8 {
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw ReportValidationError(violations: [FieldViolation(pointer: "", detail: "not valid UTF-8 JSON (\(error.reason) at byte \(error.offset))")])
        }
        return try validate(document: document, now: now)
    }

    /// Validates a consent object on its own (`PUT /v1/reports/{id}/consent`); pointers start at `pointer`.
    public func validateConsent(_ value: JSONValue, now: Date, pointer: String = "/consent") throws(ReportValidationError) -> Consent {
        var checker = Checker(now: now)
        let consent = checker.consent(value, pointer: pointer)
        guard checker.violations.isEmpty, let consent else { throw ReportValidationError(violations: checker.violations) }
        return consent
    }

    /// Validates a parsed document.
    public func validate(document: JSONValue, now: Date) throws(ReportValidationError) -> Report {
        var checker = Checker(now: now)
        let report = checker.report(document)
        guard checker.violations.isEmpty, let report else {
            throw ReportValidationError(violations: checker.violations)
        }
        return report
    }
}

/// Walks the document once, collecting violations.
private struct Checker {
    let now: Date
    var violations: [FieldViolation] = []

    init(now: Date) { self.now = now }

    mutating func fail(_ pointer: String, _ detail: String) {
        violations.append(FieldViolation(pointer: pointer, detail: detail))
    }

    /// The object at `pointer`, with unknown members reported; `nil` (and a violation) if not an object.
    mutating func object(_ value: JSONValue, _ pointer: String, allowed: Set<String>, required: [String] = []) -> [String: JSONValue]? {
        guard let members = value.objectValue else {
            fail(pointer, "must be an object, not \(value.typeName)")
            return nil
        }
        for key in members.keys.sorted() where !allowed.contains(key) {
            fail(pointer + "/" + jsonPointerToken(key), "unknown field")
        }
        for key in required where members[key] == nil || members[key] == .null {
            fail(pointer + "/" + key, "is required")
        }
        return members
    }

    /// An optional string member; `null` counts as absent.
    mutating func string(_ members: [String: JSONValue], _ key: String, _ pointer: String, limit: Int = ReportValidator.stringLimit, oneOf vocabulary: Set<String>? = nil) -> String? {
        guard let value = members[key], value != .null else { return nil }
        let path = pointer + "/" + key
        return string(value, path, limit: limit, oneOf: vocabulary)
    }

    mutating func string(_ value: JSONValue, _ path: String, limit: Int = ReportValidator.stringLimit, oneOf vocabulary: Set<String>? = nil) -> String? {
        guard let text = value.stringValue else {
            fail(path, "must be a string, not \(value.typeName)")
            return nil
        }
        // Characters never outnumber UTF-8 bytes: count them only when the bytes are over the limit.
        if text.utf8.count > limit && text.count > limit {
            fail(path, "longer than \(limit) characters")
            return nil
        }
        if let vocabulary, !vocabulary.contains(text) {
            fail(path, "must be one of: \(vocabulary.sorted().joined(separator: ", "))")
            return nil
        }
        return text
    }

    mutating func stringList(_ members: [String: JSONValue], _ key: String, _ pointer: String, oneOf vocabulary: Set<String>? = nil, required: Bool = false) -> [String] {
        let path = pointer + "/" + key
        guard let value = members[key], value != .null else {
            if required { fail(path, "is required") }
            return []
        }
        guard let elements = value.arrayValue else {
            fail(path, "must be an array, not \(value.typeName)")
            return []
        }
        if required && elements.isEmpty { fail(path, "must name at least one") }
        if elements.count > ReportValidator.listLimit { fail(path, "more than \(ReportValidator.listLimit) entries") }
        var result: [String] = []
        for (position, element) in elements.enumerated() {
            if let text = string(element, "\(path)/\(position)", oneOf: vocabulary) {
                if result.contains(text) { fail("\(path)/\(position)", "repeats an earlier entry") } else { result.append(text) }
            }
        }
        return result
    }

    mutating func bool(_ members: [String: JSONValue], _ key: String, _ pointer: String) -> Bool? {
        guard let value = members[key], value != .null else { return nil }
        guard let flag = value.boolValue else {
            fail(pointer + "/" + key, "must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    mutating func timestamp(_ members: [String: JSONValue], _ key: String, _ pointer: String) -> Date? {
        guard let text = string(members, key, pointer) else { return nil }
        let path = pointer + "/" + key
        guard let date = RFC3339.parse(text) else {
            fail(path, "must be an RFC 3339 date-time such as 2026-11-20T18:30:00Z")
            return nil
        }
        if date.timeIntervalSince(now) > ReportValidator.clockSkew {
            fail(path, "is in the future")
            return nil
        }
        return date
    }

    mutating func report(_ document: JSONValue) -> Report? {
        guard let root = object(document, "", allowed: ["schema", "centre_reference", "reporter", "incident", "victim", "consent"],
                                required: ["schema", "incident", "consent"]) else { return nil }
        if let schema = root["schema"], schema != .null {
            if let text = string(schema, "/schema"), text != ReportValidator.schema {
                fail("/schema", "must be \(ReportValidator.schema)")
            }
        }
        let centreReference = string(root, "centre_reference", "")
        _ = string(root, "reporter", "", oneOf: Vocabulary.reporters)
        let incident = root["incident"].flatMap { $0 == .null ? nil : self.incident($0) }
        let victim = root["victim"].flatMap { $0 == .null ? nil : self.victim($0, occurredAt: incident?.occurredAt) } ?? VictimIdentity()
        let consent = root["consent"].flatMap { $0 == .null ? nil : self.consent($0) }
        guard let incident, let consent, violations.isEmpty else { return nil }
        return Report(
            document: document, centreReference: centreReference, occurredAt: incident.occurredAt, borough: incident.borough, policeForceArea: incident.policeForceArea,
            strands: incident.strands, communities: incident.communities, types: incident.types, risk: incident.risk,
            recordability: incident.recordability, victim: victim, consent: consent
        )
    }

    struct Incident {
        var occurredAt: Date
        var borough: String?
        var policeForceArea: String?
        var strands: [String]
        var communities: [String]
        var types: [String]
        var risk: Risk
        var recordability: String?
    }

    mutating func incident(_ value: JSONValue) -> Incident? {
        let p = "/incident"
        guard let members = object(value, p, allowed: [
            "occurred_at", "occurred_until", "location", "strands", "communities", "types", "narrative",
            "offenders", "witnesses", "risk", "recordability", "repeat",
        ], required: ["occurred_at", "narrative"]) else { return nil }  // strands and types: stringList(required:)
        let occurredAt = timestamp(members, "occurred_at", p)
        if let until = timestamp(members, "occurred_until", p), let occurredAt, until < occurredAt {
            fail(p + "/occurred_until", "is before occurred_at")
        }
        var borough: String?
        var forceArea: String?
        if let location = members["location"], location != .null,
           let fields = object(location, p + "/location", allowed: [
               "borough", "police_force_area", "postcode", "latitude", "longitude", "description", "online_platform",
           ]) {
            let lp = p + "/location"
            borough = string(fields, "borough", lp, oneOf: Set(Vocabulary.londonBoroughs))
            forceArea = string(fields, "police_force_area", lp, oneOf: Set(Vocabulary.policeForceAreas))
            if borough != nil && forceArea != nil { fail(lp + "/police_force_area", "give either borough or police_force_area, not both") }
            if let postcode = string(fields, "postcode", lp), UKPostcode.outwardCode(of: postcode) == nil {
                fail(lp + "/postcode", "is not a UK postcode")
            }
            coordinate(fields, "latitude", lp, range: -90...90)
            coordinate(fields, "longitude", lp, range: -180...180)
            if (fields["latitude"] ?? .null) == .null, (fields["longitude"] ?? .null) != .null { fail(lp + "/latitude", "is required with longitude") }
            if (fields["longitude"] ?? .null) == .null, (fields["latitude"] ?? .null) != .null { fail(lp + "/longitude", "is required with latitude") }
            _ = string(fields, "description", lp)
            _ = string(fields, "online_platform", lp)
        }
        let strands = stringList(members, "strands", p, oneOf: Vocabulary.strands, required: true)
        let communities = stringList(members, "communities", p, oneOf: Vocabulary.communities)
        let types = stringList(members, "types", p, oneOf: Vocabulary.types, required: true)
        _ = string(members, "narrative", p, limit: ReportValidator.narrativeLimit)
        describedList(members, "offenders", p, allowed: ["description", "known_to_victim"])
        describedList(members, "witnesses", p, allowed: ["description"])
        let risk = string(members, "risk", p, oneOf: Vocabulary.risks).flatMap(Risk.init(rawValue:)) ?? .standard
        let recordability = string(members, "recordability", p, oneOf: Vocabulary.recordabilities)
        if let repeatValue = members["repeat"], repeatValue != .null,
           let repeatFields = object(repeatValue, p + "/repeat", allowed: ["self_reported_previous"]) {
            if let count = repeatFields["self_reported_previous"], count != .null {
                if let number = count.numberValue, number >= 0, number <= 10_000, number.rounded() == number {} else {
                    fail(p + "/repeat/self_reported_previous", "must be a whole number from 0 to 10000")
                }
            }
        }
        guard let occurredAt else { return nil }
        return Incident(occurredAt: occurredAt, borough: borough, policeForceArea: forceArea, strands: strands,
                        communities: communities, types: types, risk: risk, recordability: recordability)
    }

    mutating func coordinate(_ members: [String: JSONValue], _ key: String, _ pointer: String, range: ClosedRange<Double>) {
        guard let value = members[key], value != .null else { return }
        guard let number = value.numberValue, range.contains(number) else {
            fail(pointer + "/" + key, "must be a number from \(Int(range.lowerBound)) to \(Int(range.upperBound))")
            return
        }
    }

    mutating func describedList(_ members: [String: JSONValue], _ key: String, _ pointer: String, allowed: Set<String>) {
        guard let value = members[key], value != .null else { return }
        let path = pointer + "/" + key
        guard let elements = value.arrayValue else {
            fail(path, "must be an array, not \(value.typeName)")
            return
        }
        if elements.count > ReportValidator.listLimit { fail(path, "more than \(ReportValidator.listLimit) entries") }
        for (position, element) in elements.enumerated() {
            let elementPath = "\(path)/\(position)"
            guard let fields = object(element, elementPath, allowed: allowed) else { continue }
            _ = string(fields, "description", elementPath)
            if allowed.contains("known_to_victim") { _ = bool(fields, "known_to_victim", elementPath) }
        }
    }

    mutating func victim(_ value: JSONValue, occurredAt: Date?) -> VictimIdentity {
        let p = "/victim"
        guard let members = object(value, p, allowed: [
            "name", "other_names", "date_of_birth", "address", "phone", "email", "demographics", "needs",
        ]) else { return VictimIdentity() }
        var identity = VictimIdentity()
        identity.name = string(members, "name", p)
        identity.otherNames = stringList(members, "other_names", p)
        if let text = string(members, "date_of_birth", p) {
            if let date = RFC3339.parseDate(text) {
                let dob = DateOfBirth(year: date.year, month: date.month, day: date.day)
                if RFC3339.startOfDay(dob).map({ $0 > now }) ?? true {
                    fail(p + "/date_of_birth", "is in the future")
                } else {
                    identity.dateOfBirth = dob
                }
            } else {
                fail(p + "/date_of_birth", "must be a date such as 1990-04-01")
            }
        }
        identity.address = string(members, "address", p)
        identity.phone = string(members, "phone", p)
        identity.email = string(members, "email", p)
        if let demographics = members["demographics"], demographics != .null,
           let fields = object(demographics, p + "/demographics", allowed: Vocabulary.demographicKeys) {
            for key in Vocabulary.demographicKeys.sorted() { _ = string(fields, key, p + "/demographics") }
        }
        if let needs = members["needs"], needs != .null,
           let fields = object(needs, p + "/needs", allowed: ["interpreter_language", "accessibility", "preferred_contact"]) {
            _ = string(fields, "interpreter_language", p + "/needs")
            _ = stringList(fields, "accessibility", p + "/needs")
            _ = string(fields, "preferred_contact", p + "/needs", oneOf: Vocabulary.preferredContacts)
        }
        return identity
    }

    mutating func consent(_ value: JSONValue, pointer p: String = "/consent") -> Consent? {
        guard let members = object(value, p, allowed: ["level", "share_demographics", "recorded_at", "recorded_by", "method"],
                                   required: ["level"]) else { return nil }
        let level = string(members, "level", p, oneOf: Set(ConsentLevel.allCases.map(\.rawValue))).flatMap(ConsentLevel.init(rawValue:))
        let share = bool(members, "share_demographics", p) ?? false
        let recordedAt = timestamp(members, "recorded_at", p)
        let recordedBy = string(members, "recorded_by", p)
        let method = string(members, "method", p, oneOf: Vocabulary.consentMethods)
        guard let level else { return nil }
        return Consent(level: level, shareDemographics: share, recordedAt: recordedAt, recordedBy: recordedBy, method: method)
    }
}
