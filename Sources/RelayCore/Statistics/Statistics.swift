import Foundation

/// A statistics query: whole calendar months `[from, to)`, the dimensions to group by inside each
/// month, and optional fixed values (a filter, such as one strand for a map).
public struct StatsQuery: Sendable, Equatable {
    /// The first day of the first month, 00:00 UTC.
    public var from: Date
    /// The first day of the month after the last, 00:00 UTC.
    public var to: Date
    /// Within-month dimensions, in the order asked.
    public var by: [StatsDimension]
    public var filter: [StatsDimension: String]

    public static let maxMonths = 36

    public init(from: Date, to: Date, by: [StatsDimension], filter: [StatsDimension: String] = [:]) {
        self.from = from
        self.to = to
        self.by = by.filter { $0 != .month }
        self.filter = filter
    }

    /// `YYYY-MM` of every month in the period.
    public var months: [String] {
        var result: [String] = []
        var (year, month) = Self.yearMonth(from)
        while Self.date(year: year, month: month) < to {
            result.append(String(format: "%04d-%02d", year, month))
            (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
        }
        return result
    }

    static func yearMonth(_ date: Date) -> (Int, Int) {
        let text = RFC3339.format(date)
        return (Int(text.prefix(4))!, Int(text.dropFirst(5).prefix(2))!)
    }

    static func date(year: Int, month: Int) -> Date {
        RFC3339.parse(String(format: "%04d-%02d-01T00:00:00Z", year, month))!
    }

    /// The start of the month holding `date`.
    public static func monthStart(_ date: Date) -> Date {
        let (year, month) = yearMonth(date)
        return Self.date(year: year, month: month)
    }

    /// The start of the month after the one holding `date`, or `date` itself when it is already a
    /// month's start.
    public static func monthEnd(_ date: Date) -> Date {
        let start = monthStart(date)
        guard start != date else { return date }
        let (year, month) = yearMonth(date)
        return month == 12 ? Self.date(year: year + 1, month: 1) : Self.date(year: year, month: month + 1)
    }

    /// `YYYY-MM`, an RFC 3339 date (`YYYY-MM-DD`) or date-time; nil when it is none of those.
    public static func parseInstant(_ text: String) -> Date? {
        if text.count == 7, let date = RFC3339.parse(text + "-01T00:00:00Z") { return date }
        if text.count == 10, let date = RFC3339.parse(text + "T00:00:00Z") { return date }
        return RFC3339.parse(text)
    }
}

/// Statistics for a query, computed from the facts of the reports accepted in its months.
public struct StatsResult: Sendable {
    public let query: StatsQuery
    public let cubes: [StatsCube]
    public let measures: [JSONValue]

    /// `facts` may hold reports outside the period; they are ignored.
    public init(query: StatsQuery, facts: [StatsFact]) {
        self.query = query
        let byMonth = Dictionary(grouping: facts, by: \.month)
        let months = query.months
        cubes = months.map { StatsCube(month: $0, facts: byMonth[$0] ?? []) }
        measures = zip(cubes, months).map { cube, month in Self.measures(cube: cube, facts: byMonth[month] ?? []) }
    }

    /// The same months' cubes, asked another way (measures left out).
    init(query: StatsQuery, cubes: [StatsCube]) {
        self.query = query
        self.cubes = cubes
        measures = []
    }

    /// The cells of the query: per month, every nonzero combination of `by` (with the filter's values).
    public var cells: [(month: String, values: [StatsDimension: String], count: PublishedCount)] {
        let dimensions = query.by + query.filter.keys.filter { !query.by.contains($0) }.sorted { $0.rawValue < $1.rawValue }
        return cubes.flatMap { cube in
            cube.cells(by: dimensions)
                .filter { cell in query.filter.allSatisfy { cell.values[$0.key] == $0.value } }
                .map { (cube.month, $0.values, $0.count) }
        }
    }

    /// The body of `GET /v1/stats`.
    public var jsonValue: JSONValue {
        let cells = cells
        var filter: [String: JSONValue] = [:]
        for (dimension, value) in query.filter { filter[dimension.rawValue] = .string(value) }
        return [
            "from": .string(RFC3339.format(query.from)),
            "to": .string(RFC3339.format(query.to)),
            "by": .array(([StatsDimension.month] + query.by).map { .string($0.rawValue) }),
            "filter": .object(filter),
            "cells": .array(cells.map { cell in
                var members: [String: JSONValue] = ["month": .string(cell.month), "count": cell.count.jsonValue]
                for (dimension, value) in cell.values { members[dimension.rawValue] = .string(value) }
                return .object(members)
            }),
            "suppressed": .integer(cells.filter(\.count.isHidden).count),
            "measures": ["months": .array(measures)],
        ]
    }

