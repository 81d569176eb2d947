import Foundation
import RelayCore

/// Synthetic reports for tests. Everything here is fictional: phone numbers from Ofcom's drama
/// ranges, e-mail at example.org.
public enum SampleReports {
    /// A complete, valid report with every section filled, at the given consent.
    public static func full(level: ConsentLevel = .anonymous, shareDemographics: Bool = false, risk: String = "standard",
                            borough: String = "Hackney", recordability: String = "crime") -> JSONValue {
        [
            "schema": "reportrelay/report/v1",
            "centre_reference": "TST-2026-0001",
            "reporter": "victim",
            "incident": [
                "occurred_at": "2026-11-20T18:30:00Z",
                "occurred_until": "2026-11-20T19:00:00Z",
                "location": [
                    "borough": .string(borough), "postcode": "E8 1AB", "latitude": .number(51.5434), "longitude": .number(-0.0553),
                    "description": "bus stop on Mare Street near Maria's flat at 12 Navarino Road",
                    "online_platform": nil,
                ],
                "strands": ["race"],
                "communities": ["gypsy_irish_traveller_roma"],
                "types": ["verbal_abuse", "threat"],
                "narrative": "Maria Lovell was waiting for the 38 bus at 18:30 when two men shouted abuse. Ms Lovell's phone is 07700 900123 and her email maria.lovell@example.org. She lives at 12 Navarino Road, E8 1AB. Her date of birth is 1 April 1990.",
                "offenders": [["description": "white man, 40s, grey hoodie, shouted at Maria", "known_to_victim": false]],
                "witnesses": [["description": "shopkeeper who knows Maria Lovell, can be reached on 020 7946 0123"]],
                "risk": .string(risk),
                "recordability": .string(recordability),
                "repeat": ["self_reported_previous": 2],
            ],
            "victim": [
                "name": "Maria Lovell",
                "other_names": ["Mary Smith"],
                "date_of_birth": "1990-04-01",
                "address": "12 Navarino Road, London",
                "phone": "07700 900123",
                "email": "maria.lovell@example.org",
                "demographics": ["ethnicity": "Romani", "religion": "Christian"],
                "needs": ["interpreter_language": "rom", "accessibility": ["easy_read"], "preferred_contact": "phone"],
            ],
            "consent": [
                "level": .string(level.rawValue),
                "share_demographics": .bool(shareDemographics),
                "recorded_at": "2026-11-21T10:00:00Z",
                "recorded_by": "CW-17",
                "method": "in_person",
            ],
        ]
    }

    /// The identifying strings of ``full(level:shareDemographics:risk:borough:recordability:)``'s victim.
    public static let identityStrings = ["Maria", "Lovell", "Mary Smith", "07700 900123", "maria.lovell@example.org", "Navarino", "1990-04-01", "1 April 1990"]

    /// A minimal valid report: only the required fields.
    public static func minimal(level: ConsentLevel = .anonymous) -> JSONValue {
        [
            "schema": "reportrelay/report/v1",
            "incident": ["occurred_at": "2026-11-20T18:30:00Z", "strands": ["disability"], "types": ["harassment"], "narrative": "Shouted at on the street."],
            "consent": ["level": .string(level.rawValue)],
        ]
    }

    /// A time after every sample's dates, for validation.
    public static let now = RFC3339.parse("2026-11-25T12:00:00Z")!
}
