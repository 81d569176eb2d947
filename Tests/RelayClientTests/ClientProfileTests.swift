import Foundation
import RelayClient
import RelayCore
import RelayTestSupport
import Testing

@Suite("relay CLI settings and spool")
struct ClientProfileTests {
    @Test("flags win over environment variables, which win over the profile file")
    func precedence() throws {
        let directory = try TemporaryDirectory("profile")
        let file = directory.file("p.json")
        try #"{"server":"https://file:1","cert":"file.pem","key":"file.key","ca":"file-ca.pem","intake_key":"file.hpke.key","state":"file-state"}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        let environment = ["RELAY_SERVER": "https://env:2", "RELAY_CERT": "env.pem", "HOME": "/home/x"]
        let resolved = try ClientProfile.resolve(.init(profile: file, server: "https://flag:3"), environment: environment)
        #expect(resolved == ClientProfile(server: "https://flag:3", certificate: "env.pem", privateKey: "file.key", caBundle: "file-ca.pem",
                                          intakeKey: "file.hpke.key", stateDirectory: "file-state"))
        let viaEnvironment = try ClientProfile.resolve(.init(), environment: environment.merging(["RELAY_PROFILE": file]) { $1 })
        #expect(viaEnvironment.server == "https://env:2")
        #expect(viaEnvironment.privateKey == "file.key")
    }

    @Test("a missing setting names the flag, the variable and the profile")
    func missing() {
        #expect {
            try ClientProfile.resolve(.init(server: "https://x"), environment: [:])
        } throws: { error in
            "\(error)".contains("--cert") && "\(error)".contains("RELAY_CERT") && "\(error)".contains("--profile")
        }
    }

    @Test("spooled submissions are durable files, byte-identical on every read, kept until removed")
    func spool() throws {
        let directory = try TemporaryDirectory("spool")
        let spool = Spool(stateDirectory: directory.path)
        let id = UUID()
        let envelope = Envelope(keyID: "0123456789abcdef", enc: "ZW5j", ct: "Y3Q")
        let entry = try spool.add(reportID: id, envelope: envelope)
        let pending = try spool.pending()
        #expect(pending.map(\.reportID) == [id])
        #expect(pending[0].body == entry.body)
        var mode = stat()
        stat(entry.path, &mode)
        #expect(mode.st_mode & 0o077 == 0, "the spool is private to the caseworker")
        try spool.reject(pending[0])
        #expect(try spool.pending().isEmpty)
        #expect(FileManager.default.fileExists(atPath: "\(spool.directory)/rejected/\(id.lowercasedString).json"), "a refused report is kept, not lost")
    }
}
