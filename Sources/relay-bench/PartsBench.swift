import ArgumentParser
import Crypto
import Foundation
import RelayCore
import RelayStore

/// `relay-bench parts`: the CPU of each step a submit takes in relayd, measured apart on the
/// same sealed 4 KiB reports `relay-bench http` sends, so that the share of the cryptography
/// (open, seal, sign) beside everything else is visible. The steps are the ones
/// `RelayApplication.submit` runs, called directly; HTTP and TLS are not in them.
struct PartsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parts", abstract: "CPU per step of a submit (read, open, validate, police view, seal, sign, store commit), and of lease + ack in the store.")

    @Option(help: "Distinct reports (each step runs once per report per round).") var reports = 1000
    @Option(help: "Rounds; the summary gives medians.") var rounds = 5
    @Option(help: "Seed report the submissions are made from.") var seed = "seeds/traveller-centre/01-verbal-abuse-bus-stop.json"

    func run() async throws {
        let relayKey = Curve25519.KeyAgreement.PrivateKey(), intakeKey = Curve25519.KeyAgreement.PrivateKey()
        let signingKey = Curve25519.Signing.PrivateKey(), pseudonymSecret = SymmetricKey(size: .bits256)
        let template = try JSONParser.parse(Array(FileManager.default.contents(atPath: seed) ?? Data()))
        let bodies = try (0..<reports).map { try HTTPBenchmark.submission(template, index: $0, narrativeBytes: 4096, key: relayKey.publicKey).canonicalBytes }
        print("relay-bench parts: \(reports) distinct sealed reports of \(bodies[0].count) bytes; CPU µs per report, release build expected")
        var table: [String: [Double]] = [:]
        let steps = ["read request", "open envelope", "validate report", "pseudonym", "police view + scrub", "seal view", "sign receipt"]
        let order = steps + ["store commit, 1 writer", "store commit, 8 writers", "lease + ack, per item", "cryptography alone"]
        for round in 1...rounds {
            var requests: [(UUID, Envelope, [UInt8])] = []
            table["read request", default: []].append(measure(bodies.count) { index in
                let json = try! JSONParser.parse(bodies[index])
                let envelope = try! Envelope(json: json["envelope"]!, pointer: "/envelope")
                let canonical = envelope.jsonValue.canonicalBytes
                _ = Hex.encode(SHA256.hash(data: canonical))
                requests.append((UUID(canonical: json["report_id"]!.stringValue!)!, envelope, canonical))
            })
            var plaintexts: [Data] = []
            table["open envelope", default: []].append(measure(bodies.count) { index in
                let (id, envelope, _) = requests[index]
                plaintexts.append(try! envelope.openWithPayloadDigest(with: [relayKey], purpose: .report, reportID: id).0)
            })
            var validated: [Report] = []
            table["validate report", default: []].append(measure(bodies.count) { index in
                validated.append(try! ReportValidator().validate(bytes: plaintexts[index], now: Date()))
            })
            table["pseudonym", default: []].append(measure(bodies.count) { index in
                _ = VictimPseudonym.derive(identity: validated[index].victim, secret: pseudonymSecret)
            })
            var views: [PoliceView] = []
            table["police view + scrub", default: []].append(measure(bodies.count) { index in
                let report = validated[index]
                views.append(PoliceViewBuilder.build(report: report, consent: report.consent,
                                                     context: PoliceViewContext(reportID: requests[index].0, centreID: "traveller-centre", centreName: "Centre"))!)
            })
            var sealed: [(envelope: Envelope, payloadSHA256: String)] = []
            table["seal view", default: []].append(measure(bodies.count) { index in
                sealed.append(try! Envelope.sealWithPayloadDigest(views[index].document.canonicalBytes, to: intakeKey.publicKey, purpose: .delivery,
                                                                   reportID: requests[index].0))
            })
            let signer = ReceiptSigner(key: signingKey)
            table["sign receipt", default: []].append(measure(bodies.count) { index in
                _ = try! signer.sign(Receipt(type: .accepted, receiptID: .timeOrdered(), reportID: requests[index].0, centreID: "traveller-centre",
                                             intakeID: "met-intake", at: Date(), payloadSHA256: sealed[index].payloadSHA256))
            })
            // The floor under open, seal and sign: the same operations on the same sizes with no
            // JSON, base64 or envelope around them — one HPKE open of the report, one HPKE seal of
            // the view, one Ed25519 signature over a receipt-sized message, SHA-256 of both bodies.
            let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly, info = Data("relay-bench parts".utf8)
            let viewBytes = views.map { Data($0.document.canonicalBytes) }, receiptBytes = Data(repeating: 0x61, count: 400)
            let sealedReports = try plaintexts.map { plaintext in
                var sender = try HPKE.Sender(recipientKey: relayKey.publicKey, ciphersuite: suite, info: info)
                return (sender.encapsulatedKey, try sender.seal(plaintext))
            }
            table["cryptography alone", default: []].append(measure(bodies.count) { index in
                var recipient = try! HPKE.Recipient(privateKey: relayKey, ciphersuite: suite, info: info, encapsulatedKey: sealedReports[index].0)
                let plaintext = try! recipient.open(sealedReports[index].1)
                var sender = try! HPKE.Sender(recipientKey: intakeKey.publicKey, ciphersuite: suite, info: info)
                let sealedView = try! sender.seal(viewBytes[index])
                _ = try! signingKey.signature(for: receiptBytes)
                _ = (SHA256.hash(data: plaintext), SHA256.hash(data: sealedView))
            })
            for writers in [1, 8] {
                let path = try temporaryDatabase("parts")
                defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
                let database = try RelayDatabase(path: path, signer: signer)
                let submissions = (0..<bodies.count).map { index in
                    NewSubmission(reportID: requests[index].0, centreID: "traveller-centre", envelopeSHA256: Hex.encode(SHA256.hash(data: requests[index].2)),
                                  originalEnvelope: String(decoding: requests[index].2, as: UTF8.self), payloadSHA256: String(repeating: "1", count: 64),
                                  report: ReportFacts(report: validated[index]), pseudonym: nil,
                                  delivery: NewDelivery(deliveryID: .timeOrdered(), intakeID: "met-intake", kind: .report,
                                                        envelope: sealed[index].envelope.jsonValue.canonicalString, payloadSHA256: sealed[index].payloadSHA256),
                                  redactions: views[index].redactions, acceptedAt: Date())
                }
                let start = cpuSeconds()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for writer in 0..<writers {
                        group.addTask { for index in stride(from: writer, to: submissions.count, by: writers) { _ = try await database.submit(submissions[index]) } }
                    }
                    try await group.waitForAll()
                }
                table["store commit, \(writers) writer\(writers == 1 ? "" : "s")", default: []].append((cpuSeconds() - start) / Double(bodies.count) * 1e6)
                guard writers == 8 else { continue }
                // The intake's side on the same store, without HTTP: lease pages of 50 and
                // acknowledge each page, until the queue is empty.
                let policy = QueuePolicy(maxAttempts: 5)
                let leaseStart = cpuSeconds()
                var delivered = 0
                while true {
                    let page = try await database.lease(intakeID: "met-intake", max: 50, duration: 300, now: Date(), policy: policy)
                    if page.isEmpty { break }
                    let results = try await database.ack(intakeID: "met-intake", acks: page.map { AckRequest(deliveryID: $0.deliveryID, leaseToken: $0.leaseToken) },
                                                         now: Date(), policy: policy)
                    delivered += results.filter { $0.outcome == .delivered }.count
                }
                guard delivered == bodies.count else { throw ValidationError("lease + ack delivered \(delivered) of \(bodies.count)") }
                table["lease + ack, per item", default: []].append((cpuSeconds() - leaseStart) / Double(delivered) * 1e6)
            }
            print("round \(round): " + order.map { String(format: "%@ %.1f", $0, table[$0]!.last!) }.joined(separator: ", "))
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print("median of \(rounds) rounds, CPU µs per report:")
        let pad = { (name: String) in name.padding(toLength: 26, withPad: " ", startingAt: 0) }
        for step in order { print("  " + pad(step) + String(format: "%8.1f", median(table[step]!))) }
        let beforeStore = steps.map { median(table[$0]!) }.reduce(0, +)
        print("  " + pad("sum of the steps before") + String(format: "%8.1f", beforeStore) + " (everything but the store)")
        print("  (\"cryptography alone\" is not a step: the open, seal and signature above with nothing around them)")
    }

    /// CPU microseconds per call of `body` over `count` indices (process user + system time).
    func measure(_ count: Int, _ body: (Int) -> Void) -> Double {
        let start = cpuSeconds()
        for index in 0..<count { body(index) }
        return (cpuSeconds() - start) / Double(count) * 1e6
    }
}
