import Crypto
import Foundation

enum SymmetricKeyFixture {
    static let key = SymmetricKey(data: Data(repeating: 7, count: 32))
    static let other = SymmetricKey(data: Data(repeating: 8, count: 32))
}
