#!/usr/bin/env python3
"""A synthetic Microsoft Purview / Google Vault export for benchmarking `disclose ingest`
(scripts/bench-ingest.sh). Every person, address and message is invented.

  gen-export.py --out DIR [--mails 10000] [--seed 1]

writes (the same bytes for the same --seed and --mails)

  DIR/Exchange/<mailbox> (Primary)/Inbox/[<sub>/]<subject> <n>.eml      --mails messages,
  DIR/Exchange/<mailbox> (Primary)/Sent Items/<subject> <n>.eml          spread over 6 mailboxes
  DIR/Results.csv        Purview-style listing of the .eml messages, plus a few rows for messages
                         the export lacks (each becomes a `failed` row: listed, missing)
  DIR/Vault/SAR-014-<account>.mbox   one Google Vault-style mbox with --mails/2 messages
                         (From_ lines as Vault writes them, mboxrd `>From ` quoting)
  DIR.manifest.txt       (beside DIR, not in it) counts: messages, attachments by kind,
                         listed-but-missing, bytes

Messages: plain, multipart/alternative (text + HTML) and HTML-only bodies; about a third are
replies quoting the earlier message ("On ... wrote:" and `>` lines, In-Reply-To/References);
names are British (shared first names and surnames, accents, apostrophes, hyphens) and appear
in display names, RFC 2047-encoded where they need it. About 10% carry attachments: small PDFs
(ReportLab, one per attachment, unique text), CSV extracts, .docx files built with zipfile, and
a forwarded message as an attached .eml (message/rfc822, itself sometimes with a CSV). About 2%
of the .eml messages are a second copy of another one (same Message-ID, received by another
mailbox), as exports hold them when de-duplication is off.
"""
import argparse
import csv
import email.policy
import io
import os
import random
import sys
import zipfile
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

from reportlab import rl_config

rl_config.invariant = 1

from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

