"""Static vocabulary the simulated site draws its petitions, people and places from."""

from __future__ import annotations

# code -> (name, acronyms of the departments that answer, actions). Actions stay under 80 characters.
TOPICS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "education": (
        "Education",
        ("DfE",),
        (
            "Make swimming lessons free for every primary school child in England",
            "Fund free school meals for every child in primary school",
            "Cap the cost of school uniforms at £50 per child",
            "Scrap SATs tests for Year 6 pupils",
            "Provide a qualified librarian in every secondary school",
            "Reduce maximum class sizes in primary schools to 25",
        ),
    ),
    "health": (
        "Health and social care",
        ("DHSC",),
        (
            "Fund A&E departments to end corridor care by 2027",
            "Make prescriptions free for people with long-term conditions in England",
            "Give every adult a free NHS dental check-up each year",
            "Introduce a legal limit on GP appointment waiting times",
            "Fund specialist care for people with ME/CFS",
            "Make Lyme disease testing available on the NHS",
        ),
    ),
    "environment": (
        "Environment",
        ("Defra",),
        (
            "Ban sewage discharges into rivers and seas by 2030",
            "Hold a public inquiry into the cost of water company bills",
            "Ban the sale of peat compost to gardeners",
            "Protect hedgerows in law and fund their restoration",
            "Introduce a legal right to repair for household electrical goods",
            "Ban disposable vapes to reduce litter and plastic waste",
        ),
    ),
    "transport": (
        "Transport",
        ("DfT",),
        (
            "Freeze rail fares for commuters for the next three years",
            "Make bus travel free for everyone under 22",
            "Require all new cars to have a physical volume knob",
            "Reduce the speed limit on single-carriageway rural roads to 50mph",
            "Reopen closed railway lines to connect market towns",
        ),
    ),
    "housing": (
        "Housing",
        ("MHCLG",),
        (
            "Cap annual rent increases for private tenants at inflation",
            "Ban no-fault evictions immediately",
            "Abolish leasehold for all new and existing flats",
            "Require all new homes to be fitted with solar panels",
        ),
    ),
    "economy": (
        "Economy and tax",
        ("HMT",),
        (
            "Raise the personal tax allowance to £20,000",
            "Remove VAT from sun cream and other skin cancer protection",
            "Scrap the two-child limit on Universal Credit and tax credits",
            "Introduce a windfall tax on energy company profits",
        ),
    ),
    "home-affairs": (
        "Home affairs",
        ("HO",),
        (
            "Make it a criminal offence to steal a pet dog or cat",
            "Require licences for the sale of fireworks to the public",
            "Increase the number of police officers on foot patrol",
            "Ban the sale of knives online to anyone under 21",
        ),
    ),
    "immigration": (
        "Immigration",
        ("HO",),
        (
            "Lower the minimum income requirement for family visas",
            "Allow asylum seekers to work after three months",
            "Reduce the fees for settlement and citizenship applications",
        ),
    ),
    "culture-media-and-sport": (
        "Culture, media and sport",
        ("DCMS",),
        (
            "Abolish the BBC licence fee and fund the BBC by subscription",
            "Make the FA Cup final free to air on terrestrial television",
            "Protect grassroots music venues from closure",
        ),
    ),
    "welfare": (
        "Welfare and pensions",
        ("DWP",),
        (
            "Restore the Winter Fuel Payment to all pensioners",
            "Compensate women born in the 1950s for State Pension age changes",
            "Increase Carer's Allowance to the level of the National Living Wage",
            "End the five-week wait for a first Universal Credit payment",
        ),
    ),
    "justice": (
        "Justice",
        ("MoJ",),
        (
            "Give victims of crime the right to attend parole hearings",
            "Make coercive control of children a criminal offence",
            "Restore legal aid for family court cases",
        ),
    ),
    "defence": (
        "Defence and foreign affairs",
        ("MOD", "FCDO"),
        (
            "Give veterans free travel on public transport",
            "Increase defence spending to 3% of GDP",
            "Grant a medal to everyone who served in nuclear tests",
        ),
    ),
    "business-and-trade": (
        "Business and trade",
        ("DBT",),
        (
            "Ban fire and rehire practices by employers",
            "Make tipping rules require all tips to go to staff",
            "Give workers a right to switch off outside working hours",
        ),
    ),
    "animals": (
        "Animals",
        ("Defra",),
        (
            "Ban the use of snares and glue traps in England",
            "Ban the import of hunting trophies into the UK",
            "Make microchipping compulsory for all pet cats",
            "End the badger cull in England",
        ),
    ),
}

