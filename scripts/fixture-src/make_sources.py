#!/usr/bin/env python3
"""Writes the generated sources (HTML for Chromium, flat ODF for LibreOffice Writer and Calc) into OUTDIR.

Usage: make_sources.py OUTDIR
The hand-written sources (PostScript for Ghostscript, LaTeX for pdfTeX) live beside this file.
"""
import html
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from school_data import MORE, SCHOOL, THIRD_PARTY, full, sortname, tutor_group  # noqa: E402

E = html.escape
WEEKS = ["04/09/2023", "11/09/2023", "18/09/2023", "25/09/2023"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri"]


def marks_for(rng, bias):
    """10 session marks for one week (AM, PM per day)."""
    out = []
    for _ in range(5):
        r = rng.random()
        if r < bias * 0.5:
            out += ["I", "I"]            # illness, authorised
        elif r < bias:
            out += ["N", "N"]            # no reason yet
        elif r < bias + 0.05:
            out += ["L", "\\"]           # late before registers closed
        else:
            out += ["/", "\\"]
    return out


def tally(m):
    poss = len(m)
    pres = sum(1 for x in m if x in "/\\L")
    auth = sum(1 for x in m if x in "IM")
    unauth = sum(1 for x in m if x in "NOU")
    return poss, pres, auth, unauth


# --------------------------------------------------------------------------- Chromium

CHROMIUM_CSS = """
@page { size: A4; margin: 12mm 11mm 14mm 11mm; }
body { font-family: "DejaVu Sans Condensed", "DejaVu Sans"; font-size: 7.4pt; color: #111; margin: 0;
       font-kerning: normal; }
h1 { font-size: 12.5pt; margin: 0 0 1mm 0; }
h2 { font-size: 9pt; margin: 2.2mm 0 0.8mm 0; break-after: avoid; }
p.meta { margin: 0 0 1.5mm 0; color: #333; }
table.reg { border-collapse: collapse; width: 100%; break-inside: avoid; }
table.reg th, table.reg td { border: 0.5pt solid #888; padding: 0.2mm 0.8mm; line-height: 1.12; }
table.reg th { background: #dde3f0; font-weight: bold; }
table.reg td.n { text-align: right; }
table.reg td.m { text-align: center; width: 3.4mm; }
table.reg tr.subject td { background: #fff7d6; }
table.watch { border-collapse: collapse; margin-top: 1mm; break-inside: avoid; }
table.watch th, table.watch td { border: 0.5pt solid #888; padding: 0.4mm 1mm; vertical-align: top; }
table.watch td.pupil { width: 15mm; }
div.notes { font-size: 8.4pt; line-height: 1.3; margin-top: 2mm; }
div.foot { margin-top: 2mm; font-size: 6.8pt; color: #555; }
"""


def chromium_attendance(path):
    rng = random.Random(2023)
    pupils = tutor_group()
    third = {p[2] for p in THIRD_PARTY}
    bias = {p[2]: 0.08 for p in pupils}
    for p in THIRD_PARTY:
        bias[p[2]] = 0.25
    bias["A123456789012"] = 0.35
    L = ["<!doctype html>", '<html lang="en-GB"><head><meta charset="utf-8">',
         "<title>Attendance register 8RH</title>", f"<style>{CHROMIUM_CSS}</style></head><body>",
         f"<h1>{SCHOOL} — Weekly attendance register, tutor group 8RH</h1>",
         '<p class="meta">Autumn term 2023, weeks beginning 04/09/2023 to 25/09/2023. Marks: / present AM, '
         "\\ present PM, L late (before registers closed), I illness (authorised), N no reason yet "
         "(unauthorised until a reason is given). Produced by the attendance officer from the MIS.</p>"]
    totals = {}
    for w in WEEKS:
        L.append(f"<h2>Week beginning {w}</h2>")
        L.append('<table class="reg"><thead><tr><th>Pupil</th><th>UPN</th>')
        for d in DAYS:
            L.append(f'<th colspan="2">{d}</th>')
        L.append("<th>Poss.</th><th>Pres.</th><th>Auth.</th><th>Unauth.</th><th>%</th></tr></thead><tbody>")
        for first, last, upn in pupils:
            m = marks_for(rng, bias[upn])
            poss, pres, auth, unauth = tally(m)
            t = totals.setdefault(upn, [0, 0, 0, 0])
            for i, v in enumerate((poss, pres, auth, unauth)):
                t[i] += v
            cls = ' class="subject"' if upn == "A801224466017" else ""
            L.append(f"<tr{cls}><td>{E(sortname(first, last))}</td><td>{upn}</td>"
                     + "".join(f'<td class="m">{E(x)}</td>' for x in m)
                     + f'<td class="n">{poss}</td><td class="n">{pres}</td><td class="n">{auth}</td>'
                     f'<td class="n">{unauth}</td><td class="n">{100 * pres / poss:.1f}</td></tr>')
        L.append("</tbody></table>")
    # watch list: the Pupil column is only 15 mm wide, so every name wraps
    L.append("<h2>Persistent absence watch list (below 90% over the four weeks)</h2>")
    L.append('<table class="watch"><thead><tr><th>Pupil</th><th>%</th><th>Reason given</th>'
             "<th>Action agreed</th></tr></thead><tbody>")
    reasons = {
        "A123456789012": ("Several Mondays with no reason; family holiday mentioned by a friend.",
                          "Attendance panel letter 1; call home on Friday."),
        "A884512093317": ("Illness (tonsillitis), medical evidence seen.", "None; monitor."),
        "A556120987034": ("Anxiety about PE; school nurse involved.", "Meeting with Head of Year."),
        "A309817264450": ("Travel to Vietnam for a family wedding, not authorised.",
                          "Fixed penalty warning explained to parent."),
    }
    for first, last, upn in THIRD_PARTY:
        if upn not in reasons:
            continue
        poss, pres, _, _ = totals[upn]
        why, act = reasons[upn]
        L.append(f'<tr><td class="pupil">{E(full(first, last))}</td><td>{100 * pres / poss:.1f}</td>'
                 f"<td>{E(why)}</td><td>{E(act)}</td></tr>")
    L.append("</tbody></table>")
    L.append('<div class="notes"><b>Notes for the attendance panel.</b> Jayden Okafor has the lowest attendance in '
             "the group and should be seen first. Zoë Brennan-Whyte is back to full attendance this week. "
             "Siobhán O'Neill has a support plan with the school nurse; Amelia Hartley has offered to walk "
             "with her to PE. The parent of Nguyễn Thị Mai asked to be contacted by email at "
             '<a href="mailto:lan.tran@example.org">lan.tran@example.org</a> rather than by phone. '
             "Łukasz Nowak is not on the watch list this month.</div>")
    L.append('<div class="foot">Attendance officer: Mrs D. Evans. Printed from the MIS; '
             "figures exclude the INSET day. OFFICIAL-SENSITIVE.</div>")
    L.append("</body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(L) + "\n")


# --------------------------------------------------------------------------- LibreOffice Writer (flat ODT)

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
      'xmlns:number="urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"')

X = html.escape

WRITER_STYLES = """
<office:font-face-decls>
  <style:font-face style:name="DejaVu Serif" svg:font-family="'DejaVu Serif'" style:font-family-generic="roman"/>
  <style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'" style:font-family-generic="swiss"/>
</office:font-face-decls>
<office:styles>
  <style:default-style style:family="paragraph">
    <style:paragraph-properties fo:margin-top="0cm" fo:margin-bottom="0.16cm"/>
    <style:text-properties style:font-name="DejaVu Serif" fo:font-size="10.5pt" fo:language="en" fo:country="GB"
        style:letter-kerning="true"/>
  </style:default-style>
  <style:style style:name="Standard" style:family="paragraph" style:class="text"/>
  <style:style style:name="Heading_20_1" style:display-name="Heading 1" style:family="paragraph"
      style:default-outline-level="1" style:class="text">
    <style:paragraph-properties fo:margin-top="0.2cm" fo:margin-bottom="0.25cm" fo:keep-with-next="always"/>
    <style:text-properties style:font-name="DejaVu Sans" fo:font-size="15pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Heading_20_2" style:display-name="Heading 2" style:family="paragraph"
      style:default-outline-level="2" style:class="text">
    <style:paragraph-properties fo:margin-top="0.35cm" fo:margin-bottom="0.15cm" fo:keep-with-next="always"/>
    <style:text-properties style:font-name="DejaVu Sans" fo:font-size="11.5pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Cell" style:family="paragraph">
    <style:paragraph-properties fo:margin-bottom="0cm"/>
    <style:text-properties style:font-name="DejaVu Sans" fo:font-size="8.5pt"/>
  </style:style>
  <style:style style:name="CellHead" style:family="paragraph" style:parent-style-name="Cell">
    <style:text-properties fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="Small" style:family="paragraph">
    <style:text-properties fo:font-size="8pt" fo:color="#555555"/>
  </style:style>
</office:styles>
<office:automatic-styles>
  <style:page-layout style:name="pm1">
    <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.8cm"
        fo:margin-bottom="1.6cm" fo:margin-left="2cm" fo:margin-right="2cm"/>
  </style:page-layout>
  <style:style style:name="T1" style:family="table">
    <style:table-properties style:width="17cm" table:align="left"/>
  </style:style>
  <style:style style:name="T2" style:family="table">
    <style:table-properties style:width="17cm" table:align="left"/>
  </style:style>
  <style:style style:name="T1A" style:family="table-column"><style:table-column-properties style:column-width="4cm"/></style:style>
  <style:style style:name="T1B" style:family="table-column"><style:table-column-properties style:column-width="13cm"/></style:style>
  <style:style style:name="T2A" style:family="table-column"><style:table-column-properties style:column-width="2.1cm"/></style:style>
  <style:style style:name="T2B" style:family="table-column"><style:table-column-properties style:column-width="2.2cm"/></style:style>
  <style:style style:name="T2C" style:family="table-column"><style:table-column-properties style:column-width="8.9cm"/></style:style>
  <style:style style:name="T2D" style:family="table-column"><style:table-column-properties style:column-width="3.8cm"/></style:style>
  <style:style style:name="C" style:family="table-cell">
    <style:table-cell-properties fo:padding="0.06cm" fo:border="0.5pt solid #808080"/>
  </style:style>
  <style:style style:name="CH" style:family="table-cell">
    <style:table-cell-properties fo:padding="0.06cm" fo:border="0.5pt solid #808080" fo:background-color="#dde3f0"/>
  </style:style>
</office:automatic-styles>
<office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pm1"/>
</office:master-styles>
"""


def cell(text, head=False, style="C"):
    ps = "CellHead" if head else "Cell"
    st = "CH" if head else style
    return (f'<table:table-cell table:style-name="{st}" office:value-type="string">'
            f'<text:p text:style-name="{ps}">{X(text)}</text:p></table:table-cell>')


def writer_referral(path):
    details = [
        ("Pupil", "Siobhán O'Neill"), ("UPN", "A556120987034"), ("Date of birth", "17/01/2012"),
        ("Tutor group", "8RH (Mrs Evans)"), ("Parent / carer", "Bríd O'Neill (mother)"),
        ("Telephone", "07700 900127"), ("Address", "Flat 3, 41 Larkspur Close, London SE1 7PB"),
        ("Referred by", "Mr Clarke, PE department"),
    ]
    log = [
        ("21/09/2023", "Field",
         "Refused to get changed for PE and would not return the football at the end of the lesson. "
         "Said she felt sick whenever she had to run in front of others.",
         "Jayden Okafor, Zoë Brennan-Whyte"),
        ("28/09/2023", "Changing room",
         "Found crying in the changing room before PE. Told Mr Clarke that older girls had laughed at "
         "her. Walked to the school office with a friend.",
         "Amelia Hartley"),
        ("05/10/2023", "Canteen",
         "Did not eat lunch; sat alone. Happy to talk to the school nurse afterwards and agreed to a "
         "weekly check-in.",
         "Łukasz Nowak, Nguyễn Thị Mai"),
    ]
    body = [
        '<text:h text:style-name="Heading_20_1" text:outline-level="1">'
        "Pastoral referral: Siobhán O'Neill (8RH)</text:h>",
        '<text:p text:style-name="Small">' + X(f"{SCHOOL} · Pastoral team · Referral form PR-2 · "
                                                 "created 06/10/2023") + "</text:p>",
        '<text:h text:style-name="Heading_20_2" text:outline-level="2">Pupil details</text:h>',
        '<table:table table:name="Details" table:style-name="T1">'
        '<table:table-column table:style-name="T1A"/><table:table-column table:style-name="T1B"/>',
    ]
    for k, v in details:
        body.append(f"<table:table-row>{cell(k, head=True)}{cell(v)}</table:table-row>")
    body.append("</table:table>")
    body.append('<text:h text:style-name="Heading_20_2" text:outline-level="2">Incidents leading to the '
                "referral</text:h>")
    body.append('<table:table table:name="Incidents" table:style-name="T2">'
                '<table:table-column table:style-name="T2A"/><table:table-column table:style-name="T2B"/>'
                '<table:table-column table:style-name="T2C"/><table:table-column table:style-name="T2D"/>'
                "<table:table-header-rows><table:table-row>"
                + cell("Date", True) + cell("Where", True) + cell("What happened", True)
                + cell("Others present", True) + "</table:table-row></table:table-header-rows>")
    for d, w, what, others in log:
        body.append(f"<table:table-row>{cell(d)}{cell(w)}{cell(what)}{cell(others)}</table:table-row>")
    body.append("</table:table>")
    paras = [
        "Summary. Siobhán has become anxious about PE since the start of Year 8. We have no concerns about "
        "her safety at home. Her friendship group (including Amelia Hartley) is supportive; Jayden Okafor "
        "and Zoë Brennan-Whyte were present on 21/09/2023 but were not involved in any unkindness.",
        "AVAILABILITY: Wednesday and Thursday afternoons. TO DO: Toby from the wellbeing team will offer "
        "a WAVE (Wellbeing And Values Education) session; Yvonne in the office will book the room. "
        "Mrs O'Neill (07700 900127) is happy to be called after 4pm.",
        "Outcome sought: a short-term support plan, a quiet changing space, and an official review after "
        "half term. Please treat this referral as confidential to the pastoral team.",
    ]
    body.append('<text:h text:style-name="Heading_20_2" text:outline-level="2">Summary and next steps</text:h>')
    for p in paras:
        body.append(f'<text:p text:style-name="Standard">{X(p)}</text:p>')
    body.append('<text:p text:style-name="Small">Signed: Mrs D. Evans, Head of Year 8. '
                "OFFICIAL-SENSITIVE.</text:p>")
    doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
           'office:mimetype="application/vnd.oasis.opendocument.text">\n'
           # the title names the pupil: a realistic metadata leak (Info dict /Title, outline too)
           "<office:meta><dc:title>Pastoral referral – Siobhán O'Neill</dc:title>"
           "<meta:initial-creator>D Evans</meta:initial-creator></office:meta>\n"
           + WRITER_STYLES + "<office:body><office:text>\n" + "\n".join(body)
           + "\n</office:text></office:body></office:document>\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)


# --------------------------------------------------------------------------- LibreOffice Calc (flat ODS)

CALC_STYLES = """
<office:font-face-decls>
  <style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'" style:font-family-generic="swiss"/>
  <style:font-face style:name="DejaVu Sans Condensed" svg:font-family="'DejaVu Sans Condensed'"
      style:font-family-generic="swiss"/>
</office:font-face-decls>
<office:styles>
  <style:default-style style:family="table-cell">
    <style:text-properties style:font-name="DejaVu Sans Condensed" fo:font-size="8pt" fo:language="en"
        fo:country="GB"/>
  </style:default-style>
  <style:style style:name="Default" style:family="table-cell"/>
</office:styles>
<office:automatic-styles>
  <style:style style:name="co1" style:family="table-column"><style:table-column-properties style:column-width="1.0cm"/></style:style>
  <style:style style:name="co2" style:family="table-column"><style:table-column-properties style:column-width="3.6cm"/></style:style>
  <style:style style:name="co3" style:family="table-column"><style:table-column-properties style:column-width="2.3cm"/></style:style>
  <style:style style:name="co4" style:family="table-column"><style:table-column-properties style:column-width="1.3cm"/></style:style>
  <style:style style:name="co5" style:family="table-column"><style:table-column-properties style:column-width="3.6cm"/></style:style>
  <style:style style:name="ro1" style:family="table-row"><style:table-row-properties style:row-height="0.5cm"/></style:style>
  <style:style style:name="ro2" style:family="table-row"><style:table-row-properties style:row-height="0.85cm"/></style:style>
  <style:style style:name="ta1" style:family="table" style:master-page-name="PageStyle_Att">
    <style:table-properties table:display="true"/>
  </style:style>
  <style:style style:name="ce1" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:border="0.5pt solid #808080" fo:padding="0.03cm"/>
  </style:style>
  <style:style style:name="ceh" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:border="0.5pt solid #808080" fo:background-color="#dde3f0"
        fo:padding="0.03cm" fo:wrap-option="wrap"/>
    <style:text-properties fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="cen" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:border="0.5pt solid #808080" fo:padding="0.03cm"/>
    <style:paragraph-properties fo:text-align="end"/>
  </style:style>
  <style:style style:name="cet" style:family="table-cell" style:parent-style-name="Default">
    <style:text-properties style:font-name="DejaVu Sans" fo:font-size="11pt" fo:font-weight="bold"/>
  </style:style>
  <style:style style:name="cew" style:family="table-cell" style:parent-style-name="Default">
    <style:table-cell-properties fo:border="0.5pt solid #808080" fo:padding="0.03cm" fo:wrap-option="wrap"/>
  </style:style>
  <style:page-layout style:name="pmA">
    <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" style:print-orientation="portrait"
        fo:margin-top="1.2cm" fo:margin-bottom="1.2cm" fo:margin-left="1.2cm" fo:margin-right="1.2cm"
        style:scale-to-X="1" style:scale-to-Y="0"/>
    <style:header-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-bottom="0.2cm"/></style:header-style>
    <style:footer-style><style:header-footer-properties fo:min-height="0.5cm" fo:margin-top="0.2cm"/></style:footer-style>
  </style:page-layout>
</office:automatic-styles>
<office:master-styles>
  <style:master-page style:name="PageStyle_Att" style:page-layout-name="pmA">
    <style:header><text:p>Year 8 attendance summary — Autumn 1 2023</text:p></style:header>
    <style:footer><text:p>Page <text:page-number>1</text:page-number> of <text:page-count>2</text:page-count></text:p></style:footer>
  </style:master-page>
</office:master-styles>
"""


def ods_cell(v, style="ce1", num=False):
    if num:
        return (f'<table:table-cell table:style-name="{style}" office:value-type="float" office:value="{v}">'
                f"<text:p>{v}</text:p></table:table-cell>")
    return (f'<table:table-cell table:style-name="{style}" office:value-type="string">'
            f"<text:p>{X(str(v))}</text:p></table:table-cell>")


def calc_attendance(path):
    rng = random.Random(88)
    rows = [("8RH", f, l, u) for f, l, u in tutor_group()]
    rng2 = random.Random(7)
    kt = [(f, l, "A" + "".join(str(rng2.randrange(10)) for _ in range(12))) for f, l in MORE]
    rows += [("8KT", f, l, u) for f, l, u in sorted(kt, key=lambda p: (p[1], p[0]))]
    notes = {
        "A123456789012": "Panel stage 1",
        "A884512093317": "Medical evidence",
        "A556120987034": "Support plan (PR-2)",
        "A309817264450": "Unauth. leave",
        "A672093145528": "",
    }
    head = ["Reg", "Pupil", "UPN", "Possible", "Present", "Auth. abs.", "Unauth. abs.", "Late (L)",
            "Attend. %", "Notes"]
    cols = ('<table:table-column table:style-name="co1"/><table:table-column table:style-name="co2"/>'
            '<table:table-column table:style-name="co3"/>'
            '<table:table-column table:style-name="co4" table:number-columns-repeated="6"/>'
            '<table:table-column table:style-name="co5"/>')
    R = ['<table:table-row table:style-name="ro1">'
         '<table:table-cell table:style-name="cet" office:value-type="string" table:number-columns-spanned="10">'
         f"<text:p>{X(SCHOOL)} — Year 8 attendance summary, 04/09/2023 to 20/10/2023</text:p>"
         "</table:table-cell></table:table-row>",
         '<table:table-row table:style-name="ro1">' + "".join(ods_cell(h, "ceh") for h in head)
         + "</table:table-row>"]
    R[1] = R[1].replace('style-name="ro1"', 'style-name="ro2"', 1)
    for reg, first, last, upn in rows:
        poss = 60
        bad = 0.06 if upn not in notes else 0.2
        auth = sum(1 for _ in range(poss) if rng.random() < bad * 0.5)
        unauth = sum(1 for _ in range(poss - auth) if rng.random() < bad * 0.4)
        late = sum(1 for _ in range(5) if rng.random() < 0.3)
        pres = poss - auth - unauth
        R.append('<table:table-row table:style-name="ro1">' + ods_cell(reg) + ods_cell(sortname(first, last))
                 + ods_cell(upn) + ods_cell(poss, "cen", True) + ods_cell(pres, "cen", True)
                 + ods_cell(auth, "cen", True) + ods_cell(unauth, "cen", True) + ods_cell(late, "cen", True)
                 + ods_cell(f"{100 * pres / poss:.1f}", "cen") + ods_cell(notes.get(upn, ""), "cew")
                 + "</table:table-row>")
    R.append('<table:table-row table:style-name="ro1"><table:table-cell/></table:table-row>')
    R.append('<table:table-row table:style-name="ro1">'
             '<table:table-cell office:value-type="string" table:number-columns-spanned="10">'
             "<text:p>Persistent absence threshold 90%. Pupils below it are reviewed by the attendance panel "
             "(Mrs D. Evans, Mr R. Patel).</text:p></table:table-cell></table:table-row>")
    doc = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document {NS} office:version="1.3" '
           'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">\n'
           "<office:meta><dc:title>Year 8 attendance summary</dc:title></office:meta>\n"
           + CALC_STYLES + "<office:body><office:spreadsheet>\n"
           '<table:table table:name="Attendance" table:style-name="ta1">' + cols + "\n".join(R)
           + "</table:table></office:spreadsheet></office:body></office:document>\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(doc)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    chromium_attendance(os.path.join(out, "chromium-attendance-register.html"))
    writer_referral(os.path.join(out, "libreoffice-writer-pastoral-referral.fodt"))
    calc_attendance(os.path.join(out, "libreoffice-calc-attendance-summary.fods"))


if __name__ == "__main__":
    main()
