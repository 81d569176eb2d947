/// UK postcodes: recognising them and coarsening them to the outward code.
public enum UKPostcode {
    /// The outward code (`E8 1AB` → `E8`, `SW1A1AA` → `SW1A`), or `nil` when the text is not a
    /// full UK postcode. Case and the separating space are not significant.
    public static func outwardCode(of postcode: String) -> String? {
        let compact = postcode.uppercased().filter { $0 != " " }
        guard compact.count >= 5, compact.count <= 7, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        let inward = compact.suffix(3)
        let outward = String(compact.dropLast(3))
        let inwardChars = Array(inward)
        guard inwardChars[0].isNumber, inwardChars[1].isLetter, inwardChars[2].isLetter else { return nil }
        guard let first = outward.first, first.isLetter else { return nil }
        // Outward code shapes: A9, A99, AA9, AA99, A9A, AA9A.
        let shape = String(outward.map { $0.isLetter ? "A" : "9" })
        guard ["A9", "A99", "AA9", "AA99", "A9A", "AA9A"].contains(shape) else { return nil }
        return outward
    }
}
