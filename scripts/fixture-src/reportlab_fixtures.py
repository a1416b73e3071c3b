#!/usr/bin/env python3
"""ReportLab fixtures for disclose (fake UK school MIS exports; every person is invented).

reportlab-behaviour-log.pdf   standard-14 Helvetica, NOT embedded, WinAnsi; a platypus table whose
                              narrow "Pupils involved" column wraps names onto two lines.
reportlab-pupil-details.pdf   values in DejaVu Sans, embedded by ReportLab as a simple TrueType subset with
                              its own 1-byte codes (no /Encoding; Ł, ễ get codes below 32); labels in
                              standard-14 Helvetica-Bold.

Usage: reportlab_fixtures.py OUTDIR
"""
import os
import sys

from reportlab import rl_config

rl_config.invariant = 1  # fixed dates and /ID so regenerating gives the same bytes

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


def behaviour_log(path):
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=11)
    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=8, leading=9.5)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=8, leading=9.5)
    title = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=14, leading=17)

    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                            topMargin=16 * mm, bottomMargin=16 * mm,
                            title="Behaviour incident log", author="MIS export", subject="Year 8")
    rows = [
        ["Date", "Time", "Pupils involved", "Location", "Incident", "Action", "Staff"],
        ["12/09/2023", "10:42", "Jayden Okafor", "Science lab S4",
         "Knocked a beaker off the bench; glass cleared by technician.", "Verbal warning", "Mr Patel"],
        ["14/09/2023", "13:05", "Zoë Brennan-Whyte, Siobhán O'Neill", "Canteen",
         "Argument over seating escalated to pushing. Both calmed quickly.", "Lunch detention", "Ms Hughes"],
        ["19/09/2023", "09:15", "Amelia Hartley", "Tutor room 12",
         "Late to registration without a note.", "Late mark", "Mrs Evans"],
        ["21/09/2023", "14:30", "Siobhán O'Neill", "Field",
         "Refused to return the football at the end of PE.", "Phone call home", "Mr Clarke"],
        ["26/09/2023", "11:10", "Jayden Okafor, Amelia Hartley", "Corridor B",
         "Running in the corridor; apologised to the cleaner.", "Verbal warning", "Ms Hughes"],
        ["03/10/2023", "12:50", "Zoë Brennan-Whyte", "Library",
         "Eating in the library; moved to the canteen.", "Reminder", "Mrs Evans"],
    ]
    data = [[Paragraph(c, head if i == 0 else cell) for c in r] for i, r in enumerate(rows)]
    # "Pupils involved" is deliberately narrow so that two-name cells wrap mid-list
    widths = [19 * mm, 11 * mm, 27 * mm, 24 * mm, 52 * mm, 24 * mm, 21 * mm]
    t = Table(data, colWidths=widths, repeatRows=1)
    t.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.85, 0.88, 0.95)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]))
    story = [
        Paragraph(f"{SCHOOL} — Behaviour incident log", title),
        Spacer(1, 2 * mm),
        Paragraph("Tutor group 8RH · Autumn term 2023 · exported from the MIS on 10/10/2023", body),
        Spacer(1, 4 * mm),
        t,
        Spacer(1, 5 * mm),
        Paragraph("Summary for the Head of Year: Jayden Okafor has two entries this half term; "
                  "Siobhán O'Neill and Zoë Brennan-Whyte were both involved in the canteen incident "
                  "and have since been moved to different tables. Amelia Hartley has one late mark.", body),
        Spacer(1, 3 * mm),
        Paragraph("This log is confidential to staff. Do not forward outside the pastoral team.", body),
    ]
    doc.build(story)


def pupil_details(path):
    pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setTitle("Pupil details")
    c.setAuthor("MIS export")
    w, h = A4
    x0 = 20 * mm
    y = h - 25 * mm
    c.setFont("Helvetica-Bold", 15)
    c.drawString(x0, y, f"{SCHOOL} — Pupil details")
    y -= 7 * mm
    c.setFont("DejaVuSans", 9)
    c.drawString(x0, y, "Printed from the MIS for the SENCo. Data as held on 02/10/2023.")
    y -= 10 * mm

    def section(label):
        nonlocal y
        c.setFillColor(colors.Color(0.88, 0.9, 0.95))
        c.rect(x0 - 2, y - 3, w - 2 * x0 + 4, 14, stroke=0, fill=1)
        c.setFillColor(colors.black)
        c.setFont("Helvetica-Bold", 10)
        c.drawString(x0, y, label)
        y -= 8 * mm

    def field(label, value, dx=0):
        nonlocal y
        c.setFont("Helvetica-Bold", 9)
        c.drawString(x0 + dx, y, label)
        c.setFont("DejaVuSans", 10)
        c.drawString(x0 + dx + 42 * mm, y, value)

    def row(pairs):
        nonlocal y
        for i, (lab, val) in enumerate(pairs):
            field(lab, val, dx=i * 88 * mm)
        y -= 6.5 * mm

    section("Pupil")
    row([("Legal name", "Jayden Okafor"), ("Former name", "None recorded")])
    row([("UPN", "A123456789012"), ("Admission no.", "004517")])
    row([("Date of birth", "03/09/2012"), ("Year / Reg", "Year 8 / 8RH")])
    row([("Gender", "Male"), ("Ethnicity", "Black - Nigerian")])
    row([("First language", "English"), ("FSM", "No")])
    y -= 3 * mm
    section("Home address")
    c.setFont("DejaVuSans", 10)
    for line in ["27 Heron Walk", "Westminster", "London", "SW1A 1AA"]:
        c.drawString(x0 + 42 * mm, y, line)
        y -= 5 * mm
    y -= 4 * mm
    section("Contacts")
    row([("Priority 1", "Dami Okafor"), ("Relationship", "Father")])
    row([("Mobile", "07700 900819"), ("Parental resp.", "Yes")])
    row([("Email", "dami.okafor@example.net")])
    row([("Priority 2", "Chioma Okafor"), ("Relationship", "Mother")])
    row([("Mobile", "07700 900462"), ("Parental resp.", "Yes")])
    y -= 3 * mm
    section("Medical and SEN")
    row([("Medical", "Mild asthma (inhaler)"), ("SEN status", "K - SEN support")])
    row([("Doctor", "Dr Okonjo, Marsham Street Surgery")])
    y -= 3 * mm
    section("Notes")
    c.setFont("DejaVuSans", 9.5)
    for line in [
        "Jayden joined in Year 7. Dad prefers a text message to 07700 900819 before 3pm; Mum works",
        "nights. Sits between Łukasz Nowak and Nguyễn Thị Mai in Maths and Science, away from",
        "Amelia Hartley. Seating plan agreed with Mrs Evans on 02/10/2023: keep it as it is.",
    ]:
        c.drawString(x0, y, line)
        y -= 4.6 * mm
    c.setFont("Helvetica", 7.5)
    c.drawString(x0, 15 * mm, "OFFICIAL-SENSITIVE. Printed 02/10/2023 by the SENCo. Page 1 of 1")
    c.showPage()
    c.save()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    behaviour_log(os.path.join(out, "reportlab-behaviour-log.pdf"))
    pupil_details(os.path.join(out, "reportlab-pupil-details.pdf"))


if __name__ == "__main__":
    main()
