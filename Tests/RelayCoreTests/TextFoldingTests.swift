@testable import RelayCore
import Testing

/// The one normalisation of names and text (`TextFolding.fold`), letter by letter over the
/// alphabets of the communities the relay serves.
@Suite("Text folding: every letter of the alphabets served")
struct TextFoldingTests {
    /// (alphabet, its letters beyond ASCII in both cases, the ASCII each folds to, lower case).
    static let alphabets: [(String, String, String)] = [
        ("Romanian", "ĂăÂâÎîȘșȚțŞşŢţ", "aaaaiissttsstt"),
        ("Polish", "ĄąĆćĘęŁłŃńÓóŚśŹźŻż", "aacceellnnoosszzzz"),
        ("Czech", "ÁáČčĎďÉéĚěÍíŇňÓóŘřŠšŤťÚúŮůÝýŽž", "aaccddeeeeiinnoorrssttuuuuyyzz"),
        ("Slovak", "ÄäĹĺĽľÔôŔŕ", "aalllloorr"),
        ("Hungarian", "ÖöŐőÜüŰűÉéÁáÍíÓóÚú", "oooouuuueeaaiioouu"),
        ("Turkish", "ÇçĞğİıÖöŞşÜü", "ccggiioossuu"),
        ("Irish", "ÁáÉéÍíÓóÚú", "aaeeiioouu"),
        ("Lithuanian and Latvian", "ĄąČčĘęĖėĮįŠšŲųŪūŽžĀāĒēĢģĪīĶķĻļŅņ", "aacceeeeiissuuuuzzaaeeggiikklln" + "n"),
        ("German and Nordic", "ÄäÖöÜüßÅåØøÆæÞþÐð", "aaoouussaaooaeaeththdd"),
        ("Serbian and Croatian", "ĐđĆćČčŠšŽž", "djdjccccsszz"),
        ("Spanish, Portuguese, French", "ÑñÇçÃãÕõÊêÈèËëÏïŒœ", "nnccaaooeeeeeeiioeoe"),
    ]

    @Test("each letter folds to its ASCII base", arguments: alphabets)
    func latin(_ alphabet: (String, String, String)) {
        let (_, letters, expected) = alphabet
        let folded = letters.map { TextFolding.fold(String($0)) }.joined()
        #expect(folded == expected, "\(alphabet.0): \(letters) → \(folded)")
    }

    @Test("Cyrillic in the BGN/PCGN style British forms use", arguments: [
        ("Оксана Мельник", "oksanamelnik"), ("Дмитро", "dmitro"), ("Юлія", "yuliya"), ("Олександр", "oleksandr"), ("Сергій", "sergiy"),
        ("Жанна Щербак", "zhannashcherbak"), ("Харченко", "kharchenko"), ("Цвєтков", "tsvyetkov"), ("Їжак", "yizhak"), ("Ґалаґан", "galagan"),
        ("Ђорђе", "djordje"), ("Љубица", "ljubitsa"), ("Подъезд", "podezd"), ("Ўладзімір", "uladzimir"),
    ])
    func cyrillic(_ pair: (String, String)) {
        #expect(TextFolding.fold(pair.0) == pair.1)
    }

    @Test("Greek in ELOT 743", arguments: [
        ("Νίκος", "nikos"), ("Ιωάννης", "ioannis"), ("Γεώργιος Παπαδόπουλος", "georgiospapadopoulos"), ("Ευάγγελος", "evaggelos"),
        ("Χρήστος", "christos"), ("Θεόδωρος", "theodoros"), ("Ψυχάρης", "psycharis"), ("Ξανθή", "xanthi"),
    ])
    func greek(_ pair: (String, String)) {
        #expect(TextFolding.fold(pair.0) == pair.1)
    }

    @Test("decomposed accents, ligatures, full-width letters, apostrophes and other scripts")
    func other() {
        #expect(TextFolding.fold("Zoe\u{0308}") == "zoe")            // e + combining diaeresis
        #expect(TextFolding.fold("S\u{0326}tefan") == "stefan")      // S + combining comma below
        #expect(TextFolding.fold("ﬁona") == "fiona")
        #expect(TextFolding.fold("ＭＡＲＩＡ") == "maria")
        #expect(TextFolding.fold("O'Donnell") == "odonnell")
        #expect(TextFolding.fold("O’Donnell") == "odonnell")
        #expect(TextFolding.fold("Kaź\u{00AD}mierczak") == "kazmierczak")
        // Scripts without a table go through ICU (Any-Latin; Latin-ASCII): Arabic gives a skeleton.
        #expect(!TextFolding.fold("محمد").isEmpty)
        #expect(TextFolding.fold("محمد").allSatisfy { $0.isASCII })
    }

    @Test("skeletons equate transliteration spellings and keep different names apart")
    func skeletons() {
        func same(_ a: String, _ b: String) -> Bool {
            !Set(NameKeys.skeletons(TextFolding.fold(a))).isDisjoint(with: NameKeys.skeletons(TextFolding.fold(b)))
        }
        #expect(same("Melnyk", "Мельник"))
        #expect(same("Kharchenko", "Charchenko"))
        #expect(same("Müller", "Mueller"))
        #expect(same("Jurij", "Yuriy") || NameMatcher.withinOneEdit(NameKeys.skeletons("jurij")[0], NameKeys.skeletons("yuriy")[0]))
        #expect(same("Đorđe", "Dorde"))
        #expect(same("Aleksander", "Alexander") || NameMatcher.withinOneEdit(NameKeys.skeletons("aleksander")[0], NameKeys.skeletons("alexander")[0]))
        #expect(!same("Marsh", "March"))
        #expect(!same("Rowe", "Row"))
        #expect(!same("Hart", "Heart"))
    }
}
