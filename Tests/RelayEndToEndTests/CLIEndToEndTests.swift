import Foundation
import RelayCore
import RelayTestSupport
import Testing

@Suite("End to end through the built binaries and the relay CLI", .serialized)
struct CLIEndToEndTests {
    static func seeds(_ centre: String) throws -> [String] {
        let directory = "\(Repository.root)/seeds/\(centre)"
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted().map { "\(directory)/\($0)" }
    }

    static func forwardedCount(_ files: [String]) throws -> Int {
        try files.filter { file in
            let json = try JSONParser.parse(Array(FileManager.default.contents(atPath: file)!))
            return json["consent"]?["level"] != "stats_only"
        }.count
    }

    @Test("seeds from two centres: submitted, leased and acked by intake, receipts verified")
    func seedsFlow() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        var expectedReceipts: [String: Int] = [:]
        for centre in ["traveller-centre", "trans-centre"] {
            let files = try Self.seeds(centre)
            let submitted = try await daemon.relay(["submit", "--profile", daemon.profile(centre)] + files).checked("relay submit")
            #expect(submitted.stdout.components(separatedBy: "accepted as").count - 1 == files.count, "\(submitted.stdout)")
            expectedReceipts[centre] = files.count + (try Self.forwardedCount(files))
        }
        var leasedTotal = 0
        for intake in ["met-intake", "city-intake"] {
            let out = daemon.workspace.file("leased-\(intake)")
            let leased = try await daemon.relay(["lease", "--profile", daemon.profile(intake), "--max", "50", "--out", out]).checked("relay lease")
            let files = try FileManager.default.contentsOfDirectory(atPath: out).map { "\(out)/\($0)" }
            leasedTotal += files.count
            #expect(leased.stdout.contains("\(files.count) item(s) leased"))
            for file in files {
                let item = try JSONParser.parse(Array(FileManager.default.contents(atPath: file)!))
                #expect(item["view"]?["schema"] == "reportrelay/police-view/v1")
                if item["view"]?["consent"]?["level"] == "anonymous" {
                    #expect(item["view"]?["victim"]?["name"] == nil, "anonymous views carry no name")
                }
            }
            if !files.isEmpty {
                let acked = try await daemon.relay(["ack", "--profile", daemon.profile(intake), "--police-reference", "CAD-E2E"] + files).checked("relay ack")
                #expect(acked.stdout.components(separatedBy: "delivered").count - 1 == files.count)
            }
        }
        let forwarded = try Self.forwardedCount(try Self.seeds("traveller-centre") + Self.seeds("trans-centre"))
        #expect(leasedTotal == forwarded)
        for (centre, expected) in expectedReceipts {
            let receipts = try await daemon.relay(["receipts", "--profile", daemon.profile(centre)]).checked("relay receipts")
            #expect(receipts.stdout.contains("\(expected) receipt(s) verified"), "\(receipts.stdout)")
            let again = try await daemon.relay(["receipts", "--profile", daemon.profile(centre)]).checked("relay receipts")
            #expect(again.stdout.contains("0 receipt(s) verified"), "the cursor was remembered")
            let proved = try await daemon.relay(["receipts", "--profile", daemon.profile(centre), "--prove", "--from-start"]).checked("relay receipts --prove")
            #expect(proved.stdout.components(separatedBy: "in audit log").count - 1 == expected, "\(proved.stdout)")
        }
        // The operator verifies the whole log from the database the daemon wrote.
        let verified = try await Subprocess.run(Repository.binary("relayctl"), ["audit", "verify", "--config", daemon.configPath],
                                                directory: daemon.workspace.path).checked("relayctl audit verify")
        #expect(verified.stdout.contains("audit log verified"))
        try await daemon.stop()
    }

    @Test("relay preview shows, offline, exactly the view the intake receives, for every seed")
    func previewEqualsDelivered() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        var seedByID: [String: String] = [:]
        var notForwarded: [String] = []
        for centre in ["traveller-centre", "disability-centre", "refugee-centre", "trans-centre"] {
            for file in try Self.seeds(centre) {
                let out = try await daemon.relay(["submit", "--profile", daemon.profile(centre), file]).checked("relay submit").stdout
                let id = try #require(out.components(separatedBy: "accepted as ").last?.prefix(36)).description
                seedByID[id] = file
                let json = try JSONParser.parse(Array(FileManager.default.contents(atPath: file)!))
                if json["consent"]?["level"] == "stats_only" { notForwarded.append(file) }
            }
        }
        var compared = 0
        for intake in ["met-intake", "city-intake"] {
            let out = daemon.workspace.file("preview-\(intake)")
            try await daemon.relay(["lease", "--profile", daemon.profile(intake), "--max", "50", "--out", out]).checked("relay lease")
            for file in try FileManager.default.contentsOfDirectory(atPath: out) {
                let item = try JSONParser.parse(Array(FileManager.default.contents(atPath: "\(out)/\(file)")!))
                let id = try #require(item["report_id"]?.stringValue)
                let seed = try #require(seedByID[id])
                let delivered = try #require(item["view"]?.objectValue)
                let preview = try await daemon.relay([
                    "preview", seed, "--json", "--report-id", id,
                    "--centre-id", delivered["centre"]?["id"]?.stringValue ?? "", "--centre-name", delivered["centre"]?["name"]?.stringValue ?? "",
                ]).checked("relay preview")
                var shown = try #require(try JSONParser.parse(Array(preview.stdout.utf8))["view"]?.objectValue)
                var received = delivered
                // Only the relay knows earlier reports of the same victim and the pseudonym.
                for key in ["previous_reports_via_relay", "victim_pseudonym"] { shown[key] = nil; received[key] = nil }
                #expect(JSONValue.object(shown) == JSONValue.object(received), "\(seed): preview differs from the delivered view")
                compared += 1
            }
        }
        #expect(compared + notForwarded.count == seedByID.count, "every seed was either delivered and compared or not forwarded")
        for seed in notForwarded {
            let preview = try await daemon.relay(["preview", seed, "--json"]).checked("relay preview")
            #expect(try JSONParser.parse(Array(preview.stdout.utf8))["forwarded"] == false)
        }
        try await daemon.stop()
    }

    @Test("consent withdrawn after delivery: the intake receives a consent update asking to erase the identity")
    func withdrawAfterDelivery() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let centre = daemon.profile("traveller-centre"), intake = daemon.profile("met-intake")
        let seed = "\(Repository.root)/seeds/traveller-centre/03-online-threats-community-group.json"
        let seedJSON = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed)!))
        #expect(seedJSON["consent"]?["level"] == "identity_and_contact")
        let submitted = try await daemon.relay(["submit", "--profile", centre, seed]).checked("relay submit").stdout
        let id = try #require(submitted.components(separatedBy: "accepted as ").last?.prefix(36)).description
        let out = daemon.workspace.file("leased")
        try await daemon.relay(["lease", "--profile", intake, "--out", out]).checked("relay lease")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).map { "\(out)/\($0)" }
        #expect(files.count == 1)
        try await daemon.relay(["ack", "--profile", intake, "--police-reference", "CAD-5"] + files).checked("relay ack")
        let changed = try await daemon.relay(["consent", "--profile", centre, id, "--level", "stats_only", "--method", "phone"]).checked("relay consent")
        #expect(changed.stdout.contains("effect update_forwarded"), "\(changed.stdout)")
        let updates = daemon.workspace.file("updates")
        try await daemon.relay(["lease", "--profile", intake, "--out", updates]).checked("relay lease")
        let updateFiles = try FileManager.default.contentsOfDirectory(atPath: updates).map { "\(updates)/\($0)" }
        #expect(updateFiles.count == 1)
        let update = try JSONParser.parse(Array(FileManager.default.contents(atPath: updateFiles[0])!))
        #expect(update["kind"] == "consent_update")
        #expect(update["report_id"] == .string(id))
        #expect(update["view"]?["required_action"] == "erase_identity")
        try await daemon.relay(["ack", "--profile", intake] + updateFiles).checked("relay ack")
        let receipts = try await daemon.relay(["receipts", "--profile", centre]).checked("relay receipts").stdout
        #expect(receipts.contains("consent_update_delivered"))
        try await daemon.stop()
    }

    @Test("police send updates back with relay update; the caseworker reads them with relay updates")
    func updatesBack() async throws {
        let daemon = try RelaydProcess()
        try await daemon.start()
        let centre = daemon.profile("traveller-centre"), intake = daemon.profile("met-intake")
        let seed = "\(Repository.root)/seeds/traveller-centre/03-online-threats-community-group.json"
        let submitted = try await daemon.relay(["submit", "--profile", centre, seed]).checked("relay submit").stdout
        let id = try #require(submitted.components(separatedBy: "accepted as ").last?.prefix(36)).description
        let out = daemon.workspace.file("leased")
        try await daemon.relay(["lease", "--profile", intake, "--out", out]).checked("relay lease")
        let files = try FileManager.default.contentsOfDirectory(atPath: out).map { "\(out)/\($0)" }
        try await daemon.relay(["ack", "--profile", intake, "--police-reference", "CAD-8"] + files).checked("relay ack")

        let message = daemon.workspace.file("update.txt")
        try "PC 1234 has the case.\nCould the victim call us through you?\n".write(toFile: message, atomically: true, encoding: .utf8)
        let updateID = UUID().lowercasedString
        let first = try await daemon.relay(["update", "--profile", intake, id, "--status", "recorded_crime", "--message-file", message,
                                            "--officer-reference", "PC 1234", "--update-id", updateID]).checked("relay update")
        #expect(first.stdout.contains("accepted, recorded_crime, message sealed to the centre"), "\(first.stdout)")
        let resent = try await daemon.relay(["update", "--profile", intake, id, "--status", "recorded_crime", "--update-id", updateID,
                                             "--occurred-at", "2026-11-25T09:00:00Z"])
        #expect(resent.status == 3, "the same id with another body is refused: \(resent.stderr)")
        let missing = try await daemon.relay(["update", "--profile", intake, id, "--status", "outcome"])
        #expect(missing.status == 64 && missing.stderr.contains("--outcome"), "\(missing.stderr)")
        try await daemon.relay(["update", "--profile", intake, id, "--status", "outcome", "--outcome", "1"]).checked("relay update outcome")

        let read = try await daemon.relay(["updates", "--profile", centre]).checked("relay updates").stdout
        #expect(read.contains("recorded as a crime"), "\(read)")
        #expect(read.contains("Could the victim call us through you?"))
        #expect(read.contains("officer:  PC 1234"))
        #expect(read.contains("1 — charged or summonsed"))
        #expect(read.contains("(TRV-2026-0040)"), "the centre's own reference comes back: \(read)")
        #expect(read.contains("2 update(s), marked seen"))
        #expect(try await daemon.relay(["updates", "--profile", centre]).checked("relay updates").stdout.contains("0 update(s)"))
        let status = try JSONParser.parse(Array(try await daemon.relay(["status", "--profile", centre, id]).checked("relay status").stdout.utf8))
        #expect(status["latest_update"]?["status"] == "outcome")
        #expect(status["latest_update"]?["outcome"]?["code"] == 1)

        // The operator's outcome measures: one delivered report is a small number.
        let measures = try await Subprocess.run(Repository.binary("relayctl"), ["outcomes", "--config", daemon.configPath, "--format", "json"],
                                                directory: daemon.workspace.path).checked("relayctl outcomes")
        let parsed = try JSONParser.parse(Array(measures.stdout.utf8))
        #expect(parsed["delivered_reports"] == "<5")
        #expect(parsed["days_to_outcome"] == ["reports": "<5"])

        // Withdrawn after delivery: only closed.
        try await daemon.relay(["consent", "--profile", centre, id, "--level", "stats_only", "--method", "phone"]).checked("relay consent")
        let refused = try await daemon.relay(["update", "--profile", intake, id, "--status", "investigation_ongoing"])
        #expect(refused.status == 3 && refused.stderr.contains("closed"), "\(refused.stderr)")
        try await daemon.relay(["update", "--profile", intake, id, "--status", "closed"]).checked("relay update closed")
        try await daemon.stop()
    }

    @Test("a submission made while the relay is down stays spooled and is delivered by flush")
    func spoolAndFlush() async throws {
        let daemon = try RelaydProcess()
        let profile = daemon.profile("refugee-centre")
        let seeds = try Self.seeds("refugee-centre")
        let spool = daemon.workspace.file("var/clients/refugee-centre/spool")
        func spooled() throws -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasSuffix(".json") }
        }
        try await daemon.start()
        // A first submission while the relay is up also caches its published keys.
        #expect(try await daemon.relay(["submit", "--profile", profile, seeds[0]]).checked("relay submit").stdout.contains("accepted"))
        #expect(try spooled().isEmpty, "accepted reports leave the spool")
        try await daemon.stop()

        let offline = try await daemon.relay(["submit", "--profile", profile, seeds[1]])
        #expect(offline.status == 4, "exit 4: not reached, kept for flush")
        #expect(offline.stderr.contains("spooled as"))
        let waiting = try spooled()
        #expect(waiting.count == 1)
        let flushDown = try await daemon.relay(["flush", "--profile", profile, "--attempts", "2", "--backoff", "0.1"])
        #expect(flushDown.status == 4)
        #expect(try spooled() == waiting, "a failed flush keeps the report")

        try await daemon.start()
        let flushed = try await daemon.relay(["flush", "--profile", profile]).checked("relay flush")
        #expect(flushed.stdout.contains("accepted"))
        #expect(try spooled().isEmpty)
        let id = String(waiting[0].dropLast(5))
        let status = try await daemon.relay(["status", "--profile", profile, id]).checked("relay status")
        #expect(status.stdout.contains(#""report_id":"\#(id)""#))
        try await daemon.stop()
    }
}
