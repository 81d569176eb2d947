import Foundation
@testable import RelayCore
import Testing

/// Dates of the Solar Hijri and Ethiopian calendars become the Gregorian dates they are.
@Suite("Other calendars: Solar Hijri and Ethiopian dates as Gregorian dates")
struct OtherCalendarsTests {
    /// Public holidays whose Gregorian dates are well known, and Nowruz of several years.
    @Test("Solar Hijri dates known from their holidays", arguments: [
        (1357, 11, 22, 1979, 2, 11),  // 22 Bahman: the revolution's anniversary, 11 February 1979
        (1358, 1, 12, 1979, 4, 1),  // 12 Farvardin: Islamic Republic Day, 1 April 1979
        (1366, 1, 1, 1987, 3, 21),  // Nowruz 1987
        (1366, 1, 12, 1987, 4, 1),
        (1403, 1, 1, 2024, 3, 20),  // Nowruz 2024
        (1402, 1, 1, 2023, 3, 21),  // Nowruz 2023
        (1399, 1, 1, 2020, 3, 20),  // Nowruz 2020
    ])
    func solarHijri(_ year: Int, _ month: Int, _ day: Int, _ gregorianYear: Int, _ gregorianMonth: Int, _ gregorianDay: Int) throws {
        let date = try #require(OtherCalendars.gregorian(.solarHijri, year: year, month: month, day: day))
        #expect(date == (gregorianYear, gregorianMonth, gregorianDay))
    }

    @Test("consecutive Solar Hijri days are consecutive Gregorian days across a whole year (1402)")
    func solarHijriYearIsContinuous() throws {
        var previous = OtherCalendars.daysFromCivil(2023, 3, 20)
        for month in 1...12 {
            for day in 1...(month <= 6 ? 31 : month <= 11 ? 30 : 29) {
                let date = try #require(OtherCalendars.gregorian(.solarHijri, year: 1402, month: month, day: day))
                let days = OtherCalendars.daysFromCivil(date.year, date.month, date.day)
                #expect(days == previous + 1, "\(day)/\(month)/1402")
                previous = days
            }
        }
        // 1 Farvardin 1403 follows 29 Esfand 1402 (1402 is no leap year).
        let next = try #require(OtherCalendars.gregorian(.solarHijri, year: 1403, month: 1, day: 1))
        #expect(OtherCalendars.daysFromCivil(next.year, next.month, next.day) == previous + 1)
    }

    @Test("Ethiopian new years: 11 September, the 12th after a leap year")
    func ethiopian() throws {
        #expect(try #require(OtherCalendars.gregorian(.ethiopian, year: 2015, month: 1, day: 1)) == (2022, 9, 11))
        #expect(try #require(OtherCalendars.gregorian(.ethiopian, year: 2016, month: 1, day: 1)) == (2023, 9, 12))
        #expect(try #require(OtherCalendars.gregorian(.ethiopian, year: 1980, month: 1, day: 23)) == (1987, 10, 4))
        // 5 Pagume 2015 is the day before 1 Meskerem 2016 (2015 is a leap year: Pagume has 6 days).
        #expect(try #require(OtherCalendars.gregorian(.ethiopian, year: 2015, month: 13, day: 6)) == (2023, 9, 11))
    }

    @Test("every tenth day from 1921 to 2071 agrees with Foundation's Persian and Ethiopian calendars")
    func againstFoundation() {
        var persian = Calendar(identifier: .persian)
        persian.timeZone = TimeZone(identifier: "UTC")!
        var ethiopic = Calendar(identifier: .ethiopicAmeteMihret)
        ethiopic.timeZone = TimeZone(identifier: "UTC")!
        var disagreements = 0
        for days in stride(from: OtherCalendars.daysFromCivil(1921, 3, 22), through: OtherCalendars.daysFromCivil(2071, 3, 1), by: 10) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400 + 43_200)
            let gregorian = OtherCalendars.civil(days)
            for (kind, calendar) in [(OtherCalendars.Kind.solarHijri, persian), (.ethiopian, ethiopic)] {
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                guard kind == .solarHijri || (1850...2100).contains(parts.year!) else { continue }
                let converted = OtherCalendars.gregorian(kind, year: parts.year!, month: parts.month!, day: parts.day!)
                if converted.map({ $0 != gregorian }) ?? true {
                    disagreements += 1
                    if disagreements < 5 { Issue.record("\(kind) \(parts.day!)/\(parts.month!)/\(parts.year!): \(String(describing: converted)), Foundation \(gregorian)") }
                }
            }
        }
        #expect(disagreements == 0)
    }

    @Test("days from 1970 and back agree with Foundation's Gregorian calendar")
    func civilDays() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for days in stride(from: -30_000, through: 30_000, by: 97) {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let parts = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = OtherCalendars.civil(days)
            #expect(civil == (parts.year!, parts.month!, parts.day!))
            #expect(OtherCalendars.daysFromCivil(civil.year, civil.month, civil.day) == days)
        }
    }

    @Test("no date for days the calendars do not have, nor for years outside a lifetime")
    func invalid() {
        #expect(OtherCalendars.gregorian(.solarHijri, year: 1366, month: 7, day: 31) == nil)
        #expect(OtherCalendars.gregorian(.solarHijri, year: 1366, month: 13, day: 1) == nil)
        #expect(OtherCalendars.gregorian(.solarHijri, year: 1987, month: 1, day: 1) == nil)
        #expect(OtherCalendars.gregorian(.ethiopian, year: 1980, month: 13, day: 7) == nil)
    }
}
