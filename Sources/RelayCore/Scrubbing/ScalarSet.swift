/// A small set of Unicode scalars: ASCII ones as bits, others by a linear scan of their values. No
/// Foundation string search, no hashing and (for an ASCII literal) no allocation on the
/// scrubber's hot paths, where such sets are also built from literals per call.
struct ScalarSet: Sendable, ExpressibleByStringLiteral {
    /// Bit `v` for ASCII scalars below 64, bit `v - 64` in `high` for the rest of ASCII.
    private let low: UInt64
    private let high: UInt64
    private let others: [UInt32]

    init(stringLiteral text: String) {
        var low: UInt64 = 0, high: UInt64 = 0
        var others: [UInt32] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case ..<64: low |= 1 << UInt64(scalar.value)
            case ..<128: high |= 1 << UInt64(scalar.value - 64)
            default: others.append(scalar.value)
            }
        }
        self.low = low
        self.high = high
        self.others = others
    }

    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case ..<64: low & (1 << UInt64(scalar.value)) != 0
        case ..<128: high & (1 << UInt64(scalar.value - 64)) != 0
        default: others.contains(scalar.value)
        }
    }
}
