/// A small set of Unicode scalars, checked by a linear scan of their values: no Foundation string
/// search and no hashing on the scrubber's hot paths.
struct ScalarSet: Sendable, ExpressibleByStringLiteral {
    let values: [UInt32]

    init(stringLiteral text: String) {
        values = text.unicodeScalars.map(\.value)
    }

    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        values.contains(scalar.value)
    }
}
