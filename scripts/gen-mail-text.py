#!/usr/bin/env python3
"""Deterministic mail-like text corpus and roster terms for the matcher benchmark.

    scripts/gen-mail-text.py OUTDIR [--mb 200] [--names 5000] [--seed 4]

Writes
  OUTDIR/text/NNNNNN.txt   one item per file, in the form `disclose ingest` writes to text/:
                           for mail the header block (From/To/Cc/Date/Subject/Attachments), a blank
                           line, then the body; about one file in eight is a document (no headers)
  OUTDIR/terms.txt         NAMES roster names, "Forename Surname", one a line (accents, apostrophes,
                           hyphens: Zoë, Siobhán O'Neill, Brennan-Whyte)
  OUTDIR/queries.txt       the three include terms of the SAR case
  OUTDIR/rg-terms.txt      terms.txt plus the queries' literals (what ripgrep is given)

Bodies are staff mail: greetings, school-office sentences, names of pupils and staff (roster names and
names not on the roster, sometimes in capitals, sometimes with curly apostrophes or a non-breaking
space), quoted replies ("On ... wrote:" and "> " lines), signatures, and now and then the subject of the
case ("Ava Thompson", "Ava-Mae", the UPN A123456789012). Mostly ASCII, as real mail is.
"""

import argparse
import os
import random
import sys
import unicodedata

FIRST = """Oliver Amelia Jayden Zoë Siobhán Harry Grace Mohammed Sophie Ethan Priya Noah Isla Leo Freya Ruby
Callum Maya Archie Evie Reuben Hannah Dylan Poppy Ibrahim Lily Tomasz Alfie Chloé Daniel Ella Finley Georgia
Hamza Imogen Jack Kiera Liam Megan Nathan Olivia Patrick Rosie Samuel Tia Usman Violet William Yasmin Zac Amber
Ben Cara Dev Erin Felix Gemma Aisha Connor Niamh Kacper Fatima Oscar Esme Rhys Ffion Kwame Amara Jude Renée
Łukasz Seán Aoife Ciarán Bethan Dafydd Siân Gethin Mairéad Nuala Oisín Róisín Jakub Zuzanna Wiktoria Kofi
Adaeze Chidi Tariq Zainab Yusuf Hafsa Arjun Anaya Rohan Kiran Harpreet Gurpreet Mei Wei Jun Hiroshi Ana José
Inés Matías Lucía Théo Élodie Noémie Björn Søren Freja Ingrid Emre Elif Aylin Kai Luca Matteo Giulia Chiara
Ayesha Bilal Saoirse Declan Eoin Orla Cerys Owain Morgan Rhian Tegan Lowri Iwan Carys Nia""".split()

LAST = """Bennett Hartley Okafor Brennan-Whyte O'Neill Whitfield Adeyemi Iqbal Clarke Doyle Sharma Fletcher
McKenzie Kowalczyk Lindqvist Ashworth Reid Nowak Patel Evans Hughes Murphy Khan Ali Wilson Taylor Davies
Roberts Walker Wright Robinson Wood Thomson Green Hall Lewis Harris Jackson Turner Hill Moore Cooper Ward
Morris King Watson Baker Young Allen Mitchell Carter Phillips Parker Bailey Bell Collins Cook Richardson Cox
Howard Marshall Owen Graham Kelly Lloyd Morgan Price Webb Gray Hussain Begum O'Connor O'Brien D'Souza
Ní-Bhriain Mac-Giolla Ó'Súilleabháin Jones Williams Brown Smith Johnson Edwards Thomas Jenkins Rees Powell
Pritchard Llewellyn Gruffydd Ahmed Rahman Chowdhury Akhtar Mahmood Siddiqui Nguyen Chen Wang Li Zhang Kaur Singh
Gill Sandhu Dhillon Mensah Owusu Boateng Asante Okonkwo Eze Adebayo Balogun Wiśniewski Wójcik Kamiński
Lewandowski Zieliński Szymański Dąbrowski García Fernández López Martínez Rodríguez Müller Schäfer Bäcker
Þórsson Hoffmann Rossi Russo Bianchi Costa Silva Santos Pereira Ferreira Novák Dvořák Horváth Kovács""".split()

# Names that appear in mail but are not on the roster (visitors, parents, agencies).
OTHER_FIRST = """Maureen Trevor Gordon Janet Brian Sheila Colin Pauline Derek Lorraine Keith Bev Stuart Mandy
Nigel Tracey Gareth Sian Malcolm Yvonne""".split()
OTHER_LAST = """Featherstone Pemberton Oakley Ridley Sutcliffe Haworth Entwistle Ackroyd Bottomley Holroyd
Crabtree Illingworth Greenwood Butterworth Hepworth""".split()

