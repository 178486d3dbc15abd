"""Pools of invented names, places and phrases for the demo data.

Forenames are ordinary; every surname is a whimsical compound that no real family carries, so a
demo record can never be mistaken for a real person. Places, forces and courts are invented too.
"""

from __future__ import annotations

MALE_FORENAMES = (
    "Adrian", "Alan", "Albert", "Alistair", "Andrew", "Anthony", "Arthur", "Barry", "Ben",
    "Bernard", "Brian", "Carl", "Christopher", "Clive", "Colin", "Craig", "Daniel", "Darren",
    "David", "Dean", "Dennis", "Derek", "Dominic", "Douglas", "Duncan", "Edward", "Eric",
    "Francis", "Frank", "Gareth", "Gary", "Geoffrey", "George", "Gordon", "Graham", "Harold",
    "Henry", "Ian", "Jack", "James", "Jason", "Jeffrey", "John", "Jonathan", "Joseph", "Keith",
    "Kenneth", "Kevin", "Lee", "Leonard", "Liam", "Malcolm", "Mark", "Martin", "Matthew",
    "Michael", "Neil", "Nicholas", "Nigel", "Norman", "Oliver", "Patrick", "Paul", "Peter",
    "Philip", "Raymond", "Richard", "Robert", "Roger", "Ronald", "Russell", "Samuel", "Scott",
    "Simon", "Stanley", "Stephen", "Stuart", "Terence", "Thomas", "Timothy", "Trevor", "Victor",
    "Wayne", "William",
)

FEMALE_FORENAMES = (
    "Alison", "Amanda", "Angela", "Anne", "Barbara", "Beverley", "Carol", "Caroline",
    "Catherine", "Charlotte", "Claire", "Deborah", "Diane", "Donna", "Elaine", "Eleanor", "Emma",
    "Fiona", "Gemma", "Gillian", "Hannah", "Helen", "Jacqueline", "Jane", "Janet", "Jennifer",
    "Joanne", "Julie", "Karen", "Kate", "Laura", "Linda", "Lisa", "Louise", "Lucy", "Margaret",
    "Maria", "Michelle", "Natalie", "Nicola", "Patricia", "Rachel", "Rebecca", "Ruth", "Sandra",
    "Sarah", "Sharon", "Sophie", "Susan", "Tracey", "Valerie", "Wendy", "Yvonne",
)

CHILD_FORENAMES = (
    "Alfie", "Amelia", "Archie", "Ava", "Charlie", "Chloe", "Daisy", "Ella", "Evie", "Finley",
    "Freddie", "Freya", "Grace", "Harry", "Isla", "Ivy", "Jacob", "Leo", "Lily", "Logan", "Max",
    "Mia", "Noah", "Ollie", "Oscar", "Poppy", "Rosie", "Ruby", "Theo", "Willow",
)

_SURNAME_HEADS = (
    "Quill", "Bramble", "Copper", "Thistle", "Marrow", "Nettle", "Dapple", "Fennel", "Sorrel",
    "Tansy", "Puddle", "Pebble", "Crumble", "Tumble", "Fiddle", "Muddle", "Tinker", "Trundle",
    "Cobble", "Button", "Kettle", "Pickle", "Wimble", "Fuddle", "Larch", "Teasel", "Burdock",
    "Bumble", "Gorse", "Bilberry", "Moss", "Thimble",
)
_SURNAME_TAILS = (
    "feather", "wick", "kettle", "whistle", "thimble", "button", "lantern", "bellow", "pocket",
    "candle", "bristle", "ladle", "spindle", "quaver", "muffle", "sprocket", "bucket", "bonnet",
    "trumpet", "marble", "thatch", "crumb", "spoon", "hopper", "whisker", "stitch",
)

SURNAMES = tuple(
    head + tail for head in _SURNAME_HEADS for tail in _SURNAME_TAILS if head.lower() != tail
)

TEAMS = (
    # name, area, postcode districts, towns
    ("Alder", "North Quillshire District", (1, 2), ("Quillhaven", "Bramblemere", "Thimble Cross")),
    ("Birch", "Marrowdale District", (3, 4), ("Marrowdale", "Puddlestoke Magna", "Kettlewhistle")),
    ("Cedar", "Fiddlesea Coast District", (5, 6), ("Fiddlesea", "Dapplemouth", "Crumble Bay")),
    ("Damson", "Nettle Vale District", (7, 8, 9), ("Nettlewick", "Sorrelcombe", "Tansy Hollow")),
)

STREET_ROOTS = (
    "Quaver", "Lantern", "Spindle", "Button", "Ladle", "Candle", "Thimble", "Pocket", "Marble",
    "Bonnet", "Teasel", "Sorrel", "Gorse", "Larch", "Bilberry", "Fennel", "Tansy", "Burdock",
    "Wimble", "Muffle", "Trundle", "Hopper", "Bristle", "Stitch", "Kipper", "Crumpet", "Teapot",
    "Biscuit", "Puddle", "Cobble",
)
STREET_KINDS = (
    "Lane", "Road", "Close", "Street", "Way", "Gardens", "Crescent", "Row", "Walk", "Terrace",
    "Mews", "Drive",
)
BUILDINGS = ("House", "Court", "Lodge", "Mansions", "Buildings")

# Letters a UK inward code may use (not C, I, K, M, O or V).
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

OTHER_FORCES = (
    "Mistmoor Constabulary", "Greyhollow Police", "Eastmarsh Constabulary", "Westfen Police",
    "Hollowmere Constabulary", "Rookford Police",
)

DESTINATIONS = (
    "Spain", "France", "Portugal", "Poland", "Ireland", "Netherlands", "Greece", "Romania",
    "Italy", "Germany", "Turkey", "Cyprus", "Thailand", "Philippines", "India", "Pakistan",
    "Jamaica", "United States",
)

