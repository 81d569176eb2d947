import Foundation
import RelayTestSupport
import Testing

/// The test harness itself: a port found free and then taken by someone else before relayd binds
/// it (as parallel tests do) must not fail a test.
@Suite("Test harness: the built relayd on a taken port")
struct HarnessTests {
    /// Holds a loopback TCP port until closed.
    static func occupy(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(fd, 1) == 0 else { throw CommandFailure(command: "bind", status: errno, output: "") }
        return fd
    }

    @Test("relayd exits 69 on the taken port and the harness starts it again on fresh ones")
    func takenPort() async throws {
        let daemon = try RelaydProcess()
        let taken = daemon.apiPort
        let fd = try Self.occupy(taken)
        defer { close(fd) }
        try await daemon.start()
        #expect(daemon.apiPort != taken)
        let log = try String(contentsOfFile: daemon.logPath, encoding: .utf8)
        #expect(log.contains("API listening"), "the second start listens")
        let profile = try String(contentsOfFile: daemon.profile("traveller-centre"), encoding: .utf8)
        #expect(profile.contains("localhost:\(daemon.apiPort)"), "the profile names the new port")
        try await daemon.relay(["receipts", "--profile", daemon.profile("traveller-centre")]).checked("relay receipts over the new port")
        try await daemon.stop()
    }
}