SENTENCES = """Thanks for letting me know about this afternoon.
Please can you update the behaviour log before Friday.
The attendance panel meets on Tuesday in the small hall.
I have spoken to the head of year and we agreed a plan.
Parents' evening bookings close at the end of the week.
Homework was not handed in again; a detention has been set.
The trip letter and consent form are attached.
Can we discuss this at the pastoral meeting?
I've logged it on CPOMS and copied in the DSL.
Could you send me the seating plan for period 3?
The cover supervisor will take the lesson while I'm at the training day.
We need the signed medical form back before the residential.
Reports go home on the last Friday of term, so please have comments in by Wednesday.
The SENCo has asked for an updated pupil passport.
Free school meals vouchers were sent out on Monday.
I'll ring home after school and let you know how it goes.
There was an incident at lunch near the science block; nobody was hurt.
The bus was late again, which is why several Year 8s missed registration.
Please remind your form that mobile phones must be switched off.
Mock exam timetables are on the shared drive under Exams > 2026.
The governors' meeting has moved to Thursday at 6pm.
Safeguarding training is compulsory for all staff this INSET day.
I'm not sure the consent came back - can the office check?
She was upset in tutor time but seemed happier by break.
The photographer is in on the 14th; letters went out last week.""".splitlines()

SUBJECTS = """Year {y} trip|Detention tonight|Re: behaviour points|Attendance concern|Parents' evening
|Report comments|Cover for period {p}|Safeguarding update|Consent forms|Mock exams|Lost property
|Newsletter|Staff briefing|Seating plan|Medical form|Exclusion meeting|Year {y} options|Re: {name}
|FW: {name}|{name} - update|Re: {name} (Year {y})""".replace("\n", "").split("|")

ATTACH = ["trip-letter.pdf", "consent form.docx", "behaviour log.xlsx", "report.pdf", "seating plan.pdf",
          "minutes.docx", "timetable.xlsx", "IHP.pdf", "{last} letter.pdf", "{first} {last} support plan.docx"]

DOMAIN = "oakfield.sch.uk"
PUPILS = "pupils.oakfield.sch.uk"
TEXT_EXTRAS = ["Ava Thompson", "Ava", "Thompson", "Ava-Mae", "A123456789012"]


_LOCAL = {}


def ascii_local(s):
    if s not in _LOCAL:
        d = unicodedata.normalize("NFKD", s.lower().replace("ł", "l").replace("þ", "th"))
        _LOCAL[s] = "".join(c for c in d if c.isascii() and (c.isalnum() or c in "-."))
    return _LOCAL[s]


def roster(n, rnd):
    pairs = [(f, l) for l in LAST for f in FIRST]
    rnd.shuffle(pairs)
    out, seen = [], set()
    i = 0
    while len(out) < n:
        f, l = pairs[i % len(pairs)]
        r = i // len(pairs)
        name = f"{f} {l}" if r == 0 else f"{f}{r} {l}"
        if name not in seen:
            seen.add(name)
            out.append(name)
        i += 1
    return out


