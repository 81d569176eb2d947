import Crypto
import Foundation
import RelayCore
import Testing

/// The pseudonym is stored: the same victim must get the same one from every version of the relay,
/// or repeat-victim counts silently restart. These pin its exact inputs.
@Suite("Victim pseudonym: the same bytes from every version")
struct PseudonymFormatTests {
    @Test("normalised names", arguments: [
        ("Maria Lovell", "lovell maria"), ("Ștefan  LĂCĂTUȘ", "lacatus stefan"), ("O'Donnell, Siobhán", "donnell o siobhan"),
        ("ＭＡＲＩＡ　Lovell", "lovell maria"), ("Anna-Maria Nowak 2", "2 anna maria nowak"), ("", ""), ("  --  ", ""),
    ])
    func normalised(name: String, expected: String) {
        #expect(VictimPseudonym.normalise(name) == expected)
    }

    @Test("dates of birth are written YYYY-MM-DD, zero-padded")
    func isoDates() {
        #expect(DateOfBirth(year: 1990, month: 4, day: 1).isoString == "1990-04-01")
        #expect(DateOfBirth(year: 2001, month: 12, day: 31).isoString == "2001-12-31")
        #expect(DateOfBirth(year: 987, month: 1, day: 9).isoString == "0987-01-09")
    }

    @Test("the pseudonym is HMAC-SHA256 over `normalised name|date of birth`, base64url without padding")
    func derivation() throws {
        let secret = SymmetricKey(data: Data(repeating: 7, count: 32))
        let pseudonym = try #require(VictimPseudonym.derive(identity: VictimIdentity(name: "Ștefan Lăcătuș", dateOfBirth: DateOfBirth(year: 1985, month: 7, day: 14)), secret: secret))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("lacatus stefan|1985-07-14".utf8), using: secret)
        let expected = Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        #expect(pseudonym == expected)
    }
}
