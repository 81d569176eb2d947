import Foundation

/// The victim's consent as recorded by the centre.
public struct Consent: Sendable, Equatable {
    public var level: ConsentLevel
    public var shareDemographics: Bool
    public var recordedAt: Date?
    public var recordedBy: String?
    public var method: String?

    public init(level: ConsentLevel, shareDemographics: Bool = false, recordedAt: Date? = nil, recordedBy: String? = nil, method: String? = nil) {
        self.level = level
        self.shareDemographics = shareDemographics
        self.recordedAt = recordedAt
        self.recordedBy = recordedBy
        self.method = method
    }
}

/// The victim's identifying details, as far as the report gives them. Used to scrub free text
/// and to derive the repeat-victim pseudonym; never stored or logged.
public struct VictimIdentity: Sendable, Equatable {
    public var name: String?
    public var otherNames: [String]
    public var dateOfBirth: DateOfBirth?
    public var address: String?
    public var phone: String?
    public var email: String?

    public init(name: String? = nil, otherNames: [String] = [], dateOfBirth: DateOfBirth? = nil, address: String? = nil, phone: String? = nil, email: String? = nil) {
        self.name = name
        self.otherNames = otherNames
        self.dateOfBirth = dateOfBirth
        self.address = address
        self.phone = phone
        self.email = email
    }
}

/// A calendar date of birth (no time zone).
public struct DateOfBirth: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The `YYYY-MM-DD` form.
    public var isoString: String {
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day) else {
            return String(format: "%04d-%02d-%02d", year, month, day)
        }
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2)
    }
}

/// A report that passed strict validation: the original document plus the typed facts that
/// routing, queueing, consent and statistics need.
public struct Report: Sendable {
    /// The validated document exactly as the centre sent it.
    public var document: JSONValue
    /// The centre's own case reference (a caseworker's reference, not the victim's identity).
    public var centreReference: String?
    public var occurredAt: Date
    public var borough: String?
    public var policeForceArea: String?
    public var strands: [String]
    public var communities: [String]
    public var types: [String]
    public var risk: Risk
    public var recordability: String?
    public var victim: VictimIdentity
    public var consent: Consent
}
