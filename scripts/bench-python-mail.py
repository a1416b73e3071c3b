#!/usr/bin/env python3
"""The peer for scripts/bench-ingest.sh: what a school's IT person might script with Python's
standard library to read the same export. Every .eml file under DIR is parsed with
email.message_from_binary_file, every .mbox with mailbox.mbox; for each message it takes the
headers (Message-ID, From, To, Cc, Date, Subject), the body text (plain, else HTML) and decodes
every attachment, and hashes the raw message with SHA-256. It does not read inside attachments
(no PDF, .docx or CSV text), write anything per item, or de-duplicate: less work than
`disclose ingest` does on the same export.

  bench-python-mail.py DIR      prints one line: messages, attachments, bytes, seconds
"""
import email
import email.policy
import hashlib
import mailbox
import os
import sys
import time


def visit(msg, counts):
    counts["messages"] += 1
    for h in ("message-id", "from", "to", "cc", "date", "subject"):
        v = msg[h]
        if v is not None:
            counts["header_chars"] += len(str(v))
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is not None:
        try:
            counts["text_chars"] += len(body.get_content())
        except (LookupError, ValueError):
            counts["errors"] += 1
    for part in msg.iter_attachments():
        counts["attachments"] += 1
        try:
            content = part.get_content()
        except (LookupError, ValueError, KeyError):
            counts["errors"] += 1
            continue
        if isinstance(content, email.message.Message):
            visit(content, counts)
        else:
            counts["attachment_bytes"] += len(content)


def main():
    root = sys.argv[1]
    counts = dict(messages=0, attachments=0, attachment_bytes=0, text_chars=0, header_chars=0,
                  errors=0, bytes=0, files=0)
    t0 = time.perf_counter()
    policy = email.policy.default
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.lower().endswith(".eml"):
                counts["files"] += 1
                counts["bytes"] += os.path.getsize(path)
                with open(path, "rb") as f:
                    raw = f.read()
                hashlib.sha256(raw).hexdigest()
                visit(email.message_from_bytes(raw, policy=policy), counts)
            elif name.lower().endswith(".mbox"):
                counts["files"] += 1
                counts["bytes"] += os.path.getsize(path)
                box = mailbox.mbox(path, factory=None, create=False)
                for key in box.iterkeys():
                    raw = box.get_bytes(key)
                    hashlib.sha256(raw).hexdigest()
                    visit(email.message_from_bytes(raw, policy=policy), counts)
    dt = time.perf_counter() - t0
    print(
        f"python email/mailbox: {counts['messages']} messages ({counts['attachments']} attachments "
        f"decoded, {counts['errors']} errors) from {counts['files']} files, "
        f"{counts['bytes'] / 1e6:.1f} MB in {dt:.2f}s: {counts['messages'] / dt:.0f} messages/s, "
        f"{counts['bytes'] / 1e6 / dt:.2f} MB/s"
    )
    print(f"PYRESULT messages={counts['messages']} seconds={dt:.3f} bytes={counts['bytes']}")


if __name__ == "__main__":
    main()
