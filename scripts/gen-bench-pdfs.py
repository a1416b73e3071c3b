#!/usr/bin/env python3
"""Deterministic workload for scripts/bench-redact-peers.sh: multi-page, MIS-style school PDFs
made with ReportLab (every person, number and address is invented).

  gen-bench-pdfs.py OUTDIR [--files 150] [--seed 2023]

writes
  OUTDIR/corpus/NNN-<kind>.pdf   the PDFs (same bytes on every run: rl_config.invariant)
  OUTDIR/targets/NNN-<kind>.json harness targets: terms printed in the file, keep words
  OUTDIR/terms.txt               the one term list used for every file (one a line)
  OUTDIR/manifest.tsv            file, kind, pages

Four kinds, in turn:
  register   canvas, Helvetica 8 pt (standard 14, WinAnsi), 40 pupil rows a page:
             "Surname, First", UPN, date of birth, tutor group, marks, attendance %; 4-14 pages
  behaviour  platypus table of incidents (Paragraph cells, Helvetica), pupils as "First Surname",
             header row repeated; 2-8 pages
  pastoral   platypus prose in Times-Roman: chronology of pastoral notes naming pupils, parents'
             phone numbers and an e-mail address; 1-4 pages
  contacts   canvas, DejaVu Sans embedded as a TrueType subset (names outside Latin-1 such as
             "Łukasz Nowak", "Nguyễn Thị Mai"), pupil and parent contact table; 2-6 pages

The SAR's data subject is Amelia Hartley (a keep word everywhere); the third parties whose data must
go are the eight pupils below (two only in the contacts kind), in both printed forms, with their
UPNs, plus two parents' mobiles and an e-mail address: 27 terms, the same for every file.
"""
import argparse
import json
import os
import random

from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SCHOOL = "Riverside Academy"

SUBJECT = ("Amelia", "Hartley", "A801224466017")
THIRD = [
    ("Jayden", "Okafor", "A123456789012"),
    ("Zoë", "Brennan-Whyte", "A884512093317"),
    ("Siobhán", "O'Neill", "A556120987034"),
    ("Callum", "Reid", "A672093145528"),
    ("Priya", "Sharma", "A309817264450"),
    ("Reuben", "Cohen", "A447120958836"),
]
# Only the contacts kind (DejaVu) can print these; they are terms too.
THIRD_UNICODE = [("Łukasz", "Nowak", "A672093145529"), ("Thị Mai", "Nguyễn", "A309817264451")]
PHONES = ["07700 900819", "07700 900462"]
EMAIL = "dami.okafor@example.net"

FIRST = ["Oliver", "Aisha", "Harry", "Grace", "Mohammed", "Sophie", "Ethan", "Noah", "Isla", "Leo",
         "Freya", "Ruby", "Maya", "Archie", "Evie", "Hannah", "Dylan", "Poppy", "Ibrahim", "Lily",
         "Tomasz", "Alfie", "Chloe", "Daniel", "Ella", "Finley", "Georgia", "Hamza", "Imogen", "Jack",
         "Kiera", "Liam", "Megan", "Nathan", "Olivia", "Patrick", "Rosie", "Samuel", "Tia", "Usman",
         "Violet", "William", "Yasmin", "Zac", "Amber", "Ben", "Cara", "Dev", "Erin", "Felix"]
LAST = ["Bennett", "Rahman", "Whitfield", "Adeyemi", "Iqbal", "Clarke", "Doyle", "Fletcher", "McKenzie",
        "Kowalczyk", "Lindqvist", "Ashworth", "Osei", "Turner", "Sutherland", "Mensah", "Evans",
        "Gallagher", "Hassan", "Fairbairn", "Barker", "Dunmore", "Ferreira", "Grant", "Hughes", "Ingram",
        "Javed", "Kerr", "Lowther", "Marsh", "Nolan", "Oduya", "Price", "Quinn", "Russo", "Stone",
        "Thorne", "Underwood", "Vaughan", "Walsh", "Yates", "Zaman", "Abbott", "Bose", "Carver"]
