import Foundation

/// RFC 3339 times and ISO dates without Foundation formatters (which are neither cheap nor
/// `Sendable`). Arithmetic on the proleptic Gregorian calendar, UTC.
public enum RFC3339 {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `nil` if malformed or out of range.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 0x2D, let month = number(5..<7), bytes[7] == 0x2D,
              let day = number(8..<10), bytes[10] == 0x54 || bytes[10] == 0x74,
              let hour = number(11..<13), bytes[13] == 0x3A, let minute = number(14..<16), bytes[16] == 0x3A,
              let second = number(17..<19),
              isValidDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            index += 1
        case 0x2B, 0x2D:
            guard let offsetHour = number(index + 1..<index + 3), index + 3 < bytes.count, bytes[index + 3] == 0x3A,
                  let offsetMinute = number(index + 4..<index + 6), offsetHour < 24, offsetMinute < 60 else { return nil }
            offset = (offsetHour * 3600 + offsetMinute * 60) * (bytes[index] == 0x2B ? 1 : -1)
            index += 6
        default:
            return nil
        }
        guard index == bytes.count else { return nil }
        let seconds = daysFromCivil(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// Formats as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds) or with milliseconds when asked.
    public static func format(_ date: Date, milliseconds: Bool = false) -> String {
        let interval = date.timeIntervalSince1970
        // With milliseconds, work in whole milliseconds (nearest), so that a time stored as
        // milliseconds formats the same however binary floating point represents it.
        let totalMillis = Int((interval * 1000).rounded())
        let whole = milliseconds ? (totalMillis >= 0 ? totalMillis / 1000 : -((-totalMillis + 999) / 1000)) : Int(interval.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : -((-whole + 86_399) / 86_400)
        let secondsOfDay = whole - days * 86_400
        let (year, month, day) = civilFromDays(days)
        // Digits by hand: `String(format:)` costs more than everything else here together.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var remaining = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
                remaining %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); bytes.append(UInt8(ascii: "-")); digits(month, 2); bytes.append(UInt8(ascii: "-")); digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondsOfDay / 3600, 2); bytes.append(UInt8(ascii: ":")); digits(secondsOfDay % 3600 / 60, 2)
        bytes.append(UInt8(ascii: ":")); digits(secondsOfDay % 60, 2)
        if milliseconds {
            bytes.append(UInt8(ascii: "."))
            digits(totalMillis - whole * 1000, 3)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DD`.
    public static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              isValidDate(year: year, month: month, day: day) else { return nil }
        return (year, month, day)
    }

    /// Midnight UTC at the start of a date of birth.
    public static func startOfDay(_ date: DateOfBirth) -> Date? {
        guard isValidDate(year: date.year, month: date.month, day: date.day) else { return nil }
        return Date(timeIntervalSince1970: Double(daysFromCivil(year: date.year, month: date.month, day: date.day) * 86_400))
    }

    /// The UTC calendar date of an instant.
    public static func civilDate(_ date: Date) -> (year: Int, month: Int, day: Int) {
        let whole = Int(date.timeIntervalSince1970.rounded(.down))
        let days = whole >= 0 ? whole / 86_400 : -((-whole + 86_399) / 86_400)
        return civilFromDays(days)
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1900 && year <= 9999, (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
