import ArgumentParser
import Foundation
import RelayCore

/// `relay-bench scrub`: the cost of redaction for one report — building the matchers for one
/// victim, scrubbing a 4 KiB narrative, and building the whole anonymous police view — for the
/// current scrubber and, in the same run, the regular-expression scrubber it replaced.
struct ScrubBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Build the scrubber for one victim and scrub a 4 KiB narrative; the pre-#7 regex scrubber as the baseline in the same run.")
    @Option(help: "Timed iterations of each measure.") var iterations = 2000
    @Option(help: "Rounds (each measures both scrubbers, alternating).") var rounds = 3

    static let victim = VictimIdentity(
        name: "Ștefan Lăcătuș", otherNames: ["Stefi", "Ștefan-Florin Lăcătuș"], dateOfBirth: DateOfBirth(year: 1985, month: 7, day: 14),
        address: "Flat 5, 31 Cheetham Hill Road, Manchester, M8 8EJ", phone: "+44 7700 900789", email: "stefan.l@example.com")

    /// A narrative of about 4 KiB: identity forms a caseworker writes, among ordinary sentences.
    static let narrative: String = {
        let sentences = [
            "On Friday at 18:30 Stefan Lacatus was walking home along Cheetham Hill Rd when two men on the 135 bus shouted about Gypsies.",
            "One of them later rang his mobile, 07700 900789, and said they knew he lived at Flat 5, 31 Cheetham Hill Road, M8 8EJ.",
            "The manager of the shop on Bury Old Road told staff that 'the Lacatuses' were banned and put a photo of Ștefan on the till.",
            "A post on Facebook tagged @stefan_lacatus85 and gave his date of birth as 14/07/1985, calling Roma 'thieves'.",
            "Witnesses at the stop, including a woman called Maria Popescu, saw the men film him on a phone with a cracked screen.",
            "It cost £250 to repair the window; the council's ASB team in Manchester has a reference and CCTV from the corner shop.",
            "His NI number QQ 12 34 56 C was read out in the group chat, and someone wrote stefan.l@example.com on the bus shelter.",
            "Police were called on 21 November 2026 at about 22:15 and a PCSO attended, but no statement was taken that night.",
        ]
        var text = ""
        var index = 0
        while text.utf8.count < 4096 {
            text += sentences[index % sentences.count] + " "
            index += 1
        }
        return text
    }()

    func run() throws {
        let policy = Scrubber.Policy(removeIdentity: true, removeContact: true, generic: true)
        let legacyPolicy = LegacyRegexScrubber.Policy(removeIdentity: true, removeContact: true, generic: true)
        let report = try ReportValidator().validate(document: Self.report, now: Date())
        print("narrative: \(Self.narrative.utf8.count) bytes; \(iterations) iterations a measure; release build expected")
        var summary: [String: [Double]] = [:]
        for round in 1...rounds {
            let build = measure { _ = Scrubber(identity: Self.victim, policy: policy) }
            let scrubber = Scrubber(identity: Self.victim, policy: policy)
            let scrub = measure { _ = scrubber.scrub(Self.narrative) }
            let view = measure {
                _ = PoliceViewBuilder.build(report: report, consent: report.consent, context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C"))
            }
            let legacyBuild = measure(max(iterations / 20, 20)) { _ = LegacyRegexScrubber(identity: Self.victim, policy: legacyPolicy) }
            let legacy = LegacyRegexScrubber(identity: Self.victim, policy: legacyPolicy)
            let legacyScrub = measure(max(iterations / 20, 20)) { _ = legacy.scrub(Self.narrative) }
            for (name, value) in [("build", build), ("scrub", scrub), ("view", view), ("legacy build", legacyBuild), ("legacy scrub", legacyScrub)] {
                summary[name, default: []].append(value)
            }
            print(String(format: "round %d: build %.1f µs, scrub 4 KiB %.1f µs, whole anonymous view %.1f µs | regex baseline: build %.1f µs, scrub %.1f µs | build+scrub %.1f× faster",
                         round, build, scrub, view, legacyBuild, legacyScrub, (legacyBuild + legacyScrub) / (build + scrub)))
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print(String(format: "median CPU per operation: build %.1f µs, scrub %.1f µs, view %.1f µs; baseline build %.1f µs, scrub %.1f µs",
                     median(summary["build"]!), median(summary["scrub"]!), median(summary["view"]!),
                     median(summary["legacy build"]!), median(summary["legacy scrub"]!)))
    }

    /// CPU microseconds per call of `body` (process user + system time), after a warm-up.
    func measure(_ count: Int? = nil, _ body: () -> Void) -> Double {
        let n = count ?? iterations
        for _ in 0..<max(n / 10, 5) { body() }
        let start = cpuSeconds()
        for _ in 0..<n { body() }
        return (cpuSeconds() - start) / Double(n) * 1e6
    }

    static let report: JSONValue = [
        "schema": "reportrelay/report/v1",
        "incident": [
            "occurred_at": "2026-11-20T18:30:00Z", "strands": ["race"], "types": ["verbal_abuse"], "risk": "standard",
            "location": ["borough": "Hackney", "postcode": "E8 1AB", "description": "Bus stop on Cheetham Hill Rd near the Lacatus family's flat"],
            "narrative": .string(narrative),
            "offenders": [["description": "Two white men in their twenties; one had Ștefan's number 07700 900789 saved in his phone"]],
            "witnesses": [["description": "Maria Popescu, who knows Stefi from church"]],
        ],
        "victim": [
            "name": "Ștefan Lăcătuș", "other_names": ["Stefi"], "date_of_birth": "1985-07-14",
            "address": "Flat 5, 31 Cheetham Hill Road, Manchester, M8 8EJ", "phone": "+44 7700 900789", "email": "stefan.l@example.com",
        ],
        "consent": ["level": "anonymous"],
    ]
}