STAFF = ["Mrs Evans", "Mr Patel", "Ms Hughes", "Mr Clarke", "Miss Begum", "Mr Doyle"]
PLACES = ["Science lab S4", "Canteen", "Tutor room 12", "Field", "Corridor B", "Library", "Sports hall",
          "Bus bay", "Music room M2", "Playground"]
INCIDENTS = [
    "Knocked a beaker off the bench; glass cleared by the technician.",
    "Argument over seating escalated to pushing. Both calmed quickly.",
    "Late to registration without a note.",
    "Refused to return the football at the end of PE.",
    "Running in the corridor; apologised to the cleaner.",
    "Eating in the library; moved to the canteen.",
    "Phone out in the lesson; handed in to reception until 3pm.",
    "Homework not handed in for the third week running.",
]
ACTIONS = ["Verbal warning", "Lunch detention", "Late mark", "Phone call home", "Reminder", "Report card"]


def sortname(first, last):
    return f"{last}, {first}"


def full(first, last):
    return f"{last} {first}" if last == "Nguyễn" else f"{first} {last}"


def terms():
    out = []
    for f, l, upn in THIRD + THIRD_UNICODE:
        out += [full(f, l), sortname(f, l), upn]
    return out + PHONES + [EMAIL]


def upn(rng):
    return "A" + "".join(str(rng.randrange(10)) for _ in range(12))


def cohort(rng, n=90):
    """n pupils: the subject, the third parties, and invented others (first, last, upn)."""
    seen = set()
    pupils = [SUBJECT] + THIRD
    while len(pupils) < n:
        f, l = rng.choice(FIRST), rng.choice(LAST)
        if (f, l) not in seen:
            seen.add((f, l))
            pupils.append((f, l, upn(rng)))
    return pupils


class Used:
    """Which terms and keep words a file really prints (for the harness targets)."""

    def __init__(self):
        self.all_terms = terms()
        self.redact = []
        self.keep = []

    def text(self, s):
        for t in self.all_terms:
            if t in s and t not in self.redact:
                self.redact.append(t)
        return s

    def keep_word(self, s):
        if s not in self.keep:
            self.keep.append(s)
        return s


def register(path, rng, pages, u):
    pupils = sorted(cohort(rng), key=lambda p: (p[1].replace("'", ""), p[0]))
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setTitle("Attendance register")
    c.setAuthor("MIS export")
    w, h = A4
    x0 = 16 * mm
    cols = [("Pupil", 0), ("UPN", 52 * mm), ("DOB", 82 * mm), ("Reg", 101 * mm), ("Marks (Mon-Fri)", 113 * mm),
            ("Sessions", 150 * mm), ("Att. %", 166 * mm)]
    row_h = 17.5
    for p in range(pages):
        y = h - 18 * mm
        c.setFont("Helvetica-Bold", 13)
        c.drawString(x0, y, f"{SCHOOL} — Attendance register, Year 8")
        c.setFont("Helvetica", 8)
        c.drawString(x0, y - 12, u.keep_word("Week beginning") + f" {1 + p % 28:02d}/09/2023 · exported from the MIS")
        y -= 34
        c.setFillColor(colors.Color(0.85, 0.88, 0.95))
        c.rect(x0 - 2, y - 4, w - 2 * x0 + 4, 14, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 8)
        for label, dx in cols:
            c.drawString(x0 + dx, y, label)
        c.setFont("Helvetica", 8)
        c.setStrokeColor(colors.grey)
        c.setLineWidth(0.4)
        for i in range(40):
            f, l, up = pupils[(p * 40 + i * 7) % len(pupils)]
            y -= row_h
            name = sortname(f, l)
            if (f, l) == SUBJECT[:2]:
                u.keep_word(name)
            c.drawString(x0, y, u.text(name))
            c.drawString(x0 + cols[1][1], y, u.text(up))
            c.drawString(x0 + cols[2][1], y, f"{rng.randrange(1, 29):02d}/{rng.randrange(1, 13):02d}/2011")
            c.drawString(x0 + cols[3][1], y, "8" + rng.choice(["RH", "KB", "TS"]))
            c.drawString(x0 + cols[4][1], y, " ".join(rng.choice(["/\\", "/\\", "/\\", "LN", "M/", "/O"])
                                                       for _ in range(5)))
            present = rng.randrange(120, 161)
            c.drawString(x0 + cols[5][1], y, f"{present}/160")
            c.drawString(x0 + cols[6][1], y, f"{present / 1.6:.1f}")
            c.line(x0 - 2, y - 5, w - x0 + 2, y - 5)
        c.setFont("Helvetica", 7)
        c.drawString(x0, 12 * mm, f"OFFICIAL-SENSITIVE · page {p + 1} of {pages}")
        c.showPage()
    c.save()
    return pages


