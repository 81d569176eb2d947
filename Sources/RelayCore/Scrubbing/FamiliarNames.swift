/// Familiar forms of given names: each group is one name in its usual full and familiar forms
/// (English, Irish, Scottish, Welsh, Polish, Czech, Slovak, Romanian, Hungarian, Russian,
/// Ukrainian, Bulgarian, Balkan, Lithuanian, Romani, Arabic, Yoruba, Igbo, Akan, Greek, Yiddish and
/// Punjabi usage), folded. A victim registered as
/// "Katarzyna" is also removed where the narrative says "Kasia". Groups overlap where a familiar
/// form serves several names (Alex, Sasha); a form is then removed for any of them.
enum FamiliarNames {
    static let groups: [[String]] = [
        // English, Irish, Scottish, Welsh
        ["alexander", "alex", "alec", "sandy", "alastair", "alistair"],
        ["alexandra", "alex", "alexa", "lexi", "lexie", "sandy", "sasha"],
        ["andrew", "andy", "drew"], ["anthony", "tony", "ant"], ["antonia", "toni"],
        ["barbara", "barbie", "babs"], ["benjamin", "ben", "benny", "benji"], ["bernadette", "bernie", "detta"],
        ["bridget", "bridie", "biddy", "bridgie", "brigid", "breda"], ["caroline", "carol", "carrie", "caz"],
        ["catherine", "katherine", "kathryn", "catriona", "cathy", "kathy", "kate", "katie", "katy", "kay", "kit", "cath", "kath", "kat", "cat"],
        ["charles", "charlie", "chas", "chuck"], ["charlotte", "charlie", "lottie", "lotte"],
        ["christopher", "chris", "kit", "christy"], ["christine", "christina", "chris", "chrissie", "tina", "kirsty", "kirsten"],
        ["daniel", "dan", "danny", "dani"], ["danielle", "daniela", "dani"], ["david", "dave", "davey", "davy", "dai"],
        ["deborah", "debra", "debbie", "deb", "debs"], ["dominic", "dom"], ["donald", "don", "donny"],
        ["edward", "ed", "eddie", "ted", "teddy", "ned"], ["eleanor", "elinor", "ellie", "nell"],
        ["elizabeth", "beth", "betty", "betsy", "liz", "lizzie", "lizzy", "libby", "eliza", "bess", "bessie", "elsie", "elspeth"],
        ["frances", "fran", "frankie", "fanny"], ["francis", "frank", "frankie"], ["frederick", "fred", "freddie", "freddy"],
        ["gabriel", "gabe"], ["gabriella", "gabriela", "gabby", "gaby"], ["geoffrey", "jeffrey", "geoff", "jeff"],
        ["gerald", "gerard", "gerry", "ger"], ["gregory", "greg"], ["harold", "harry", "hal"], ["henry", "harry", "hank", "hal"],
        ["helen", "helena", "nell", "nellie", "ellie"], ["isabel", "isabella", "izzy", "bella"],
        ["jacqueline", "jackie", "jacqui"], ["james", "jim", "jimmy", "jamie", "jem"],
        ["jennifer", "jenny", "jen", "jenna"], ["john", "johnny", "jack", "jon"],
        ["jonathan", "jon", "jonny", "johnny"], ["joseph", "joe", "joey", "jo"], ["josephine", "jo", "josie", "jo-jo"],
        ["joanne", "joanna", "jo", "joan"], ["judith", "judy", "jude"], ["julia", "julie", "jules"],
        ["kenneth", "ken", "kenny"], ["lawrence", "laurence", "larry", "laurie", "lol"], ["leonard", "len", "lenny"],
        ["margaret", "maggie", "meg", "peggy", "peg", "maisie", "marge", "margie", "mairead", "molly"],
        ["mary", "molly", "polly", "mae", "mamie", "maire", "maura", "moira"],
        ["matthew", "matt", "matty"], ["michael", "mick", "micky", "mickey", "mike", "mikey", "mikie"],
        ["nicholas", "nick", "nicky", "nico"], ["nicola", "nicole", "nicky", "nikki"], ["patrick", "paddy", "pat", "patsy", "padraig", "packie"],
        ["patricia", "pat", "patty", "patsy", "tricia", "trish"], ["peter", "pete"], ["philip", "phillip", "phil", "pip"],
        ["rebecca", "becky", "becca", "bex", "becks"], ["richard", "rick", "ricky", "dick", "rich", "richie"],
        ["robert", "rob", "robbie", "bob", "bobby", "bert", "rab"], ["ronald", "ron", "ronnie"],
        ["samantha", "sam", "sammy"], ["samuel", "sam", "sammy"], ["sarah", "sara", "sally", "sadie"],
        ["stephen", "steven", "steve", "stevie"], ["stephanie", "steph", "stevie"], ["susan", "susanne", "sue", "susie", "suzy"],
        ["terence", "terry", "tel"], ["theresa", "teresa", "tess", "tessa", "terri"], ["thomas", "tom", "tommy", "thom"],
        ["timothy", "tim", "timmy"], ["victoria", "vicky", "vicki", "tori"], ["vincent", "vince", "vinnie"],
        ["william", "bill", "billy", "will", "willie", "willy"], ["winifred", "winnie", "freda"],
        ["zachary", "zach", "zack"], ["abigail", "abby", "abbie"], ["agnes", "aggie", "nessa"], ["anne", "ann", "annie", "nan", "nancy"],
        ["dermot", "derry"], ["eugene", "gene"], ["siobhan", "shiv"], ["sinead", "shinny"],
        ["bartholomew", "bart", "bartley"], ["martin", "marty", "mart"], ["cecilia", "cissy", "cecily"],
        // Polish, Czech, Slovak
        ["katarzyna", "kasia", "kaska", "kasienka", "kate"], ["malgorzata", "gosia", "gosha", "malgosia", "margaret"],
        ["aleksandra", "ola", "olenka", "ala"], ["agnieszka", "aga", "agusia"], ["barbara", "basia", "baska"], ["joanna", "joasia"],
        ["elzbieta", "ela", "elka"], ["magdalena", "magda", "madzia"], ["anna", "ania", "anka", "hania", "anicka", "anca"],
        ["krzysztof", "krzys", "krzysiek", "chris"], ["zofia", "zosia", "zocha"], ["mirela", "mira", "mirelica"], ["imogen", "immy", "immie"],
        ["shannon", "shan", "shanny"], ["rose", "rosie"], ["erzsebet", "erzsike", "erzsi", "bozsi"], ["piotr", "piotrus", "piotrek"], ["wojciech", "wojtek"], ["grzegorz", "grzes", "grzesiek", "greg"], ["tomasz", "tomek"],
["pawel", "pawelek"], ["lukasz", "lukas"], ["jakub", "kuba"], ["michal", "michalek", "misiek"],
        ["stanislaw", "stas", "staszek", "stan"], ["jozef", "jozek", "juzek"], ["zbigniew", "zbyszek"], ["boleslaw", "bolek"],
        ["jan", "janek", "jasiek", "honza"], ["jiri", "jirka"], ["frantisek", "franta"], ["josef", "pepa", "joska"],
        ["vaclav", "vasek"], ["ludmila", "lida"], ["zuzana", "zuzka", "zuza", "zuzia"], ["marketa", "majka"], ["jaroslav", "jarda"],
        // Romanian, Roma, Hungarian
        ["stefan", "stefi", "fanel", "steve"], ["gheorghe", "ghita", "gica"], ["ion", "ionel", "ionica", "nelu"],
        ["ionut", "nutu"], ["vasile", "vasilica", "sile"], ["constantin", "costel", "costica", "titi", "dinu"], ["dumitru", "mitica", "mitu"],
        ["nicolae", "nicu", "nae", "nicusor"], ["alexandru", "sandu", "alex", "sasha"], ["mihai", "mihaita", "mitica"],
        ["elena", "lena", "ileana", "nela", "elenuta"], ["ioana", "ionela", "oana"], ["maria", "mariana", "marica", "mariuca", "marika", "mariska", "masha", "marusya", "manya"],
        ["florin", "florinel"], ["catalina", "cata"], ["gabriela", "gabi"], ["gabriel", "gabi"], ["daniela", "dani"],
        ["laszlo", "laci", "les"], ["istvan", "pista", "steve"], ["gyorgy", "gyuri"], ["janos", "jani", "jancsi"],
        ["erzsebet", "erzsi", "zsoka"], ["katalin", "kati", "kata"], ["ferenc", "feri"], ["sandor", "sanyi"],
        // Russian, Ukrainian, Belarusian, Bulgarian, Balkan
        ["aleksandr", "aleksander", "oleksandr", "olexandr", "alexandr", "sasha", "sanya", "shura", "sashko", "alex", "olek", "alek"],
        ["aleksei", "alexei", "alexey", "oleksiy", "oleksii", "alyosha", "lyosha"], ["anastasia", "anastasiya", "nastya", "nastia", "stasya", "asya"],
        ["anatoly", "anatolii", "tolya", "tolik"], ["andrei", "andriy", "andrii", "andrey", "andriusha", "andryusha"],
        ["dmitri", "dmitry", "dmytro", "dmitriy", "dima", "mitya"], ["ekaterina", "yekaterina", "kateryna", "katerina", "katya", "katia", "katyusha", "katrusia"],
        ["elena", "yelena", "olena", "lena", "lenochka"], ["evgeny", "yevgeny", "yevhen", "evgeni", "zhenya", "zhenia"],
        ["evgenia", "evgeniya", "yevgenia", "yevgeniya", "yevheniia", "zhenya", "zhenia", "genya"],
        ["irina", "iryna", "ira", "irochka"], ["ivan", "vanya", "vania", "ivanko"], ["lyudmila", "ludmila", "liudmyla", "luda", "lyuda", "mila"],
        ["maria", "mariya", "mariia", "masha", "marusya"], ["mikhail", "mykhailo", "misha", "mishka"], ["natalia", "natalya", "nataliya", "natasha", "nata"],
        ["nikolai", "mykola", "nikolay", "kolya", "kolia"], ["olga", "olya", "olia", "olenka"], ["pavel", "pavlo", "pasha"],
        ["sergei", "sergey", "serhiy", "serhii", "seryozha", "serezha", "sergiy"], ["svetlana", "sveta", "svetik"],
        ["tatiana", "tatyana", "tetiana", "tanya", "tania"], ["vladimir", "volodymyr", "volodya", "vova", "vlad", "vladik"],
        ["yulia", "yuliya", "julia", "yulya", "yulia", "yuliia"], ["yuri", "yurii", "yuriy", "yura", "jurij", "iurie"],
        ["viktor", "victor", "vitya"], ["vasily", "vasyl", "vasya"], ["galina", "halyna", "galya", "halya"], ["oksana", "oksanka", "ksyusha"],
        ["taras", "tarasik"], ["bogdan", "bohdan", "bodya"], ["petr", "pyotr", "petro", "petya"], ["konstantin", "kostya", "kostiantyn"],
        ["nadezhda", "nadiya", "nadia", "nadya"], ["valentina", "valya", "valia"], ["svetozar", "sveto"], ["dragan", "gaga"],
        ["jovana", "joca"], ["milica", "mica"], ["nikola", "nikica", "niko"], ["georgi", "gosho"], ["ivanka", "vanya"],
        // Lithuanian, Latvian
        ["jonas", "jonukas"], ["ruta", "rutele"], ["aleksandras", "aleksas", "alex"], ["arturas", "arturs", "art"],
        // Arabic, Kurdish, Persian, Afghan, Somali, Eritrean common short forms
        ["mohammed", "muhammad", "mohamed", "mohammad", "mo", "moe", "hamudi", "mohd", "muhd", "hamoudi", "hamoodi", "hammoudi"],
        ["abdullah", "abdul", "abdi"], ["abdirahman", "abdi"],
        ["ibrahim", "ibra", "brahim"], ["mustafa", "mustapha", "musti"], ["fatima", "fatma", "fati", "fatoom", "fatoum", "fatooma"], ["khadija", "khadijah", "dija"],
        ["yusuf", "yousef", "yousuf"], ["ahmed", "ahmad"], ["hussein", "husain", "hussain"], ["aisha", "ayesha", "aysha"],
        ["tesfaye", "tesfa"], ["mehmet", "memo"], ["robiel", "robel"],
        // Nigerian (Yoruba, Igbo) and Ghanaian (Akan day names) short forms
        ["olufunmilayo", "funmi", "funmilayo", "funmilola"], ["oluwatobiloba", "tobi", "tobiloba"], ["oluwaseun", "seun", "shola"],
        ["oluwadamilare", "dami", "damilare"], ["adebayo", "bayo"], ["oluwakemi", "kemi"], ["olubunmi", "bunmi"], ["ayodele", "ayo", "dele"],
        ["nkechi", "kechi"], ["chukwuemeka", "emeka"], ["chinonso", "nonso"], ["chidinma", "dinma"],
        ["kwabena", "kobby", "kobina"], ["kwame", "kwamena"], ["kwaku", "kweku"], ["yaw", "yao"],
        // Irish Traveller
        ["cornelius", "connie", "neilus", "con", "conny"], ["honora", "honor", "nonie", "norah", "nora"], ["johanna", "josie", "hanna"],
        
        // Greek, Yiddish and Hebrew, Punjabi
        ["eleni", "elena", "lenio", "elenitsa", "lena", "nitsa"], ["georgios", "giorgos", "yiorgos", "george", "giorgakis"], ["dimitrios", "dimitris", "mitsos", "takis"],
        ["rivka", "rebecca", "rivkele", "rivky"], ["moshe", "moishe", "moishy", "moses"], ["yitzchak", "yitzi", "itzik", "isaac"], ["chaim", "chaimie", "hymie"],
        ["harpreet", "preeto", "preet"], ["gurpreet", "preeto", "gurp", "gurps"], ["manpreet", "preeto", "mannie"], ["jaswinder", "jas", "jassi"],
        ["aaron", "azza"],
    ]