DEPARTMENTS: dict[str, tuple[str, str]] = {
    "DfE": ("Department for Education", "department-for-education"),
    "DHSC": ("Department of Health and Social Care", "department-of-health-and-social-care"),
    "Defra": (
        "Department for Environment, Food and Rural Affairs",
        "department-for-environment-food-rural-affairs",
    ),
    "DfT": ("Department for Transport", "department-for-transport"),
    "MHCLG": (
        "Ministry of Housing, Communities and Local Government",
        "ministry-of-housing-communities-local-government",
    ),
    "HMT": ("HM Treasury", "hm-treasury"),
    "HO": ("Home Office", "home-office"),
    "DCMS": ("Department for Culture, Media and Sport", "department-for-culture-media-and-sport"),
    "DWP": ("Department for Work and Pensions", "department-for-work-pensions"),
    "MoJ": ("Ministry of Justice", "ministry-of-justice"),
    "MOD": ("Ministry of Defence", "ministry-of-defence"),
    "FCDO": (
        "Foreign, Commonwealth & Development Office",
        "foreign-commonwealth-development-office",
    ),
    "DBT": ("Department for Business and Trade", "department-for-business-and-trade"),
}

BACKGROUND_OPENERS = (
    "Families across the country are struggling with this and nothing has changed for years.",
    "Too many people are being let down by a system that has not kept up with their needs.",
    "Costs have risen sharply while support has stayed the same or fallen.",
    "Experts, charities and campaigners have warned about this problem for a long time.",
    "Other countries in Europe have already made this change with clear benefits.",
)
BACKGROUND_CLOSERS = (
    "We believe the Government must act now before more harm is done.",
    "A simple change in the law would make a real difference to millions of people.",
    "This would save money in the long run and improve lives.",
    "It is unfair that where you live decides whether you get help.",
)
DETAILS = (
    "",
    "",
    "Independent research shows that acting early costs far less than dealing with the "
    "consequences later.\r\n\r\nWe want a clear timetable, published within a year.",
    "Local councils say they cannot fund this on their own. We want ring-fenced money from central "
    "government, reviewed every year, and a report to Parliament on progress.",
    "Many people who contacted us said they had given up asking for help. Café owners, nurses, "
    "teachers and carers all told the same story.",
)

FIRST_NAMES = (
    "Ann", "Hannah", "Daniel", "Priya", "Tom", "Aisha", "Gareth", "Siobhán", "Owen", "Fatima",
    "James", "Chloe", "Ravi", "Megan", "Callum", "Zara", "Eilidh", "Liam", "Grace", "Kwame",
)
LAST_NAMES = (
    "Example", "Okafor", "Pryce", "Patel", "Hughes", "Khan", "Morgan", "Murphy", "Evans", "Begum",
    "Smith", "Campbell", "Sharma", "Jones", "Fraser", "Ahmed", "MacLeod", "O'Neill", "Taylor", "Mensah",
)
# Endings that make a drawn action one of many similar petitions rather than the same one again
# (the real site has many near-duplicates, few exact ones). Skipped when the action already says it.
ACTION_ENDINGS = (
    "", "", "", " across the UK", " in England", " in Scotland", " in Wales", " in Northern Ireland",
    " without delay",
)

