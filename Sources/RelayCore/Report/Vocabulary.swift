/// The closed enumerations of schema `reportrelay/report/v1` (FORMATS.md).
public enum Vocabulary {
    /// The 32 London boroughs and the City of London, spelt as the ONS spells them.
    public static let londonBoroughs: [String] = [
        "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "City of London", "Croydon",
        "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey", "Harrow", "Havering",
        "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea", "Kingston upon Thames", "Lambeth",
        "Lewisham", "Merton", "Newham", "Redbridge", "Richmond upon Thames", "Southwark", "Sutton",
        "Tower Hamlets", "Waltham Forest", "Wandsworth", "Westminster",
    ]
    /// The 43 territorial police force areas of England and Wales, as the Home Office names them.
    public static let policeForceAreas: [String] = [
        "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London", "Cleveland", "Cumbria",
        "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys", "Essex", "Gloucestershire", "Greater Manchester",
        "Gwent", "Hampshire", "Hertfordshire", "Humberside", "Kent", "Lancashire", "Leicestershire", "Lincolnshire",
        "Merseyside", "Metropolitan Police", "Norfolk", "North Wales", "North Yorkshire", "Northamptonshire", "Northumbria",
        "Nottinghamshire", "South Wales", "South Yorkshire", "Staffordshire", "Suffolk", "Surrey", "Sussex", "Thames Valley",
        "Warwickshire", "West Mercia", "West Midlands", "West Yorkshire", "Wiltshire",
    ]
    public static let reporters: Set<String> = ["victim", "witness", "third_party"]
    public static let strands: Set<String> = ["race", "religion", "disability", "sexual_orientation", "transgender_identity"]
    public static let communities: Set<String> = [
        "gypsy_irish_traveller_roma", "disabled", "migrant_asylum_refugee", "transgender",
    ]
    public static let types: Set<String> = [
        "verbal_abuse", "harassment", "physical_assault", "criminal_damage", "threat", "online", "other",
    ]
    public static let risks: Set<String> = ["standard", "high"]
    public static let recordabilities: Set<String> = ["crime", "incident"]
    public static let preferredContacts: Set<String> = ["phone", "email", "letter", "via_centre"]
    public static let consentMethods: Set<String> = ["in_person", "phone", "online", "letter", "interpreter"]
    public static let demographicKeys: Set<String> = [
        "ethnicity", "religion", "disability", "sexual_orientation", "gender_identity",
    ]
}

/// How much of the report the victim agreed to share, least to most.
public enum ConsentLevel: String, Sendable, CaseIterable, Comparable, Codable {
    case statsOnly = "stats_only"
    case anonymous
    case identity
    case identityAndContact = "identity_and_contact"

    private var rank: Int {
        switch self {
        case .statsOnly: 0
        case .anonymous: 1
        case .identity: 2
        case .identityAndContact: 3
        }
    }

    public static func < (lhs: ConsentLevel, rhs: ConsentLevel) -> Bool { lhs.rank < rhs.rank }

    /// Whether reports at this level reach police at all.
    public var isForwarded: Bool { self != .statsOnly }
}

/// Priority in the forwarding queue.
public enum Risk: String, Sendable, Codable {
    case standard, high
}