    /// The familiar and full forms of the name `folded`: those of its groups, or, for a name of five
    /// letters or more in no group as written, those of the groups with a form of the same phonetic
    /// skeleton (`Anatoliy` for the listed Anatoly and Anatolii, `Yevgeniya` for Evgenia).
    static func forms(of folded: String) -> Set<String> {
        if let forms = variants[folded] { return forms }
        guard folded.utf8.count >= 5 else { return [] }
        var forms: Set<String> = []
        for skeleton in NameKeys.skeletons(folded) { forms.formUnion(variantsBySkeleton[skeleton] ?? []) }
        forms.remove(folded)
        return forms
    }

    /// For each skeleton of a form of five letters or more, every form of the groups it is in.
    static let variantsBySkeleton: [String: Set<String>] = {
        var map: [String: Set<String>] = [:]
        for group in groups {
            let folded = group.map { TextFolding.fold($0) }
            for name in folded where name.utf8.count >= 5 {
                for skeleton in NameKeys.skeletons(name) { map[skeleton, default: []].formUnion(folded) }
            }
        }
        return map
    }()

    /// For each folded form, every other form of the names it belongs to.
    static let variants: [String: Set<String>] = {
        var map: [String: Set<String>] = [:]
        for group in groups {
            let folded = group.map { TextFolding.fold($0) }
            for name in folded { map[name, default: []].formUnion(folded.filter { $0 != name }) }
        }
        return map
    }()
}
