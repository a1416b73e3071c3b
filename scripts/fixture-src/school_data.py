"""Shared invented data for the producer fixtures. Every person, number and address is fake
(UK phone numbers from Ofcom's drama range 07700 900xxx, postcode of a public building)."""

import random

SCHOOL = "Riverside Academy"

# The data subject of the SAR (their own data is disclosed, so it is a *keep* word) ...
SUBJECT = ("Amelia", "Hartley", "A801224466017")
# ... and the third-party pupils whose names must be redacted.
THIRD_PARTY = [
    ("Jayden", "Okafor", "A123456789012"),
    ("Zoë", "Brennan-Whyte", "A884512093317"),
    ("Siobhán", "O'Neill", "A556120987034"),
    ("Łukasz", "Nowak", "A672093145528"),
    ("Thị Mai", "Nguyễn", "A309817264450"),   # Vietnamese order: family name first when printed in full
]

OTHERS = [
    ("Oliver", "Bennett"), ("Aisha", "Rahman"), ("Harry", "Whitfield"), ("Grace", "Adeyemi"),
    ("Mohammed", "Iqbal"), ("Sophie", "Clarke"), ("Ethan", "Doyle"), ("Priya", "Sharma"),
    ("Noah", "Fletcher"), ("Isla", "McKenzie"), ("Leo", "Kowalczyk"), ("Freya", "Lindqvist"),
    ("Ruby", "Ashworth"), ("Callum", "Reid"), ("Maya", "Osei"), ("Archie", "Turner"),
    ("Evie", "Sutherland"), ("Reuben", "Cohen"), ("Hannah", "Mensah"), ("Dylan", "Evans"),
    ("Poppy", "Gallagher"), ("Ibrahim", "Hassan"), ("Lily", "Fairbairn"), ("Tomasz", "Zieliński"),
]

MORE = [
    ("Alfie", "Barker"), ("Chloe", "Dunmore"), ("Daniel", "Ferreira"), ("Ella", "Grant"),
    ("Finley", "Hughes"), ("Georgia", "Ingram"), ("Hamza", "Javed"), ("Imogen", "Kerr"),
    ("Jack", "Lowther"), ("Kiera", "Marsh"), ("Liam", "Nolan"), ("Megan", "Oduya"),
    ("Nathan", "Price"), ("Olivia", "Quinn"), ("Patrick", "Russo"), ("Rosie", "Stone"),
    ("Samuel", "Thorne"), ("Tia", "Underwood"), ("Usman", "Vaughan"), ("Violet", "Walsh"),
    ("William", "Yates"), ("Yasmin", "Zaman"), ("Zac", "Abbott"), ("Amber", "Bose"),
    ("Ben", "Carver"), ("Cara", "Dlamini"), ("Dev", "Eastwood"), ("Erin", "Foley"),
    ("Felix", "Greaves"), ("Gemma", "Hollis"),
]


def full(first, last):
    """Name as printed in prose: 'Jayden Okafor', but 'Nguyễn Thị Mai' (family name first)."""
    return f"{last} {first}" if last == "Nguyễn" else f"{first} {last}"


def sortname(first, last):
    """Name as an MIS register prints it: 'Okafor, Jayden'."""
    return f"{last}, {first}"


def fake_upn(rng):
    return "A" + "".join(str(rng.randrange(10)) for _ in range(12))


def tutor_group(seed=8):
    """30 pupils of tutor group 8RH in register (surname) order: (first, last, upn)."""
    rng = random.Random(seed)
    pupils = [SUBJECT] + THIRD_PARTY + [(f, l, fake_upn(rng)) for f, l in OTHERS]
    return sorted(pupils, key=lambda p: (p[1].replace("'", ""), p[0]))