    /// The strategy's measures for one month. Every count is a cell of the month's cube (so it is
    /// suppressed as the cube is), except the repeat-victim count, which is a count of its own
    /// (shown as `<5` when 1 to 4) and appears in no total.
    static func measures(cube: StatsCube, facts: [StatsFact]) -> JSONValue {
        var byCommunity: [String: JSONValue] = [:]
        for cell in cube.cells(by: [.community]) { byCommunity[cell.values[.community]!] = cell.count.jsonValue }
        let identity = [ConsentLevel.identity, .identityAndContact].map { cube.published([.consentLevel: $0.rawValue]) }
        let share: JSONValue
        if let total = cube.total.value, total > 0, let named = identity.compactMap(\.value).count == 2 ? identity.compactMap(\.value).reduce(0, +) : nil {
            share = .number((Double(named) * 1000 / Double(total)).rounded() / 10)
        } else {
            share = cube.total == .count(0) ? .null : "suppressed"
        }
        let repeatVictims = Set(facts.filter(\.victimSeenBefore).compactMap(\.pseudonym)).count
        return [
            "month": .string(cube.month),
            "reports": cube.total.jsonValue,
            "reports_by_community": .object(byCommunity),
            "hours_to_delivery": durations(facts.compactMap { fact in fact.deliveredAt.map { $0.timeIntervalSince(fact.acceptedAt) / 3600 } }),
            "repeat_victims": StatsCube.publish(repeatVictims, hidden: (1..<StatsCube.threshold).contains(repeatVictims)).jsonValue,
            "identity_consent_percent": share,
            "dead_letters": cube.published([.deliveryOutcome: "dead_letter"]).jsonValue,
        ]
    }

    /// `{"median", "p90"}` in hours (one decimal) over at least five values; otherwise `"<5"`
    /// (or null when there are none).
    static func durations(_ hours: [Double]) -> JSONValue {
        guard hours.count >= StatsCube.threshold else { return hours.isEmpty ? .null : "<5" }
        let sorted = hours.sorted()
        func rank(_ p: Double) -> JSONValue {
            let value = sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
            return .number((value * 10).rounded() / 10)
        }
        return ["median": rank(0.5), "p90": rank(0.9)]
    }
}

extension StatsQuery {
    /// Reads a query as the API and `relayctl stats` take it, collecting every violation with its
    /// pointer.
    ///
    /// - `from`, `to`: `YYYY-MM`, an RFC 3339 date or date-time; `from` is taken back to the start
    ///   of its month and `to` (exclusive) on to the start of the next month, since months are the
    ///   unit of publication. Only ended months are published unless `includeOpenMonth`: `to` is
    ///   brought back to the start of the current month. The default is the last 12 such months.
    /// - `by`: comma-separated dimensions; `month` is implied; at most ``StatsCube/maxDimensions`` others.
    public static func parse(from fromText: String?, to toText: String?, by byText: String?, filter: [StatsDimension: String] = [:],
                             now: Date, includeOpenMonth: Bool = false) throws(ReportValidationError) -> StatsQuery {
        var violations: [FieldViolation] = []
        let ceiling = includeOpenMonth ? monthEnd(now.addingTimeInterval(1)) : monthStart(now)
        func instant(_ text: String?, _ key: String) -> Date? {
            guard let text else { return nil }
            guard let date = parseInstant(text) else {
                violations.append(FieldViolation(pointer: "/\(key)", detail: "must be a month (2026-11), an RFC 3339 date or date-time"))
                return nil
            }
            return date
        }
        let to = min(instant(toText, "to").map(monthEnd) ?? ceiling, ceiling)
        let from = instant(fromText, "from").map(monthStart) ?? months(-12, from: to)
        var by: [StatsDimension] = []
        for name in (byText ?? "month").split(separator: ",", omittingEmptySubsequences: false) {
            guard let dimension = StatsDimension(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                violations.append(FieldViolation(pointer: "/by", detail: "each must be one of \(StatsDimension.allCases.map(\.rawValue).joined(separator: ", "))"))
                break
            }
            if dimension != .month, !by.contains(dimension) { by.append(dimension) }
        }
        let within = Set(by).union(filter.keys)
        if within.count > StatsCube.maxDimensions {
            violations.append(FieldViolation(pointer: "/by", detail: "may name at most \(StatsCube.maxDimensions) dimensions besides month (filters included)"))
        }
        if violations.isEmpty {
            let query = StatsQuery(from: from, to: to, by: by, filter: filter)
            if from >= to {
                violations.append(FieldViolation(pointer: "/from", detail: includeOpenMonth
                    ? "must be before to"
                    : "must be before to; only months that have ended are published (the latest is the one before \(RFC3339.format(ceiling).prefix(7)))"))
            } else if query.months.count > maxMonths {
                violations.append(FieldViolation(pointer: "/to", detail: "may be at most \(maxMonths) months after from"))
            } else {
                return query
            }
        }
        throw ReportValidationError(violations: violations)
    }
}

extension StatsQuery {
    /// `date` (a month's start) moved by whole months, in UTC.
    public static func months(_ months: Int, from date: Date) -> Date {
        var (year, month) = StatsQuery.yearMonth(date)
        month += months
        while month < 1 { month += 12; year -= 1 }
        while month > 12 { month -= 12; year += 1 }
        return StatsQuery.date(year: year, month: month)
    }
}
