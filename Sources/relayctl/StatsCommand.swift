import ArgumentParser
import Foundation
import RelayConfig
import RelayCore
import RelayStore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Counts by month and other dimensions with small-number suppression; a London hotspot map; a report page.",
        discussion: """
            The same numbers GET /v1/stats publishes: per calendar month of acceptance, counts of 1-4 shown as "<5" and \
            further counts "suppressed" so that no total, and no other query, recovers them. Only months that have ended, \
            unless --include-current-month (then the map and page say the figures are provisional). Reads the database \
            without writing.

            Dimensions: \(StatsDimension.allCases.map(\.rawValue).joined(separator: ", ")).
            """)
    @OptionGroup var store: StoreOptions
    @Option(help: "First month, YYYY-MM or an RFC 3339 date (default: 12 months before --to).") var from: String?
    @Option(help: "End of the period, exclusive, YYYY-MM or an RFC 3339 date (default: the start of this month).") var to: String?
    @Option(help: "Comma-separated dimensions besides month (at most 3, filters included).") var by: String?
    @Option(name: .customLong("filter"), help: "Only cells with this value, DIMENSION=VALUE (repeatable), e.g. strand=race.")
    var filters: [String] = []
    @Flag(help: "Include the month in progress (its figures change until it ends).") var includeCurrentMonth = false
    @Option(help: "table, csv or json.") var format: Format = .table
    @Option(help: "Also write a London borough tile map (SVG) of the period's counts to this file.") var map: String?
    @Option(help: "Also write a self-contained HTML page (map, tables, measures) to this file.") var html: String?

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    func run() async throws {
        var filter: [StatsDimension: String] = [:]
        for text in filters {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let dimension = StatsDimension(rawValue: parts[0]), dimension != .month, !parts[1].isEmpty else {
                fail("--filter \(text): give DIMENSION=VALUE, e.g. strand=race, with a dimension other than month", code: 64)
            }
            filter[dimension] = parts[1]
        }
        let query: StatsQuery
        do {
            query = try StatsQuery.parse(from: from, to: to, by: by, filter: filter, now: Date(), includeOpenMonth: includeCurrentMonth)
        } catch {
            let flags = ["/from": "--from", "/to": "--to", "/by": "--by"]
            fail(error.violations.map { "\(flags[$0.pointer] ?? $0.pointer) \($0.detail)" }.joined(separator: "; "), code: 64)
        }
        let opened: StoreOptions.Opened
        do {
            opened = try store.open()
        } catch let error as ConfigurationError {
            fail("\(error)", code: 78)
        }
        let facts = try await opened.database.statsFacts(from: query.from, to: query.to)
        let result = StatsResult(query: query, facts: facts)
        switch format {
        case .json: print(result.jsonValue.canonicalString)
        case .csv: print(StatsText.csv(result), terminator: "")
        case .table: print(StatsText.table(result), terminator: "")
        }
        let provisional = includeCurrentMonth && query.to > StatsQuery.monthStart(Date())
        if map != nil || html != nil {
            let boroughs = StatsResult(query: StatsQuery(from: query.from, to: query.to, by: [.borough], filter: filter), facts: facts)
            let tiles = BoroughTiles(boroughs)
            let svg = tiles.svg(title: StatsText.title(query, provisional: provisional))
            if let map { try write(svg, to: map) }
            if let html { try write(StatsPage.html(result, svg: svg, tiles: tiles, provisional: provisional), to: html) }
        }
    }

    func write(_ text: String, to path: String) throws {
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            fail("cannot write \(path): \(error.localizedDescription); choose a writable path", code: 73)
        }
    }

    func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("relayctl stats: \(message)\n".utf8))
        Foundation.exit(code)
    }
}

/// Plain-text forms of a result.
enum StatsText {
    static func dimensions(_ result: StatsResult) -> [StatsDimension] {
        result.query.by + result.query.filter.keys.filter { !result.query.by.contains($0) }.sorted { $0.rawValue < $1.rawValue }
    }

