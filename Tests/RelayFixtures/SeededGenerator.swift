/// A reproducible random number generator (SplitMix64) for property tests: a failure names its
/// seed, and the same seed gives the same case again.
public struct SeededGenerator: RandomNumberGenerator {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    /// A word of 0 to `maxLength` characters drawn from `alphabet`.
    public mutating func word(from alphabet: [String], maxLength: Int) -> String {
        (0..<Int.random(in: 0...maxLength, using: &self)).map { _ in alphabet.randomElement(using: &self)! }.joined()
    }
}
