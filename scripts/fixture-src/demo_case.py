"""Writes the built-in demo case (fixtures/demo/case/): a Purview-style mail export, MIS PDFs,
a tracker spreadsheet and the school roster for a SAR about Amelia Hartley (8RH, Riverside
Academy). Every person, number and address is invented; phone numbers are from Ofcom's drama
range. Run from the repository root: python3 scripts/fixture-src/demo_case.py
(needs openpyxl). The output is committed (openpyxl stamps the zip entries with the time, so the xlsx and the mail carrying it change on each run)."""

import csv
import datetime as dt
import email.utils
import os
import shutil
import sys
from email.message import EmailMessage
from email.policy import SMTP

sys.path.insert(0, os.path.dirname(__file__))
from school_data import OTHERS, SUBJECT, THIRD_PARTY, tutor_group  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CASE = os.path.join(ROOT, "fixtures", "demo", "case")
STAFF_DOMAIN = "riverside.sch.uk"

STAFF = [
    ("Ravi", "Patel", "Teacher", "r.patel"),
    ("Delyth", "Evans", "Head of Year", "d.evans"),
    ("Siân", "Hughes", "Teacher", "s.hughes"),
    ("Tom", "Clarke", "Teacher", "t.clarke"),
    ("Yvonne", "Marsh", "Office manager", "y.marsh"),
]
CONTACTS = [
    ("Claire", "Hartley", "Mother", "claire.hartley@example.com", "07700 900555"),
    ("Dami", "Okafor", "Father", "dami.okafor@example.net", "07700 900819"),
    ("Chioma", "Okafor", "Mother", "", "07700 900462"),
    ("Bríd", "O'Neill", "Mother", "", "07700 900127"),
    ("Marta", "Nowak", "Mother", "marta.nowak@example.org", "07700 900311"),
]
DOBS = {"Hartley": "2012-05-14", "Okafor": "2012-09-03", "O'Neill": "2012-01-17"}
ULNS = {"Hartley": "1000000043"}


def roster():
    path = os.path.join(CASE, "mis", "roster.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Legal Forename", "Legal Surname", "Role", "UPN", "ULN", "DOB", "Email"])
        for first, last, upn in tutor_group():
            account = ""
            if (first, last) == SUBJECT[:2]:
                account = "amelia.hartley@pupils." + STAFF_DOMAIN
            w.writerow([first, last, "Pupil", upn, ULNS.get(last, "") if first == "Amelia" else "",
                        DOBS.get(last, "") if (first, last, upn) in [SUBJECT] + THIRD_PARTY else "",
                        account])
        for first, last, role, user in STAFF:
            w.writerow([first, last, role, "", "", "", f"{user}@{STAFF_DOMAIN}"])
        for first, last, rel, mail, _ in CONTACTS:
            w.writerow([first, last, f"Contact ({rel})", "", "", "", mail])


def addr(name, mail):
    return email.utils.formataddr((name, mail))


def staff(user):
    for first, last, _, u in STAFF:
        if u == user:
            return addr(f"{first} {last}", f"{u}@{STAFF_DOMAIN}")
    raise KeyError(user)


def message(n, when, sender, to, subject, body, cc=None, attach=None, html=None):
    m = EmailMessage(policy=SMTP)
    m["From"] = sender
    m["To"] = to
    if cc:
        m["Cc"] = cc
    m["Subject"] = subject
    m["Date"] = email.utils.format_datetime(when)
    m["Message-ID"] = f"<demo-{n:03d}@{STAFF_DOMAIN}>"
    m.set_content(body)
    if html:
        m.add_alternative(html, subtype="html")
    for name, data, maintype, subtype in attach or []:
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m


def utc(y, mo, d, h, mi):
    return dt.datetime(y, mo, d, h, mi, tzinfo=dt.timezone.utc)