    static func table(_ result: StatsResult) -> String {
        let dimensions = dimensions(result)
        let cells = result.cells
        var lines = [(["month"] + dimensions.map(\.rawValue) + ["count"]).joined(separator: "\t")]
        for cell in cells {
            lines.append(([cell.month] + dimensions.map { cell.values[$0] ?? "" } + [cell.count.text]).joined(separator: "\t"))
        }
        lines.append("")
        lines.append("suppressed cells: \(cells.filter(\.count.isHidden).count)")
        lines.append(["month", "reports", "hours_to_delivery", "repeat_victims", "identity_consent_percent", "dead_letters"].joined(separator: "\t"))
        for month in result.measures {
            lines.append([month["month"], month["reports"], month["hours_to_delivery"], month["repeat_victims"],
                          month["identity_consent_percent"], month["dead_letters"]].map(show).joined(separator: "\t"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func show(_ value: JSONValue?) -> String {
        switch value {
        case .string(let text)?: text
        case .number(let n)?: n.rounded() == n ? String(Int(n)) : String(n)
        case .object?: "median \(show(value?["median"])), p90 \(show(value?["p90"]))"
        default: "-"
        }
    }

    static func csv(_ result: StatsResult) -> String {
        func field(_ text: String) -> String {
            text.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let dimensions = dimensions(result)
        var lines = [(["month"] + dimensions.map(\.rawValue) + ["count"]).joined(separator: ",")]
        for cell in result.cells {
            lines.append(([cell.month] + dimensions.map { cell.values[$0] ?? "" } + [cell.count.text]).map(field).joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// "Reports accepted 2026-01 to 2026-03, strand race (provisional)".
    static func title(_ query: StatsQuery, provisional: Bool) -> String {
        let months = query.months
        var title = "Reports accepted " + (months.count == 1 ? months[0] : "\(months.first!) to \(months.last!)")
        if !query.filter.isEmpty {
            title += ", " + query.filter.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue.replacingOccurrences(of: "_", with: " ")) \($0.value)" }.joined(separator: ", ")
        }
        return provisional ? title + " (provisional: the last month has not ended)" : title
    }
}

/// The period's count per London borough for the map: the sum of the published monthly counts,
/// or — when any month's count is hidden — a hatched tile with what can be said without
/// revealing it (`<5` for one hidden month of 1 to 4; `≥N` with N the published months' sum).
struct BoroughTiles {
    struct Tile {
        var name: String
        var code: String
        var row: Int
        var column: Int
        var total: Int
        var hidden: Bool
        var label: String
    }

    /// The familiar tile layout: one square per borough and the City, north at the top.
    static let layout: [(String, String, Int, Int)] = [
        ("Enfield", "ENF", 0, 4),
        ("Harrow", "HRW", 1, 2), ("Barnet", "BRN", 1, 3), ("Haringey", "HGY", 1, 4), ("Waltham Forest", "WTH", 1, 5),
        ("Hillingdon", "HDN", 2, 0), ("Ealing", "ELG", 2, 1), ("Brent", "BRT", 2, 2), ("Camden", "CMD", 2, 3), ("Islington", "ISL", 2, 4),
        ("Hackney", "HCK", 2, 5), ("Redbridge", "RDB", 2, 6), ("Havering", "HVG", 2, 7),
        ("Hounslow", "HNS", 3, 0), ("Hammersmith and Fulham", "HMS", 3, 1), ("Kensington and Chelsea", "KNS", 3, 2),
        ("Westminster", "WST", 3, 3), ("City of London", "CTY", 3, 4), ("Tower Hamlets", "TOW", 3, 5), ("Newham", "NWM", 3, 6),
        ("Barking and Dagenham", "BAR", 3, 7),
        ("Richmond upon Thames", "RCH", 4, 1), ("Wandsworth", "WND", 4, 2), ("Lambeth", "LBH", 4, 3), ("Southwark", "SWK", 4, 4),
        ("Lewisham", "LSH", 4, 5), ("Greenwich", "GRN", 4, 6), ("Bexley", "BXL", 4, 7),
        ("Kingston upon Thames", "KNG", 5, 2), ("Merton", "MRT", 5, 3), ("Croydon", "CRD", 5, 4), ("Bromley", "BRM", 5, 5),
        ("Sutton", "STN", 6, 3),
    ]

    /// Lower bounds of the colour classes, and their fills (light to dark).
    static let classes: [(Int, String)] = [(0, "#f2f0ea"), (5, "#fde3a7"), (10, "#f9b26b"), (20, "#ec7a3f"), (50, "#c8432b"), (100, "#8a1c1c")]

    let tiles: [Tile]
    let outside: (total: Int, hidden: Bool, label: String)

    init(_ result: StatsResult) {
        var published: [String: Int] = [:]
        var hidden: [String: [PublishedCount]] = [:]
        for cell in result.cells {
            let borough = cell.values[.borough] ?? ""
            if let value = cell.count.value {
                published[borough, default: 0] += value
            } else {
                hidden[borough, default: []].append(cell.count)
            }
        }
        func describe(_ name: String) -> (Int, Bool, String) {
            let total = published[name] ?? 0
            guard let hiddenMonths = hidden[name] else { return (total, false, String(total)) }
            if total == 0 && hiddenMonths == [.underFive] { return (0, true, "<5") }
            return (total, true, total == 0 ? "supp." : "≥\(total)")
        }
        tiles = Self.layout.map { name, code, row, column in
            let (total, isHidden, label) = describe(name)
            return Tile(name: name, code: code, row: row, column: column, total: total, hidden: isHidden, label: label)
        }
        let (total, isHidden, label) = describe("outside_london")
        outside = (total, isHidden, label)
    }

    static func fill(_ count: Int) -> String { classes.last { count >= $0.0 }!.1 }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    func svg(title: String) -> String {
        let size = 64, gap = 6, left = 20, top = 56
        let width = left * 2 + 8 * (size + gap) + 230
        let height = top + 7 * (size + gap) + 60
        var parts = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(width)" height="\##(height)" viewBox="0 0 \##(width) \##(height)" role="img" aria-labelledby="map-title" font-family="Helvetica, Arial, sans-serif">"##,
            ##"<title id="map-title">\##(Self.escape(title))</title>"##,
            ##"<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="8" stroke="#8c8c8c" stroke-width="3"/></pattern></defs>"##,
            ##"<rect width="\##(width)" height="\##(height)" fill="#ffffff"/>"##,
            ##"<text x="\##(left)" y="30" font-size="17" font-weight="bold" fill="#222222">\##(Self.escape(title))</text>"##,
        ]
        for tile in tiles {
            let x = left + tile.column * (size + gap), y = top + tile.row * (size + gap)
            let fill = tile.hidden ? "url(#hatch)" : Self.fill(tile.total)
            let ink = !tile.hidden && tile.total >= 20 ? "#ffffff" : "#222222"
            parts.append(##"<g><title>\##(Self.escape(tile.name)): \##(Self.escape(tile.label))</title>"##
                + ##"<rect x="\##(x)" y="\##(y)" width="\##(size)" height="\##(size)" rx="4" fill="\##(fill)" stroke="#5a5a5a" stroke-width="1"/>"##
                + ##"<text x="\##(x + size / 2)" y="\##(y + 26)" font-size="13" text-anchor="middle" fill="\##(ink)" font-weight="bold">\##(tile.code)</text>"##
                + ##"<text x="\##(x + size / 2)" y="\##(y + 46)" font-size="14" text-anchor="middle" fill="\##(ink)">\##(Self.escape(tile.label))</text></g>"##)
        }
        // Legend.
        let legendX = left + 8 * (size + gap) + 10
        parts.append(##"<text x="\##(legendX)" y="\##(top + 10)" font-size="13" font-weight="bold" fill="#222222">Reports</text>"##)
        for (i, (lower, colour)) in Self.classes.enumerated() {
            let y = top + 22 + i * 24
            let upper = i + 1 < Self.classes.count ? Self.classes[i + 1].0 - 1 : nil
            let text = lower == 0 ? "0" : upper.map { "\(lower)–\($0)" } ?? "\(lower) or more"
            parts.append(##"<rect x="\##(legendX)" y="\##(y)" width="18" height="18" fill="\##(colour)" stroke="#5a5a5a"/><text x="\##(legendX + 26)" y="\##(y + 14)" font-size="12" fill="#222222">\##(text)</text>"##)
        }
        let hatchY = top + 22 + Self.classes.count * 24
        parts.append(##"<rect x="\##(legendX)" y="\##(hatchY)" width="18" height="18" fill="url(#hatch)" stroke="#5a5a5a"/><text x="\##(legendX + 26)" y="\##(hatchY + 14)" font-size="12" fill="#222222">hidden: &lt;5, or ≥ the sum shown</text>"##)
        parts.append(##"<text x="\##(left)" y="\##(height - 30)" font-size="12" fill="#444444">Outside London: \##(Self.escape(outside.label)). Counts of 1–4 are shown as &lt;5; some larger counts are hidden so that none can be worked out.</text>"##)
        parts.append(##"<text x="\##(left)" y="\##(height - 12)" font-size="12" fill="#444444">One square per London borough and the City, in their rough positions. Source: ReportRelay.</text>"##)
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }
}

/// One self-contained HTML page: no script, no fetch, every style inline.
enum StatsPage {
    static func html(_ result: StatsResult, svg: String, tiles: BoroughTiles, provisional: Bool) -> String {
        let e = BoroughTiles.escape
        let dimensions = StatsText.dimensions(result)
        let title = StatsText.title(result.query, provisional: provisional)
        let cells = result.cells
        var rows: [String] = []
        for cell in cells {
            let values = dimensions.map { "<td>\(e(cell.values[$0] ?? ""))</td>" }.joined()
            rows.append("<tr><td>\(cell.month)</td>\(values)<td class=\"n\(cell.count.isHidden ? " hidden" : "")\">\(e(cell.count.text))</td></tr>")
        }
        var measures: [String] = []
        for month in result.measures {
            let values = [month["reports"], month["hours_to_delivery"], month["repeat_victims"], month["identity_consent_percent"], month["dead_letters"]]
                .map { "<td class=\"n\">\(e(StatsText.show($0)))</td>" }.joined()
            measures.append("<tr><td>\(e(StatsText.show(month["month"])))</td>\(values)</tr>")
        }
        let header = (["month"] + dimensions.map(\.rawValue) + ["count"]).map { "<th>\(e($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined()
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>
            body { font-family: Helvetica, Arial, sans-serif; color: #222; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45; }
            h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
            table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
            th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
            th { background: #f2f0ea; } td.n { text-align: right; } td.hidden { background: #eee; font-style: italic; }
            .note { color: #444; font-size: 0.95rem; }
            </style>
            </head>
            <body>
            <h1>\(e(title))</h1>
            <p class="note">Hate crime reports carried by ReportRelay from third-party reporting centres, by the month they reached
            the relay. To protect victims, a count of 1 to 4 is shown as &lt;5, and some larger counts are hidden
            ("suppressed") so that no hidden count can be worked out from totals or from another table. Counts are never
            added up across months here except on the map, where a borough with a hidden month is hatched.</p>
            <h2>Hotspot map</h2>
            \(svg)
            <h2>Counts</h2>
            <table><thead><tr>\(header)</tr></thead><tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table>
            <p class="note">\(cells.filter(\.count.isHidden).count) cells hidden. A combination not listed had no reports.</p>
            <h2>Measures by month</h2>
            <table><thead><tr><th>month</th><th>reports</th><th>hours to delivery</th><th>repeat victims</th><th>consenting to identity (%)</th><th>dead letters</th></tr></thead><tbody>
            \(measures.joined(separator: "\n"))
            </tbody></table>
            <p class="note">Hours to delivery: from the relay accepting a report to police confirming receipt (median and 90th
            percentile, over five reports or more). Repeat victims: victims whose report that month followed an earlier one
            (counted by a keyed pseudonym; no name is ever used).</p>
            </body>
            </html>

            """
    }
}