FIRST = [
    "Oliver", "Amelia", "Jack", "Olivia", "Harry", "Isla", "George", "Ava", "Noah", "Emily",
    "Charlie", "Sophie", "Jacob", "Grace", "Thomas", "Chloé", "Zoë", "Seán", "Siobhán", "Aoife",
    "Renée", "Dáithí", "Mohammed", "Aisha", "Priya", "Arjun", "Łukasz", "Ffion", "Rhys", "Niamh",
    "Jack", "Oliver", "Emily", "Amelia", "Muhammad", "Chloe", "Zoe", "Sean",
]
SURNAME = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Hughes",
    "O'Brien", "O'Connor", "D'Souza", "Smith-Jones", "Ward-Prowse", "Ní Bhriain", "Mac Giolla",
    "Patel", "Khan", "Begum", "Nowak", "Ó Súilleabháin", "Müller", "Lloyd", "Price", "Smith",
    "Jones", "Taylor",
]
TUTOR = ["7R", "7S", "8K", "8L", "9B", "9T", "10H", "10M", "11P", "11W", "12A", "13C"]
TOPICS = [
    "Year 9 incident", "Detention tomorrow", "Parents' evening", "Attendance concern",
    "Behaviour log update", "SEN review meeting", "Trip consent form", "Safeguarding referral",
    "Homework not handed in", "Reading age results", "Exclusion appeal", "Uniform",
    "Bus pass", "Medical needs plan", "Café trip – payment", "Report card", "Mock exam results",
    "Work experience placement", "Lunch money", "Transition to Year 7",
]
SENTENCES = [
    "{p} was late to registration again this morning.",
    "Could you call {parent} about {p}'s attendance this half term?",
    "I have logged the incident on CPOMS and spoken to {p}.",
    "{p} and {q} were involved in an argument at lunch; both have been spoken to.",
    "Mrs {s} has asked for a copy of the behaviour log for {p}.",
    "Please find the notes from the meeting with {parent} attached.",
    "{p} ({tg}) has not handed in homework for three weeks.",
    "The SENCo would like to review {p}'s support plan before the review.",
    "{parent} rang the office: {p} will be off sick until Thursday.",
    "I think {p} should be moved away from {q} in science.",
    "Can we discuss {p} at Friday's pastoral meeting?",
    "{p}'s reading age has improved by eighteen months since September.",
    "Thanks — I'll pass this on to Mr {s}.",
    "Detention for {p} on Wednesday after school, room B12.",
]
SUBFOLDERS = ["", "", "", "Pastoral", "Year 9", "Safeguarding"]
MAILBOXES = [
    "jane.doe@school.org.uk", "a.khan@school.org.uk", "s.obrien@school.org.uk",
    "office@school.org.uk", "senco@school.org.uk", "m.lloyd@school.org.uk",
]
VAULT_ACCOUNT = "head@school.org.uk"
EPOCH = datetime(2024, 9, 2, 7, 30, tzinfo=timezone.utc)
POLICY = email.policy.SMTP


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        # email.generator draws MIME boundaries from the global generator.
        random.seed(seed)
        self.stats = {"pdf": 0, "csv": 0, "docx": 0, "eml": 0}
        self.attach_counter = 0

    def person(self):
        r = self.r
        first, last = r.choice(FIRST), r.choice(SURNAME)
        local = (first[0] + "." + last).lower()
        local = "".join(c for c in local if c.isascii() and (c.isalnum() or c in ".-"))
        return first, last, local

    def address(self, domain="school.org.uk"):
        first, last, local = self.person()
        return f"{first} {last}", f"{local}@{domain}"

    def body(self, n_sentences):
        r = self.r
        out = []
        for _ in range(n_sentences):
            p = " ".join(self.person()[:2])
            q = " ".join(self.person()[:2])
            parent = "Mr " + self.person()[1] if r.random() < 0.5 else "Mrs " + self.person()[1]
            out.append(
                r.choice(SENTENCES).format(
                    p=p, q=q, parent=parent, s=self.person()[1], tg=r.choice(TUTOR)
                )
            )
        paras = []
        while out:
            k = r.randint(1, 3)
            paras.append(" ".join(out[:k]))
            out = out[k:]
        return "\n\n".join(paras)

    # -- attachments ---------------------------------------------------------------------

    def pdf(self, title, text):
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
        c.setTitle(title)
        c.setFont("Helvetica-Bold", 14)
        c.drawString(60, 780, title.encode("latin-1", "replace").decode("latin-1"))
        c.setFont("Helvetica", 10)
        y = 750
        for para in text.split("\n\n"):
            words = para.split()
            line = ""
            for w in words:
                if len(line) + len(w) > 90:
                    c.drawString(60, y, line.encode("latin-1", "replace").decode("latin-1"))
                    y -= 14
                    line = ""
                line += w + " "
            c.drawString(60, y, line.encode("latin-1", "replace").decode("latin-1"))
            y -= 24
            if y < 80:
                c.showPage()
                c.setFont("Helvetica", 10)
                y = 780
        c.showPage()
        c.save()
        return buf.getvalue()

    def csv_bytes(self, rows):
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow(["Surname", "Forename", "Tutor group", "Date", "Reason", "Points"])
        for _ in range(rows):
            first, last, _ = self.person()
            w.writerow([
                last, first, self.r.choice(TUTOR),
                (EPOCH + timedelta(days=self.r.randint(0, 300))).strftime("%d/%m/%Y"),
                self.r.choice(["Late", "Disruption", "No homework", "Uniform", "Praise"]),
                self.r.randint(-3, 5),
            ])
        return out.getvalue().encode("utf-8-sig")

    def docx(self, title, text):
        def esc(s):
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

        paras = "".join(
            f"<w:p><w:r><w:t xml:space=\"preserve\">{esc(p)}</w:t></w:r></w:p>"
            for p in [title] + text.split("\n\n")
        )
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        parts = {
            "[Content_Types].xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                "</Types>"
            ),
            "_rels/.rels": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
                '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
                "</Relationships>"
            ),
            "word/document.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f"<w:document {ns}><w:body>{paras}<w:sectPr/></w:body></w:document>"
            ),
            "docProps/core.xml": (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">'
                f"<dc:title>{esc(title)}</dc:title><dc:creator>{esc(' '.join(self.person()[:2]))}</dc:creator>"
                "</cp:coreProperties>"
            ),
        }
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in parts.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 9, 2, 8, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, content)
        return buf.getvalue()

    def add_attachments(self, msg, subject, when):
        r = self.r
        kinds = r.choices(["pdf", "csv", "docx", "eml"], weights=[4, 2, 3, 1], k=r.randint(1, 2))
        for kind in kinds:
            self.attach_counter += 1
            n = self.attach_counter
            self.stats[kind] += 1
            if kind == "pdf":
                title = f"{r.choice(TOPICS)} - note {n}"
                data = self.pdf(title, self.body(r.randint(4, 14)))
                msg.add_attachment(data, maintype="application", subtype="pdf",
                                   filename=f"{title}.pdf")
            elif kind == "csv":
                msg.add_attachment(self.csv_bytes(r.randint(5, 60)), maintype="text",
                                   subtype="csv", filename=f"behaviour-extract-{n}.csv")
            elif kind == "docx":
                title = f"Meeting notes {n}"
                msg.add_attachment(
                    self.docx(title, self.body(r.randint(4, 12))),
                    maintype="application",
                    subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                    filename=f"{title}.docx",
                )
            else:
                inner = self.message(10_000_000 + n, when - timedelta(days=r.randint(1, 30)),
                                     None, allow_attachments=False)[0]
                if r.random() < 0.4:
                    inner.add_attachment(self.csv_bytes(r.randint(3, 10)), maintype="text",
                                         subtype="csv", filename=f"forwarded-{n}.csv")
                msg.add_attachment(inner, filename=f"FW {inner['Subject']}.eml")

    # -- messages ------------------------------------------------------------------------

    def message(self, idx, when, thread, allow_attachments=True, to_addr=None):
        """One message. `thread` is (subject, message_id, quoted_text, sender) of the message
        replied to, or None."""
        r = self.r
        from_name, from_addr = self.address()
        msg = EmailMessage(policy=POLICY)
        # What Exchange Online puts above the visible headers: a few kilobytes per message.
        hops = ["DB9PR02MB7210.eurprd02.prod.outlook.com", "AM6PR0202CA0054.eurprd02.prod.outlook.com",
                "AMS0EPF000001A3.eurprd05.prod.outlook.com", "LO2P265MB5396.GBRP265.PROD.OUTLOOK.COM"]
        for k in range(r.randint(2, 4)):
            a, b = r.sample(hops, 2)
            msg["Received"] = (f"from {a} (2603:10a6:10:{r.randrange(65536):x}::{r.randrange(256):x}) by "
                               f"{b} (2603:10a6:20b:{r.randrange(65536):x}::{k}) with Microsoft SMTP Server "
                               f"(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
                               f"15.20.{r.randrange(9999)}.{r.randrange(99)}; {format_datetime(when)}")
        msg["X-MS-Exchange-Organization-AuthAs"] = "Internal"
        msg["X-MS-Exchange-Organization-AuthSource"] = hops[0]
        msg["X-MS-Exchange-Organization-Network-Message-Id"] = (
            f"{r.randrange(16**8):08x}-{r.randrange(16**4):04x}-{r.randrange(16**4):04x}-"
            f"{r.randrange(16**4):04x}-{r.randrange(16**12):012x}")
        msg["Thread-Index"] = "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
                                      for _ in range(r.choice([32, 40, 52])))
        msg["Content-Language"] = "en-GB"
        if thread:
            subject = "Re: " + thread[0].removeprefix("Re: ")
        else:
            subject = r.choice(TOPICS) + ("" if r.random() < 0.6 else f" ({r.choice(TUTOR)})")
        msg["From"] = f'"{from_name}" <{from_addr}>' if "'" in from_name or r.random() < 0.5 \
            else f"{from_name} <{from_addr}>"
        tos = [self.address() for _ in range(r.choices([1, 2, 3], weights=[6, 3, 1])[0])]
        if to_addr:
            tos[0] = (to_addr.split("@")[0].replace(".", " ").title(), to_addr)
        msg["To"] = ", ".join(f"{n} <{a}>" for n, a in tos)
        if r.random() < 0.3:
            n, a = self.address("parents.example.com")
            msg["Cc"] = f"{n} <{a}>"
        msg["Subject"] = subject
        msg["Date"] = format_datetime(when)
        mid = f"<{idx:08d}.{r.randrange(16**8):08x}@mail.school.org.uk>"
        msg["Message-ID"] = mid
        if thread:
            msg["In-Reply-To"] = thread[1]
            msg["References"] = thread[1]
        msg["X-MS-Has-Attach"] = ""
        text = self.body(r.randint(2, 10))
        if thread:
            quoted = "\n".join("> " + line if line else ">" for line in thread[2].splitlines())
            text += (f"\n\nOn {format_datetime(when - timedelta(hours=3))}, {thread[3]} wrote:\n"
                     f"{quoted}\n")
        text += f"\n\n{from_name}\nSchool Office\n"
        style = r.random()
        html = ("<html><body>" + "".join(
            f"<p>{p.replace('&', '&amp;').replace('<', '&lt;').replace(chr(10), '<br>')}</p>"
            for p in text.split("\n\n")) + "</body></html>")
        if style < 0.55:
            msg.set_content(text)
        elif style < 0.9:
            msg.set_content(text)
            msg.add_alternative(html, subtype="html")
        else:
            msg.set_content(html, subtype="html")
        if allow_attachments and r.random() < 0.10:
            self.add_attachments(msg, subject, when)
            msg.replace_header("X-MS-Has-Attach", "yes")
        return msg, subject, mid, text, f"{from_name} <{from_addr}>"

    def messages(self, count, start_idx):
        """Yields (idx, mailbox, folder, EmailMessage, subject, mid, has_attachments)."""
        r = self.r
        recent = []
        when = EPOCH
        for i in range(count):
            idx = start_idx + i
            when = when + timedelta(minutes=r.randint(1, 90))
            if when.hour > 18:
                when = when.replace(hour=7, minute=r.randint(0, 59)) + timedelta(days=1)
            thread = r.choice(recent) if recent and r.random() < 0.33 else None
            mailbox = r.choice(MAILBOXES)
            msg, subject, mid, text, sender = self.message(idx, when, thread, to_addr=mailbox)
            recent.append((subject, mid, text, sender))
            if len(recent) > 50:
                recent.pop(0)
            folder = "Inbox" if r.random() < 0.8 else "Sent Items"
            sub = r.choice(SUBFOLDERS) if folder == "Inbox" else ""
            yield idx, mailbox, folder, sub, msg, subject, mid, msg.is_multipart() and any(
                True for _ in msg.iter_attachments())