def export():
    out = os.path.join(CASE, "export")
    os.makedirs(out, exist_ok=True)
    tracker = os.path.join(CASE, "drive", "8RH-support-tracker.xlsx")
    msgs = [
        message(1, utc(2023, 9, 12, 16, 5), staff("r.patel"), staff("d.evans"),
                "Beaker incident in S4 this morning",
                "Delyth,\n\nJayden Okafor knocked a beaker over in S4 during period 2. Zoë Brennan-Whyte "
                "says he was pushed; Siobhán O'Neill and Amelia Hartley were at the next bench and did not "
                "see a push. Nobody was hurt.\n\nI spoke to Jayden's father on 07700 900819 at 15:40.\n\n"
                "Ravi\n"),
        message(2, utc(2023, 9, 28, 19, 42), addr("Claire Hartley", "claire.hartley@example.com"),
                staff("d.evans"), "Amelia and PE",
                "Dear Mrs Evans,\n\nAmelia came home upset today. She says Siobhán was crying in the changing "
                "room before PE and that some older girls laughed at them both. Could you let me know what "
                "happened? You can reach me on 07700 900555.\n\nKind regards,\nClaire Hartley\n"),
        message(3, utc(2023, 9, 29, 8, 15), staff("d.evans"), addr("Claire Hartley", "claire.hartley@example.com"),
                "Re: Amelia and PE",
                "Dear Mrs Hartley,\n\nThank you for letting me know. Mr Clarke saw both girls and walked them to "
                "the office. Amelia Hartley was kind to her friend and did nothing wrong. I have spoken to the "
                "PE department and we are putting a quiet changing space in place.\n\nBest wishes,\nDelyth Evans\n"
                "Head of Year 8\n\n> Amelia came home upset today. She says Siobhán was crying in the changing\n"
                "> room before PE and that some older girls laughed at them both.\n",
                cc=staff("t.clarke")),
        message(4, utc(2023, 10, 4, 12, 30), staff("s.hughes"), staff("d.evans"),
                "8RH seating and support tracker",
                "Hi Delyth,\n\nThe updated tracker is attached. I have moved Amelia Hartley to the front table "
                "in Maths next to Łukasz Nowak, away from Zoë Brennan-Whyte, as agreed. Marta Nowak emailed to "
                "say Łukasz is happy with that.\n\nSiân\n",
                html="<p>Hi Delyth,</p><p>The updated tracker is attached. I have moved <b>Amelia Hartley</b> "
                     "to the front table in Maths next to Łukasz Nowak, away from Zoë Brennan-Whyte, as "
                     "agreed. Marta Nowak emailed to say Łukasz is happy with that.</p><p>Siân</p>",
                attach=[("8RH support tracker.xlsx", open(tracker, "rb").read(), "application",
                         "vnd.openxmlformats-officedocument.spreadsheetml.sheet")]),
        message(5, utc(2023, 10, 6, 9, 0), staff("t.clarke"), staff("d.evans"),
                "Sports day photo",
                "Photo from the 8RH relay for the newsletter: Amelia Hartley, Siobhán O'Neill and Nguyễn Thị "
                "Mai on the last leg. Parents' consent still to check.\n",
                attach=[("relay.jpg", bytes.fromhex(
                    "ffd8ffe000104a46494600010100000100010000ffdb004300") + bytes(200) + bytes.fromhex("ffd9"),
                    "image", "jpeg")]),
        # The subject's own mailbox: her mail is already hers, excluded by the case.
        message(6, utc(2023, 10, 9, 18, 2), addr("Amelia Hartley", f"amelia.hartley@pupils.{STAFF_DOMAIN}"),
                staff("s.hughes"), "Maths homework",
                "Hi Miss, I could not open the homework sheet. From Amelia Hartley\n"),
        # Before Amelia joined: outside the date range.
        message(7, utc(2019, 6, 20, 10, 0), staff("y.marsh"), staff("d.evans"),
                "Transition day list",
                "The Year 6 transition list includes Amelia Hartley from Millbrook Primary.\n"),
        # Staff mail that does not mention her: out of scope.
        message(8, utc(2023, 10, 10, 11, 11), staff("y.marsh"), staff("r.patel"),
                "Lab booking", "Ravi, S4 is booked for Year 10 on Thursday. Yvonne\n"),
    ]
    listing = os.path.join(out, "Results.csv")
    with open(listing, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Document ID", "Location", "Subject or Title", "Internet Message Id",
                    "Duplicate to Item", "Original Path"])
        for i, m in enumerate(msgs, 1):
            # Purview exports a message from the staff mailbox that held it: the sender's
            # Sent Items for staff mail, the recipient's Inbox for mail from outside.
            sender = email.utils.parseaddr(m["From"])[1]
            mailbox = sender if sender.endswith("@" + STAFF_DOMAIN) else email.utils.parseaddr(m["To"])[1]
            name = f"{i:04d}.eml"
            with open(os.path.join(out, name), "wb") as g:
                g.write(m.as_bytes())
            w.writerow([f"DOC{i:04d}", mailbox, m["Subject"], m["Message-ID"], "",
                        f"{mailbox}/Inbox/{name}"])