class Gen:
    def __init__(self, rnd, names):
        self.r = rnd
        self.names = [n.split(" ", 1) for n in names if n.split(" ", 1)[0].isalpha()]

    def name(self):
        r = self.r
        if r.random() < 0.8:
            f, l = r.choice(self.names)
        else:
            f, l = r.choice(OTHER_FIRST), r.choice(OTHER_LAST)
        return f, l

    def person(self, domain=DOMAIN):
        f, l = self.name()
        return f"{f} {l} <{ascii_local(f)}.{ascii_local(l)}@{domain}>"

    def mention(self):
        r = self.r
        f, l = self.name()
        x = r.random()
        if x < 0.004:
            f, l = "Ava", "Thompson"
        elif x < 0.006:
            f, l = "Ava-Mae", "Thompson"
        s = r.random()
        if s < 0.35:
            name = f"{f} {l}"
        elif s < 0.55:
            name = f
        elif s < 0.65:
            name = f"{f} {l}".upper()
        elif s < 0.70:
            name = f"{f}\u00a0{l}"
        elif s < 0.80:
            name = f"Mr{'s' if r.random() < 0.6 else ''} {l}"
        else:
            name = f"{f} {l[0]}."
        if r.random() < 0.15:
            name += "\u2019s" if r.random() < 0.5 else "'s"
        return name

    def paragraph(self):
        r = self.r
        parts = []
        for _ in range(r.randint(2, 6)):
            k = r.random()
            if k < 0.30:
                parts.append(f"{self.mention()} {r.choice(['was', 'has been', 'is'])} "
                             f"{r.choice(['absent', 'late', 'in isolation', 'on report', 'doing well', 'upset', 'in the canteen with ' + self.mention()])}.")
            elif k < 0.33:
                parts.append(f"UPN {'A123456789012' if r.random() < 0.05 else 'A' + str(r.randrange(10**11, 10**12))} "
                             f"checked against SIMS.")
            else:
                parts.append(r.choice(SENTENCES))
        return " ".join(parts)

    def body(self, sender, target):
        r = self.r
        lines = [f"{r.choice(['Hi', 'Dear', 'Morning', 'Hello'])} {self.name()[0]},", ""]
        while sum(len(x) + 1 for x in lines) < target * 0.6:
            lines.append(self.paragraph())
            lines.append("")
        sf, sl = sender.split(" <")[0].split(" ", 1)
        lines += [r.choice(["Thanks", "Kind regards", "Best wishes", "Many thanks"]) + ",", sf,
                  "", f"{sf} {sl}", f"{r.choice(['Head of Year', 'Form Tutor', 'Teacher of English', 'SENCo', 'Attendance Officer', 'DSL'])}",
                  "Oakfield Academy | 01632 960" + str(r.randrange(100, 999)), ""]
        # One or two quoted replies, Outlook and Gmail style.
        quoted = []
        while sum(len(x) + 1 for x in lines) + sum(len(x) + 1 for x in quoted) < target:
            who = self.person()
            if r.random() < 0.5:
                quoted.append(f"On {r.randint(1, 28)} {r.choice(['Jan', 'Mar', 'May', 'Sep', 'Nov'])} 2026, at "
                              f"{r.randint(7, 18):02d}:{r.randint(0, 59):02d}, {who} wrote:")
                quoted += ["> " + p for p in [self.paragraph(), "", self.paragraph()]]
            else:
                quoted += ["-----Original Message-----", f"From: {who}", f"Sent: {r.randint(1, 28)} March 2026 10:{r.randint(10, 59)}",
                           f"To: {self.person()}", "Subject: RE: " + r.choice(SUBJECTS).format(y=r.randint(7, 13), p=r.randint(1, 6), name=self.mention()),
                           "", self.paragraph(), ""]
        text = "\n".join(lines + quoted) + "\n"
        if r.random() < 0.3:
            text = text.replace("\n", "\r\n")
        return text

    def mail(self, target):
        r = self.r
        sender = self.person()
        to = [self.person() for _ in range(r.randint(1, 3))]
        if r.random() < 0.05:
            f, l = ("Ava", "Thompson")
            to.append(f"{f} {l} <ava.thompson@{PUPILS}>")
        cc = [self.person() for _ in range(r.randint(0, 2))]
        date = f"2026-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}T{r.randint(7, 18):02d}:{r.randint(0, 59):02d}:00Z"
        subject = r.choice(SUBJECTS).format(y=r.randint(7, 13), p=r.randint(1, 6), name=self.mention())
        att = []
        if r.random() < 0.25:
            f, l = self.name()
            att = [r.choice(ATTACH).format(first=f, last=l) for _ in range(r.randint(1, 2))]
        h = [f"From: {sender}", f"To: {', '.join(to)}"]
        if cc:
            h.append(f"Cc: {', '.join(cc)}")
        h += [f"Date: {date}", f"Subject: {subject}"]
        if att:
            h.append(f"Attachments: {', '.join(att)}")
        return "\n".join(h) + "\n\n" + self.body(sender, target)

    def document(self, target):
        r = self.r
        lines = [r.choice(["Pastoral chronology", "Behaviour log", "Meeting minutes", "Support plan", "Incident report"]),
                 f"Prepared by {self.person().split(' <')[0]}", ""]
        while sum(len(x) + 1 for x in lines) < target:
            lines.append(f"{r.randint(1, 28):02d}/{r.randint(1, 12):02d}/2026\t{self.paragraph()}")
        return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=200)
    ap.add_argument("--names", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=4)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    names = roster(a.names, rnd)
    os.makedirs(os.path.join(a.out, "text"), exist_ok=True)
    with open(os.path.join(a.out, "terms.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(names) + "\n")
    queries = ['"Ava Thompson"', "Ava AND Thompson", "A123456789012"]
    with open(os.path.join(a.out, "queries.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(queries) + "\n")
    with open(os.path.join(a.out, "rg-terms.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(names + TEXT_EXTRAS) + "\n")
    g = Gen(rnd, names)
    want = int(a.mb * 1e6)
    total, i = 0, 0
    while total < want:
        # Item sizes: mostly 1-8 KB, a long tail of longer threads and documents.
        target = int(min(200_000, rnd.lognormvariate(8.3, 0.8)))
        text = g.document(target) if rnd.random() < 0.125 else g.mail(target)
        data = text.encode("utf-8")
        with open(os.path.join(a.out, "text", f"{i:06d}.txt"), "wb") as f:
            f.write(data)
        total += len(data)
        i += 1
    print(f"{i} files, {total} bytes, {len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    main()
