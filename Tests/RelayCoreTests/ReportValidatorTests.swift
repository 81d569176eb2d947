import Foundation
import RelayCore
import RelayFixtures
import Testing

@Suite("Report validation (schema reportrelay/report/v1)")
struct ReportValidatorTests {
    let validator = ReportValidator()

    func violations(_ mutate: (inout [String: JSONValue]) -> Void) -> [FieldViolation] {
        var document = SampleReports.full().objectValue!
        mutate(&document)
        do {
            _ = try validator.validate(document: .object(document), now: SampleReports.now)
            return []
        } catch {
            return error.violations
        }
    }

    static func set(_ document: inout [String: JSONValue], _ path: [String], _ value: JSONValue?) {
        func update(_ node: JSONValue, _ path: ArraySlice<String>) -> JSONValue {
            guard let head = path.first else { return value ?? .null }
            if var members = node.objectValue {
                members[head] = path.count == 1 ? value : update(members[head] ?? .object([:]), path.dropFirst())
                return .object(members)
            }
            if var elements = node.arrayValue, let index = Int(head) {
                elements[index] = update(elements[index], path.dropFirst())
                return .array(elements)
            }
            return node
        }
        document = update(.object(document), path[...]).objectValue!
    }

    @Test("a full report and a minimal one are valid")
    func valid() throws {
        let full = try validator.validate(document: SampleReports.full(), now: SampleReports.now)
        #expect(full.consent.level == .anonymous)
        #expect(full.victim.name == "Maria Lovell")
        #expect(full.victim.dateOfBirth == DateOfBirth(year: 1990, month: 4, day: 1))
        #expect(full.borough == "Hackney")
        let minimal = try validator.validate(document: SampleReports.minimal(), now: SampleReports.now)
        #expect(minimal.victim == VictimIdentity())
        #expect(minimal.risk == .standard)
    }

    @Test("each violation names its field", arguments: [
        (["incident", "occurred_at"], JSONValue.string("2026-13-01T00:00:00Z"), "/incident/occurred_at"),
        (["incident", "occurred_at"], JSONValue.string("2027-01-01T00:00:00Z"), "/incident/occurred_at"),
        (["incident", "occurred_at"], nil, "/incident/occurred_at"),
        (["incident", "occurred_until"], JSONValue.string("2026-11-20T18:00:00Z"), "/incident/occurred_until"),
        (["incident", "strands"], JSONValue.array([]), "/incident/strands"),
        (["incident", "strands"], JSONValue.array(["race", "astrology"]), "/incident/strands/1"),
        (["incident", "types"], JSONValue.string("threat"), "/incident/types"),
        (["incident", "narrative"], JSONValue.string(String(repeating: "x", count: 20_001)), "/incident/narrative"),
        (["incident", "narrative"], nil, "/incident/narrative"),
        (["incident", "location", "borough"], JSONValue.string("Hackny"), "/incident/location/borough"),
        (["incident", "location", "postcode"], JSONValue.string("NOT A CODE"), "/incident/location/postcode"),
        (["incident", "location", "police_force_area"], JSONValue.string("Narnia"), "/incident/location/police_force_area"),
        (["incident", "location", "latitude"], JSONValue.number(123), "/incident/location/latitude"),
        (["incident", "location", "description"], JSONValue.string(String(repeating: "y", count: 501)), "/incident/location/description"),
        (["incident", "offenders", "0", "known_to_victim"], JSONValue.string("no"), "/incident/offenders/0/known_to_victim"),
        (["incident", "risk"], JSONValue.string("urgent"), "/incident/risk"),
        (["incident", "repeat", "self_reported_previous"], JSONValue.number(1.5), "/incident/repeat/self_reported_previous"),
        (["incident", "mood"], JSONValue.string("bad"), "/incident/mood"),
        (["victim", "date_of_birth"], JSONValue.string("01/04/1990"), "/victim/date_of_birth"),
        (["victim", "date_of_birth"], JSONValue.string("2030-01-01"), "/victim/date_of_birth"),
        (["victim", "name"], JSONValue.number(7), "/victim/name"),
        (["victim", "needs", "preferred_contact"], JSONValue.string("pigeon"), "/victim/needs/preferred_contact"),
        (["victim", "demographics", "star_sign"], JSONValue.string("leo"), "/victim/demographics/star_sign"),
        (["consent", "level"], JSONValue.string("everything"), "/consent/level"),
        (["consent", "level"], nil, "/consent/level"),
        (["consent", "share_demographics"], JSONValue.string("yes"), "/consent/share_demographics"),
        (["consent", "method"], JSONValue.string("telepathy"), "/consent/method"),
        (["schema"], JSONValue.string("reportrelay/report/v2"), "/schema"),
        (["extra"], JSONValue.bool(true), "/extra"),
    ])
    func pointers(path: [String], value: JSONValue?, pointer: String) {
        let found = violations { Self.set(&$0, path, value) }
        #expect(found.map(\.pointer).contains(pointer), "expected a violation at \(pointer), got \(found)")
    }

    @Test("string limits count characters, not bytes: 500 two-byte letters pass, 501 do not")
    func characterLimits() {
        let path = ["victim", "name"]
        #expect(violations { Self.set(&$0, path, .string(String(repeating: "é", count: 500))) }.isEmpty)
        #expect(violations { Self.set(&$0, path, .string(String(repeating: "é", count: 501))) }.map(\.pointer) == ["/victim/name"])
        // One character made of two scalars (e + combining acute) is still one character.
        #expect(violations { Self.set(&$0, path, .string(String(repeating: "e\u{301}", count: 500))) }.isEmpty)
    }

    @Test("every violation is reported, not only the first")
    func allViolations() {
        let found = violations {
            Self.set(&$0, ["incident", "risk"], "urgent")
            Self.set(&$0, ["victim", "email"], .number(1))
            Self.set(&$0, ["consent", "level"], "all")
        }
        #expect(Set(found.map(\.pointer)) == ["/incident/risk", "/victim/email", "/consent/level"])
    }

    @Test("a missing list is reported once")
    func missingOnce() {
        let found = violations { Self.set(&$0, ["incident", "types"], nil) }
        #expect(found == [FieldViolation(pointer: "/incident/types", detail: "is required")])
    }

    @Test("a force area outside London is accepted from the closed list")
    func forceArea() throws {
        var document = SampleReports.full().objectValue!
        Self.set(&document, ["incident", "location"], ["police_force_area": "Greater Manchester", "postcode": "M1 1AE"])
        let report = try validator.validate(document: .object(document), now: SampleReports.now)
        #expect(report.policeForceArea == "Greater Manchester")
        #expect(report.borough == nil)
    }

    @Test("errors never quote the value they refuse")
    func noEcho() {
        let secret = "Zanthia Quell-Obrien 07700 900999"
        let found = violations { Self.set(&$0, ["victim", "date_of_birth"], .string(secret)); Self.set(&$0, ["incident", "risk"], .string(secret)) }
        #expect(!found.isEmpty)
        for violation in found { #expect(!violation.detail.contains("Zanthia") && !violation.detail.contains("900999")) }
    }

    @Test("bytes that are not UTF-8 JSON are refused with the pointer \"\"")
    func notJSON() {
        for bytes in [Array("not json".utf8), [0xFF, 0xFE, 0x7B, 0x7D]] {
            #expect {
                try validator.validate(bytes: bytes, now: SampleReports.now)
            } throws: { error in
                (error as? ReportValidationError)?.violations.map(\.pointer) == [""]
            }
        }
    }
}