def safe_name(s):
    s = "".join("_" if c in '\\/:*?"<>|' else c for c in s)
    return s.strip()[:80] or "(no subject)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--mails", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)
    g = Gen(a.seed)
    results = []
    total_bytes = 0
    n_eml = 0
    n_dup = 0
    last = None
    for idx, mailbox, folder, sub, msg, subject, mid, has_att in g.messages(a.mails, 1):
        # ~2% are a second copy of the previous message in another mailbox (same Message-ID).
        if last is not None and g.r.random() < 0.02:
            msg, subject, mid, has_att = last[0], last[1], last[2], last[3]
            mailbox = g.r.choice([m for m in MAILBOXES if m != last[4]])
            folder, sub = "Inbox", ""
            n_dup += 1
        last = (msg, subject, mid, has_att, mailbox)
        parts = [out, "Exchange", f"{mailbox} (Primary)", folder] + ([sub] if sub else [])
        d = os.path.join(*parts)
        os.makedirs(d, exist_ok=True)
        name = f"{safe_name(subject)} {idx:06d}.eml"
        data = msg.as_bytes(policy=POLICY)
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        total_bytes += len(data)
        n_eml += 1
        rel = os.path.relpath(os.path.join(d, name), out)
        results.append({
            "Document ID": str(idx),
            "Item Identity": f"{idx:08x}",
            "Location": mailbox,
            "Location Name": mailbox.split("@")[0],
            "Original Path": "/".join([folder] + ([sub] if sub else [])),
            "Target Path": rel,
            "Subject or Title": subject,
            "Sender or Created by": str(msg["From"]),
            "Recipients in To line": str(msg["To"]),
            "Recipients in Cc line": str(msg["Cc"] or ""),
            "Recipients in Bcc line": "",
            "Sent": str(msg["Date"]),
            "Received or Created": str(msg["Date"]),
            "Has Attachments": "True" if has_att else "False",
            "Internet Message Id": mid,
            "Duplicate to Item": "",
            "Decode Status": "",
        })

    # Listed but missing: messages the export summary lists that never made it into the folder.
    missing = max(3, a.mails // 1000)
    for k in range(missing):
        results.append({
            "Document ID": str(900_000_000 + k),
            "Item Identity": f"missing{k}",
            "Location": MAILBOXES[k % len(MAILBOXES)],
            "Location Name": MAILBOXES[k % len(MAILBOXES)].split("@")[0],
            "Original Path": "Inbox",
            "Target Path": "",
            "Subject or Title": f"Re: {TOPICS[k % len(TOPICS)]} (not exported)",
            "Sender or Created by": "office@school.org.uk",
            "Recipients in To line": MAILBOXES[k % len(MAILBOXES)],
            "Recipients in Cc line": "",
            "Recipients in Bcc line": "",
            "Sent": format_datetime(EPOCH),
            "Received or Created": format_datetime(EPOCH),
            "Has Attachments": "False",
            "Internet Message Id": f"<missing-{k}@mail.school.org.uk>",
            "Duplicate to Item": "",
            "Decode Status": "",
        })
    with open(os.path.join(out, "Results.csv"), "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(results[0].keys()), lineterminator="\r\n")
        w.writeheader()
        w.writerows(results)

    # The Vault mbox: its own run of messages, From_ lines as Vault writes them.
    vault = os.path.join(out, "Vault")
    os.makedirs(vault, exist_ok=True)
    mbox_path = os.path.join(vault, f"SAR-014-{VAULT_ACCOUNT}.mbox")
    n_mbox = 0
    with open(mbox_path, "wb") as f:
        for idx, _mb, _fo, _sub, msg, _s, _mid, _att in g.messages(a.mails // 2, 5_000_000):
            data = msg.as_bytes(policy=POLICY).replace(b"\r\n", b"\n")
            when = datetime.strptime(str(msg["Date"]), "%a, %d %b %Y %H:%M:%S %z")
            f.write(f"From {1_700_000_000_000 + idx}@xxx {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}\n"
                    .encode())
            for line in data.split(b"\n"):
                stripped = line.lstrip(b">")
                if stripped.startswith(b"From "):
                    line = b">" + line
                f.write(line + b"\n")
            f.write(b"\n")
            n_mbox += 1
    mbox_bytes = os.path.getsize(mbox_path)

    manifest = os.path.normpath(out) + ".manifest.txt"
    with open(manifest, "w") as f:
        f.write(f"seed {a.seed}\n.eml messages {n_eml} (of which second copies {n_dup})\n"
                f"listed in Results.csv but missing {missing}\nmbox messages {n_mbox}\n"
                f"attachments {g.stats}\n.eml bytes {total_bytes}\nmbox bytes {mbox_bytes}\n")
    print(open(manifest).read(), end="", file=sys.stderr)


if __name__ == "__main__":
    main()
