import Foundation
import RelayCore
import RelayFixtures
import RelayTestSupport
import Testing

/// `relayctl stats` against the built relayd's database: the tables, the borough tile map (read
/// back with Python's XML parser) and the HTML page, rendered by headless Chromium to a PNG that
/// must show something and log no console error.
@Suite("Statistics through relayctl, the hotspot map and the page in a real browser", .serialized)
struct StatsEndToEndTests {
    /// Renders `page` with headless Chromium; returns the PNG's path and Chromium's log.
    static func render(_ page: String, in directory: TemporaryDirectory, name: String) async throws -> (png: String, log: String) {
        let png = directory.file("\(name).png")
        let result = try await Subprocess.run("chromium", [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(directory.file("chromium-\(name)"))", "--enable-logging=stderr", "--v=0",
            "--window-size=1000,1600", "--screenshot=\(png)", "file://\(page)",
        ])
        #expect(result.status == 0, "chromium: \(result.stderr)")
        return (png, result.stdout + result.stderr)
    }

    /// The page's console messages in Chromium's log (it logs `console.error` and uncaught
    /// exceptions as `INFO:CONSOLE`). The page has no script, so any message is an error: a
    /// failed load, a blocked fetch, a parse problem.
    static func consoleErrors(_ log: String) -> [String] {
        log.split(separator: "\n").map(String.init).filter { $0.contains(":CONSOLE") || $0.contains("Uncaught") }
    }

    @Test("counts by borough with <5 and a hidden partner; the map, the page and the closed-month rule")
    func statsMapAndPage() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let reports = daemon.workspace.file("reports")
        try FileManager.default.createDirectory(atPath: reports, withIntermediateDirectories: true)
        var files: [String] = []
        for (borough, count) in [("Hackney", 6), ("Camden", 2), ("Newham", 5)] {
            for i in 0..<count {
                let file = "\(reports)/\(borough)-\(i).json"
                try SampleReports.full(borough: borough).canonicalString.write(toFile: file, atomically: true, encoding: .utf8)
                files.append(file)
            }
        }
        try await daemon.relay(["submit", "--profile", daemon.profile("traveller-centre")] + files).checked("relay submit")
        let config = ["--config", daemon.configPath]

        // This month has not ended: by default nothing of it is published, and asking for it says why.
        let closed = try await daemon.relayctl(["stats"] + config + ["--by", "borough", "--format", "json"]).checked("relayctl stats")
        let closedJSON = try JSONParser.parse(Array(closed.stdout.utf8))
        #expect(closedJSON["cells"]?.arrayValue?.isEmpty == true)
        #expect(closedJSON["measures"]?["months"]?.arrayValue?.count == 12)
        let month = String(RFC3339.format(Date()).prefix(7))
        let refused = try await daemon.relayctl(["stats"] + config + ["--from", month])
        #expect(refused.status == 64 && refused.stderr.contains("--from") && refused.stderr.contains("ended"), "\(refused.stderr)")

        let json = try await daemon.relayctl(["stats"] + config + ["--include-current-month", "--by", "borough", "--format", "json"]).checked("relayctl stats")
        let parsed = try JSONParser.parse(Array(json.stdout.utf8))
        var counts: [String: JSONValue] = [:]
        for cell in parsed["cells"]?.arrayValue ?? [] where cell["month"] == .string(month) { counts[cell["borough"]!.stringValue!] = cell["count"] }
        #expect(counts == ["Hackney": .integer(6), "Camden": "<5", "Newham": "suppressed"])

        let csv = try await daemon.relayctl(["stats"] + config + ["--include-current-month", "--by", "borough", "--format", "csv"]).checked("relayctl stats")
        #expect(csv.stdout.contains("\(month),Camden,<5\r\n") && csv.stdout.hasPrefix("month,borough,count\r\n"), "\(csv.stdout)")

        let map = daemon.workspace.file("map.svg"), page = daemon.workspace.file("page.html")
        try await daemon.relayctl(["stats"] + config + ["--include-current-month", "--filter", "strand=race", "--map", map, "--html", page])
            .checked("relayctl stats --map --html")
        let tiles = try await Python.run("svg_tiles.py", [map]).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(tiles.count == 33, "one tile per borough and the City")
        let byName = Dictionary(uniqueKeysWithValues: tiles.map { ($0[0], $0[1]) })
        #expect(byName["Hackney: 6"] == "#fde3a7", "6 is in the 5-9 class")
        #expect(byName["Camden: <5"] == "url(#hatch)")
        #expect(byName["Newham: supp."] == "url(#hatch)")
        #expect(byName["Sutton: 0"] != nil)
        let svg = try String(contentsOfFile: map, encoding: .utf8)
        #expect(svg.contains("strand race") && svg.contains("provisional"), "the title names the filter and that the month has not ended")

        let html = try String(contentsOfFile: page, encoding: .utf8)
        let addresses = html.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "")  // the SVG namespace names, fetches nothing
        #expect(!addresses.contains("http://") && !addresses.contains("https://") && !addresses.contains("src="), "the page fetches nothing")
        #expect(!html.contains("<script") && !html.contains("Maria") && !html.contains("Lovell"))

        let directory = try TemporaryDirectory("stats-render")
        let (png, log) = try await Self.render(page, in: directory, name: "page")
        #expect(Self.consoleErrors(log).isEmpty, "\(Self.consoleErrors(log))")
        let described = try await Python.run("png_check.py", [png]).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(described.count == 4)
        #expect(described.first == 1000)
        #expect(described.count == 4 && described[2] > 50, "a rendered map has many colours: \(described)")
        #expect(described.count == 4 && described[3] > 20, "ink on more than 2% of the page: \(described)")

        // The checks can fail: a page that logs a console error is caught, and a blank page has no ink.
        let broken = directory.file("broken.html")
        try #"<!DOCTYPE html><html><body><script>console.error("broken on purpose")</script></body></html>"#.write(toFile: broken, atomically: true, encoding: .utf8)
        let (blankPNG, brokenLog) = try await Self.render(broken, in: directory, name: "broken")
        #expect(!Self.consoleErrors(brokenLog).isEmpty, "the console check sees errors: \(brokenLog)")
        let blank = try await Python.run("png_check.py", [blankPNG]).split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(blank.count == 4 && blank[3] == 0, "\(blank)")
        try await daemon.stop()
    }
}