def tracker():
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.creator = "MIS export"
    wb.properties.created = dt.datetime(2023, 10, 4, 12, 0)
    wb.properties.modified = dt.datetime(2023, 10, 4, 12, 0)
    ws = wb.active
    ws.title = "8RH"
    ws.append(["Pupil", "UPN", "Need", "Support in place", "Review date", "Key adult"])
    rows = [
        ("Amelia Hartley", SUBJECT[2], "Friendship worries after PE incident", "Weekly check-in",
         "2023-11-03", "Mrs Evans"),
        ("Siobhán O'Neill", THIRD_PARTY[2][2], "Anxiety about PE", "Quiet changing space",
         "2023-11-03", "Mr Clarke"),
        ("Jayden Okafor", THIRD_PARTY[0][2], "SEN support (K)", "Seating plan; movement breaks",
         "2023-12-01", "Mr Patel"),
        ("Łukasz Nowak", THIRD_PARTY[3][2], "EAL", "Maths buddy: Amelia Hartley", "2023-12-01",
         "Ms Hughes"),
    ]
    for first, last in OTHERS[:6]:
        rows.append((f"{first} {last}", "", "None recorded", "", "", ""))
    for r in rows:
        ws.append(list(r))
    notes = wb.create_sheet("Notes")
    notes.append(["Date", "Note"])
    notes.append(["2023-10-04", "Tracker updated by Ms Hughes after the seating change."])
    for cell in ("A", "B", "C", "D", "E", "F"):
        ws.column_dimensions[cell].width = 24
    path = os.path.join(CASE, "drive", "8RH-support-tracker.xlsx")
    wb.save(path)
    fixed = dt.datetime(2023, 10, 4, 12, 0)
    os.utime(path, (fixed.timestamp(), fixed.timestamp()))


def pdfs():
    src = os.path.join(ROOT, "fixtures", "pdf", "producers")
    shutil.copy(os.path.join(ROOT, "fixtures", "demo", "behaviour-report.pdf"),
                os.path.join(CASE, "mis", "behaviour-log-8RH.pdf"))
    shutil.copy(os.path.join(src, "ghostscript-incident-statement.pdf"),
                os.path.join(CASE, "mis", "incident-statement-2023-09-12.pdf"))
    shutil.copy(os.path.join(src, "libreoffice-writer-pastoral-referral.pdf"),
                os.path.join(CASE, "mis", "pastoral-referral-2023-10-06.pdf"))


if __name__ == "__main__":
    for d in ("mis", "drive", "export"):
        os.makedirs(os.path.join(CASE, d), exist_ok=True)
    roster()
    tracker()
    export()
    pdfs()
