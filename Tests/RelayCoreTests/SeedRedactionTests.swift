import Foundation
import RelayCore
import RelayFixtures
import Testing

/// The synthetic seeds (README walk-through) at their own consent level: nothing the victim did
/// not agree to share reaches the police view.
@Suite("Seed reports leak nothing beyond their consent")
struct SeedRedactionTests {
    static let seeds: [String] = {
        let root = "\(Repository.root)/seeds"
        let centres = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return centres.sorted().flatMap { centre in
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(centre)")) ?? [])
                .filter { $0.hasSuffix(".json") }.sorted().map { "\(centre)/\($0)" }
        }
    }()

    @Test("every seed", arguments: seeds)
    func seed(_ name: String) throws {
        let data = try #require(FileManager.default.contents(atPath: "\(Repository.root)/seeds/\(name)"))
        let report = try ReportValidator().validate(bytes: Array(data), now: SampleReports.now)
        let view = PoliceViewBuilder.build(report: report, consent: report.consent,
                                           context: PoliceViewContext(reportID: UUID(), centreID: "c", centreName: "C"))
        guard report.consent.level.isForwarded else {
            #expect(view == nil)
            return
        }
        let text = try #require(view).document.canonicalString.lowercased()
        let victim = report.victim
        var contact = [victim.phone, victim.email].compactMap { $0?.lowercased() }
        // The address lines that carry a house number (the street line), as written.
        contact += (victim.address ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { $0.contains(where: \.isNumber) && $0.contains(where: \.isLetter) && $0.count >= 6 }
        if report.consent.level < .identityAndContact {
            for value in contact { #expect(!text.contains(value), "\(name): contact detail reached the view") }
        }
        if report.consent.level == .anonymous {
            let names = ([victim.name].compactMap { $0 } + victim.otherNames)
                .flatMap { $0.split(whereSeparator: { $0.isWhitespace || $0 == "-" }) }.map { $0.lowercased() }.filter { $0.count >= 3 }
            for token in names {
                let pattern = "(?<![\\p{L}\\p{N}])" + NSRegularExpression.escapedPattern(for: token) + "(?![\\p{L}\\p{N}])"
                #expect(text.range(of: pattern, options: .regularExpression) == nil, "\(name): a name token reached the anonymous view")
            }
            if let dob = victim.dateOfBirth { #expect(!text.contains(dob.isoString), "\(name): date of birth reached the view") }
        }
    }
}