def _doc(path, title):
    return SimpleDocTemplate(path, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=16 * mm,
                             bottomMargin=16 * mm, title=title, author="MIS export")


def behaviour(path, rng, pages, u):
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=9.5)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=8, leading=9.5)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=17)
    pupils = cohort(rng, 40)
    rows = [["Date", "Time", "Pupils involved", "Location", "Incident", "Action", "Staff"]]
    for _ in range(pages * 22):
        who = rng.sample(pupils, rng.choice([1, 1, 2]))
        names = ", ".join(full(f, l) for f, l, _ in who)
        for f, l, _ in who:
            if (f, l) == SUBJECT[:2]:
                u.keep_word(full(f, l))
        rows.append([f"{rng.randrange(1, 29):02d}/{rng.randrange(9, 13):02d}/2023",
                     f"{rng.randrange(8, 16):02d}:{rng.randrange(60):02d}", u.text(names), rng.choice(PLACES),
                     rng.choice(INCIDENTS), rng.choice(ACTIONS), rng.choice(STAFF)])
    data = [[Paragraph(c, head if i == 0 else cell) for c in r] for i, r in enumerate(rows)]
    widths = [18 * mm, 10 * mm, 44 * mm, 22 * mm, 48 * mm, 21 * mm, 15 * mm]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.88, 0.95)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    story = [Paragraph(f"{SCHOOL} — Behaviour incident log", title), Spacer(1, 2 * mm),
             Paragraph("Tutor group 8RH · Autumn term 2023 · " + u.keep_word("exported from the MIS"), body),
             Spacer(1, 4 * mm), t]
    doc = _doc(path, "Behaviour incident log")
    doc.build(story)
    return doc.page


def pastoral(path, rng, pages, u):
    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14, spaceAfter=6)
    h = ParagraphStyle("h", fontName="Times-Bold", fontSize=12, leading=15, spaceBefore=6)
    title = ParagraphStyle("title", fontName="Times-Bold", fontSize=16, leading=20)
    pupils = cohort(rng, 30)
    story = [Paragraph(f"{SCHOOL} — Pastoral chronology", title),
             Paragraph(f"Subject: {full(*SUBJECT[:2])}, Year 8 (8RH). " + u.keep_word("Prepared for the DSL"), body)]
    u.keep_word(full(*SUBJECT[:2]))
    for k in range(pages * 9):
        a, b = rng.sample(pupils[1:], 2)
        staff = rng.choice(STAFF)
        phone = rng.choice(PHONES)
        txt = rng.choice([
            f"{full(*SUBJECT[:2])} reported that {full(a[0], a[1])} had taken her bag at break. {staff} spoke to "
            f"both pupils; {full(a[0], a[1])} apologised and the bag was returned.",
            f"Parent rang on {phone} to say that {full(a[0], a[1])} and {full(b[0], b[1])} have been sending "
            f"messages in the evening. Logged and passed to the Head of Year.",
            f"Seating plan reviewed with {staff}: {full(*SUBJECT[:2])} now sits away from {full(a[0], a[1])} "
            f"in Maths and Science. Follow-up e-mail to {EMAIL} sent.",
            f"Check-in: {full(*SUBJECT[:2])} says things are better this week. Lunchtime club with "
            f"{full(b[0], b[1])} is going well.",
        ])
        story.append(Paragraph(f"{rng.randrange(1, 29):02d}/{rng.randrange(9, 13):02d}/2023 — entry {k + 1}", h))
        story.append(Paragraph(u.text(txt), body))
    doc = _doc(path, "Pastoral chronology")
    doc.build(story)
    return doc.page