OFFENCES = (
    "Sexual assault (s3 Sexual Offences Act 2003)",
    "Rape (s1 Sexual Offences Act 2003)",
    "Sexual activity with a child (s9 Sexual Offences Act 2003)",
    "Causing a child to watch a sexual act (s12 Sexual Offences Act 2003)",
    "Meeting a child following sexual grooming (s15 Sexual Offences Act 2003)",
    "Sexual communication with a child (s15A Sexual Offences Act 2003)",
    "Exposure (s66 Sexual Offences Act 2003)",
    "Voyeurism (s67 Sexual Offences Act 2003)",
    "Making indecent photographs of a child (s1 Protection of Children Act 1978)",
    "Possession of indecent photographs of a child (s160 Criminal Justice Act 1988)",
    "Sexual assault of a child under 13 (s7 Sexual Offences Act 2003)",
)
LATER_OFFENCES = (
    "Failing to comply with notification requirements (s91 Sexual Offences Act 2003)",
    "Breach of a sexual harm prevention order (s103I Sexual Offences Act 2003)",
)

AGENCIES = (
    "Probation", "Children's social care", "Housing provider", "Treatment provider",
    "Approved premises", "MAPPA coordinator", "Community mental health team",
    "Substance misuse service",
)

RELATIONS_ADULT = ("partner", "mother", "father", "brother", "sister", "lodger", "friend")
RELATIONS_CHILD = ("child of partner", "stepchild", "grandchild", "niece", "nephew", "son",
                   "daughter")

# Where each ARMS factor is usually answered in a plan, and a typical action for it.
FACTOR_ACTIONS = {
    "sexual_preoccupation": (
        "interventions_treatment", "Complete sexual preoccupation work with the treatment provider"
    ),
    "offence_related_sexual_interest": (
        "monitoring_control", "Examine devices at each visit under the order's device conditions"
    ),
    "emotional_congruence_with_children": (
        "victim_safety", "No unsupervised contact with children; check household at each visit"
    ),
    "hostile_orientation": (
        "interventions_treatment", "Attend attitudes and relationships sessions with probation"
    ),
    "poor_self_management": (
        "supervision", "Weekly supervision focused on problem solving and routine"
    ),
    "negative_social_influences": (
        "monitoring_control", "Check associates at visits; intelligence checks each month"
    ),
    "access_to_potential_victims": (
        "victim_safety", "Exclusion zone around the named school; victim liaison kept informed"
    ),
}

PILLAR_ACTIONS = {
    "supervision": (
        "Unannounced double-crewed home visits at the risk cadence",
        "Probation supervision appointments as the order sets",
        "Review notification compliance at every visit",
    ),
    "monitoring_control": (
        "Police national computer and intelligence checks each quarter",
        "Check internet use and devices at visits",
        "Vehicle marker kept current on the registered vehicle",
    ),
    "interventions_treatment": (
        "Referral to an accredited programme",
        "Support engagement with the GP and mental health services",
        "Employment and training support through probation",
    ),
    "victim_safety": (
        "Victim contact scheme told of address and release plans",
        "Share household information with children's social care",
        "Safety planning with the named partner",
    ),
}

EVIDENCE_PRESENT = (
    "Seen at interview; corroborated by probation.",
    "Disclosed to the treatment provider.",
    "Found at device examination.",
    "Observed on a home visit.",
    "Reported by the partner.",
    "Recorded in the pre-sentence report.",
)
EVIDENCE_ABSENT = (
    "No current indicators.",
    "Not evident at interview or from partner agencies.",
    "No concerns raised by agencies.",
)
EVIDENCE_PROTECTIVE = (
    "Stable work and settled housing.",
    "Supportive family contact.",
    "Engaged with treatment and open at visits.",
    "Volunteering weekly.",
)

HOME_CIRCUMSTANCES = (
    "Home tidy; no change in household. Spoke about work and routine.",
    "Accommodation unchanged. Devices checked, nothing of concern.",
    "Offender calm and cooperative; discussed upcoming appointments.",
    "New furniture; says a friend helped. No visitors present.",
    "Home untidy; reports low mood. GP appointment booked.",
    "Partner present; household as recorded. Discussed boundaries.",
    "Working nights; visit short. No concerns seen.",
)
CONTINGENCIES = (
    "If notification is missed or whereabouts unknown: intelligence checks, visit the same day, "
    "circulate as wanted if not found within 24 hours.",
    "If contact with children is reported: joint visit with children's social care within "
    "24 hours and review the plan.",
    "On breach of order conditions: arrest and report to the MAPPA coordinator.",
)
LICENCE_CONDITIONS = (
    "Sexual harm prevention order: no unsupervised contact with under-18s; devices open to "
    "inspection.",
    "Licence: reside at the approved address; curfew 21:00-07:00; no contact with the victim.",
    "Notification requirements only; no order in force.",
    "Sexual harm prevention order: exclusion zone around the victim's home town.",
)
PPN_CONCERNS = (
    "Child present during the visit; offender's contact with the child not known to social care.",
    "Partner's children now staying overnight at the address.",
    "Offender reports babysitting a neighbour's child.",
    "Child's belongings found in the spare room; explanation vague.",
)
SOCIAL_CARE_DECISIONS = (
    "Strategy discussion held; child protection enquiry started.",
    "Single assessment opened; safety plan agreed with the mother.",
    "No further action: contact already supervised and known.",
    "Early help offered to the family.",
)
MASH_OUTCOMES = (
    "Referred to children's social care.",
    "Shared with the school's safeguarding lead and children's social care.",
)