MP_TITLES = ("", "", "", "", "Dr ", "Rt Hon ", "Ms ", "Mr ", "Sir ", "Dame ")
PARTIES = (
    ("Labour", 62), ("Conservative", 19), ("Liberal Democrat", 11), ("Scottish National Party", 2),
    ("Reform UK", 1), ("Green Party", 1), ("Plaid Cymru", 1), ("Independent", 2),
    ("Sinn Féin", 1),
)

# (name, code, relative share of the non-UK signatures). BAT is real data's non-ISO code.
COUNTRIES: tuple[tuple[str, str, float], ...] = (
    ("Australia", "AU", 9), ("Canada", "CA", 6), ("France", "FR", 8), ("Germany", "DE", 6),
    ("Ireland", "IE", 7), ("Spain", "ES", 9), ("United States", "US", 10), ("Netherlands", "NL", 3),
    ("New Zealand", "NZ", 3), ("Portugal", "PT", 3), ("Italy", "IT", 3), ("Jersey", "JE", 2),
    ("Guernsey", "GG", 1.5), ("Isle of Man", "IM", 1.5), ("Gibraltar", "GI", 1), ("Cyprus", "CY", 1),
    ("United Arab Emirates", "AE", 2), ("India", "IN", 1.5), ("Switzerland", "CH", 1),
    ("Sweden", "SE", 1), ("Belgium", "BE", 1), ("Poland", "PL", 1), ("Hong Kong", "HK", 1),
    ("South Africa", "ZA", 1), ("Thailand", "TH", 0.5), ("British Antarctic Territory", "BAT", 0.05),
)

# Hex map region codes (ONS) -> the single-letter OnsAreaId the API uses, and its display name.
REGIONS: dict[str, tuple[str, str]] = {
    "E12000001": ("A", "North East"),
    "E12000002": ("B", "North West"),
    "E12000003": ("D", "Yorkshire and The Humber"),
    "E12000004": ("E", "East Midlands"),
    "E12000005": ("F", "West Midlands"),
    "E12000006": ("G", "East of England"),
    "E12000007": ("H", "London"),
    "E12000008": ("J", "South East"),
    "E12000009": ("K", "South West"),
    "W92000004": ("L", "Wales"),
    "S92000003": ("M", "Scotland"),
    "N92000002": ("N", "Northern Ireland"),
}

# Seats per region in 2024, for the synthetic map used when no hex map is given (sums to 650).
SEATS_PER_REGION = {
    "A": 27, "B": 73, "D": 54, "E": 47, "F": 57, "G": 61, "H": 75, "J": 91, "K": 58,
    "L": 32, "M": 57, "N": 18,
}
PLACE_STEMS = (
    "Ash", "Brook", "Castle", "Dun", "Elm", "Fair", "Glen", "Hart", "Ives", "King", "Lang", "Mill",
    "Nor", "Oak", "Pen", "Queens", "Ros", "Stan", "Thorn", "Upper", "Wick", "York",
)
PLACE_SUFFIXES = ("ford", "ton", "bury", "field", "ley", "wood", "minster", "bridge", "mouth", "ham")

REJECTIONS: tuple[tuple[str, str | None], ...] = (
    ("duplicate", "There's already a petition about this issue. We cannot accept a new petition "
     "when we already have one about a very similar issue."),
    ("irrelevant", "It's about something that the UK Government or Parliament is not directly "
     "responsible for."),
    ("no-action", "It did not have a clear statement explaining what action you want the UK "
     "Government or Parliament to take."),
    ("honours", "It's about honours or appointments."),
    ("already-happening", "The Government is already doing this."),
    ("fake-name", None),
    ("local", "It's about a local issue. You may want to contact your local council."),
)

SUMMARIES = (
    "The Government has no plans to change the law. Existing measures already support people "
    "affected, and we keep them under review.",
    "The Government agrees this matters and will consult on proposals later this year.",
    "We recognise the strength of feeling. Funding has been increased and we will publish a plan "
    "next year.",
)