def contacts(path, rng, pages, u):
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
    pupils = cohort(rng, 60) + THIRD_UNICODE
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setTitle("Pupil contacts")
    c.setAuthor("MIS export")
    w, hgt = A4
    x0 = 16 * mm
    for p in range(pages):
        y = hgt - 18 * mm
        c.setFont("Helvetica-Bold", 13)
        c.drawString(x0, y, f"{SCHOOL} — Pupil contacts")
        c.setFont("DejaVuSans", 8)
        c.drawString(x0, y - 12, u.keep_word("Priority contacts") + " as held on 02/10/2023")
        y -= 34
        c.setFont("Helvetica-Bold", 8)
        for label, dx in [("Pupil", 0), ("UPN", 45 * mm), ("Contact", 75 * mm), ("Mobile", 115 * mm),
                          ("Relationship", 145 * mm)]:
            c.drawString(x0 + dx, y, label)
        c.setFont("DejaVuSans", 8.5)
        for i in range(34):
            f, l, up = pupils[(p * 34 + i * 5) % len(pupils)]
            if (f, l) == SUBJECT[:2]:
                u.keep_word(full(f, l))
            y -= 20
            parent = f"{rng.choice(['Mrs', 'Mr', 'Ms', 'Dr'])} {l}"
            mobile = rng.choice(PHONES) if (f, l, up) in THIRD + THIRD_UNICODE else f"07700 900{rng.randrange(100, 999)}"
            c.drawString(x0, y, u.text(full(f, l)))
            c.drawString(x0 + 45 * mm, y, u.text(up))
            c.drawString(x0 + 75 * mm, y, parent)
            c.drawString(x0 + 115 * mm, y, u.text(mobile))
            c.drawString(x0 + 145 * mm, y, rng.choice(["Mother", "Father", "Carer", "Grandparent"]))
        c.setFont("Helvetica", 7)
        c.drawString(x0, 12 * mm, f"OFFICIAL-SENSITIVE · page {p + 1} of {pages}")
        c.showPage()
    c.save()
    return pages


KINDS = [("register", register, (4, 14)), ("behaviour", behaviour, (2, 8)), ("pastoral", pastoral, (1, 4)),
         ("contacts", contacts, (2, 6))]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir")
    ap.add_argument("--files", type=int, default=150)
    ap.add_argument("--seed", type=int, default=2023)
    a = ap.parse_args()
    corpus, targets = os.path.join(a.outdir, "corpus"), os.path.join(a.outdir, "targets")
    os.makedirs(corpus, exist_ok=True)
    os.makedirs(targets, exist_ok=True)
    with open(os.path.join(a.outdir, "terms.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(terms()) + "\n")
    manifest = []
    for i in range(a.files):
        kind, make, (lo, hi) = KINDS[i % len(KINDS)]
        rng = random.Random(a.seed * 1000 + i)
        name = f"{i:03d}-{kind}.pdf"
        u = Used()
        pages = make(os.path.join(corpus, name), rng, rng.randint(lo, hi), u)
        manifest.append((name, kind, pages))
        with open(os.path.join(targets, name[:-4] + ".json"), "w", encoding="utf-8") as f:
            json.dump({"pages": pages, "redact": u.redact, "keep": u.keep, "where": {}}, f, ensure_ascii=False,
                      indent=1)
    with open(os.path.join(a.outdir, "manifest.tsv"), "w", encoding="utf-8") as f:
        f.write("file\tkind\tpages\n")
        f.writelines(f"{n}\t{k}\t{p}\n" for n, k, p in manifest)


if __name__ == "__main__":
    main()
