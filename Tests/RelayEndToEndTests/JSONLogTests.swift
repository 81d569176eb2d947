import Foundation
import RelayCore
import RelayTestSupport
import Testing

/// The built relayd's log lines: with `log.format: json` one JSON object per line for log
/// shippers, with `text` one line per event; no line holds report content, whatever the traffic.
@Suite("Log lines, text and JSON (built relayd)", .serialized)
struct JSONLogTests {
    @Test("every line is a JSON object with ts, level, logger and message; no report content anywhere")
    func jsonLines() async throws {
        let daemon = try RelaydProcess()
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        #expect(config.contains("log:\n  format: text\n"))
        try config.replacingOccurrences(of: "log:\n  format: text\n", with: "log:\n  format: json\n")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        try await daemon.start()
        let seed = "\(Repository.root)/seeds/traveller-centre/03-online-threats-community-group.json"
        let submitted = try await daemon.relay(["submit", "--profile", daemon.profile("traveller-centre"), seed]).checked("relay submit").stdout
        let id = try #require(submitted.components(separatedBy: "accepted as ").last?.prefix(36)).description
        try await daemon.relay(["consent", "--profile", daemon.profile("traveller-centre"), id, "--level", "anonymous", "--method", "phone"])
            .checked("relay consent")
        try await daemon.stop()

        let log = try String(contentsOfFile: daemon.logPath, encoding: .utf8)
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 4)
        for line in lines {
            let json = try JSONParser.parse(Array(line.utf8))
            #expect(json["ts"]?.stringValue.flatMap(RFC3339.parse) != nil, "\(line)")
            #expect(json["level"]?.stringValue != nil && json["logger"] == "relayd" && json["message"]?.stringValue != nil, "\(line)")
        }
        #expect(lines.contains { $0.contains("\"message\":\"report accepted\"") && $0.contains(id) })
        for content in ["Rosaleen", "Doherty", "7946", "primary sch"] { #expect(!log.contains(content), "\(content) in the log") }
    }

    @Test("log.format text (the default): one line per event, metadata sorted as key=value, no report content")
    func textLines() async throws {
        let daemon = try RelaydProcess()
        #expect(try String(contentsOfFile: daemon.configPath, encoding: .utf8).contains("log:\n  format: text\n"))
        try await daemon.start()
        let seed = "\(Repository.root)/seeds/traveller-centre/03-online-threats-community-group.json"
        let submitted = try await daemon.relay(["submit", "--profile", daemon.profile("traveller-centre"), seed]).checked("relay submit").stdout
        let id = try #require(submitted.components(separatedBy: "accepted as ").last?.prefix(36)).description
        try await daemon.stop()

        let log = try String(contentsOfFile: daemon.logPath, encoding: .utf8)
        let accepted = try #require(log.split(separator: "\n").first { $0.hasSuffix("] report accepted") }, "\(log)")
        let shape = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} info relayd:( [a-z._]+=\S+)+ \[RelayServer\] report accepted$/#
        #expect(accepted.wholeMatch(of: shape) != nil, "\(accepted)")
        let keys = accepted.split(separator: " ").dropFirst(3).prefix { $0.contains("=") }.map { String($0.split(separator: "=")[0]) }
        #expect(keys == keys.sorted() && keys.contains("relay.report_id"), "\(keys)")
        #expect(accepted.contains("relay.report_id=\(id)"))
        for content in ["Rosaleen", "Doherty", "7946", "primary sch"] { #expect(!log.contains(content), "\(content) in the log") }
    }
}
