/// Age bands that replace a date of birth when identity is withheld.
public enum AgeBand {
    /// The band of the age reached on `on` by someone born on `dateOfBirth`.
    public static func band(dateOfBirth: DateOfBirth, on date: (year: Int, month: Int, day: Int)) -> String {
        var age = date.year - dateOfBirth.year
        if (date.month, date.day) < (dateOfBirth.month, dateOfBirth.day) { age -= 1 }
        switch age {
        case ..<18: return "0-17"
        case 18...24: return "18-24"
        case 25...34: return "25-34"
        case 35...44: return "35-44"
        case 45...54: return "45-54"
        case 55...64: return "55-64"
        default: return "65+"
        }
    }
}
