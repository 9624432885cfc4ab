"""The baseline for `make bench-preview`: the work of `herald-cli preview --format json`
done the short way in Python with Google's libphonenumber (the `phonenumbers` package).

For each CSV row: parse the number for the default region, validate it, refuse
landlines, format it in E.164, merge the template, count encoding and segments
(GSM-7 septets or UCS-2 code units, 153/67 per part of a long message), settle
opt-outs and duplicates in row order (the first row with a number wins), then print
one compact JSON document: every recipient and the summary's counts.

    python3 preview_baseline.py FILE.csv ID_COLUMN PHONE_COLUMN TEMPLATE [REGION]
"""

import csv
import json
import math
import re
import sys

import phonenumbers
from phonenumbers import PhoneNumberType

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€\f")
SENDABLE = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.PAGER,
    PhoneNumberType.VOIP,
    PhoneNumberType.UNKNOWN,
}


def segments(body):
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        units = sum(2 if c in GSM_EXTENSION else 1 for c in body)
        return "GSM-7", 1 if units <= 160 else math.ceil(units / 153)
    units = len(body.encode("utf-16-le")) // 2
    return "UCS-2", 1 if units <= 70 else math.ceil(units / 67)


def main():
    path, id_column, phone_column, template = sys.argv[1:5]
    region = sys.argv[5] if len(sys.argv) > 5 else "US"
    field = re.compile(r"\$\{([^}]+)\}")
    out = sys.stdout
    counts = {"contacts_pulled": 0, "to_send": 0, "invalid": 0, "duplicates": 0,
              "estimated_segments": 0, "ucs2_messages": 0}
    first_with = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f)
        header = next(rows)
        index = {name: i for i, name in enumerate(header)}
        id_i, phone_i = index[id_column], index[phone_column]
        out.write('{"recipients":[')
        for n, row in enumerate(rows):
            counts["contacts_pulled"] += 1
            imis_id, raw = row[id_i].strip(), row[phone_i]
            rec = {"row": n + 2, "imis_id": imis_id or None, "phone": raw, "to": None,
                   "status": "queued", "reason": None, "body": "", "encoding": "GSM-7",
                   "segments": 0}
            try:
                number = phonenumbers.parse(raw, region)
                if not phonenumbers.is_valid_number(number):
                    raise phonenumbers.NumberParseException(0, "invalid number")
                rec["to"] = phonenumbers.format_number(
                    number, phonenumbers.PhoneNumberFormat.E164)
                if phonenumbers.number_type(number) not in SENDABLE:
                    raise phonenumbers.NumberParseException(0, "landline")
                body = field.sub(lambda m: row[index[m.group(1)]], template)
                rec["body"] = body
                rec["encoding"], rec["segments"] = segments(body)
                if rec["to"] in first_with:
                    rec["status"], rec["reason"] = "skipped", "duplicate of " + first_with[rec["to"]]
                    counts["duplicates"] += 1
                else:
                    first_with[rec["to"]] = imis_id
                    counts["to_send"] += 1
                    counts["estimated_segments"] += rec["segments"]
                    counts["ucs2_messages"] += rec["encoding"] == "UCS-2"
            except phonenumbers.NumberParseException as e:
                rec["status"], rec["reason"] = "error", "invalid phone number: " + str(e)
                counts["invalid"] += 1
            if n:
                out.write(",")
            out.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        out.write('],"summary":')
        out.write(json.dumps(counts, separators=(",", ":")))
        out.write("}\n")


if __name__ == "__main__":
    main()
