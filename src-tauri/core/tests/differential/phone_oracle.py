#!/usr/bin/env python3
"""Reference oracle for Herald's phone parsing: Google's libphonenumber (Python port).

Reads JSON lines on stdin and answers one JSON line per request on stdout.

  {"input": "<cleaned string>", "region": "US"}
      -> {"e164": "+1..." | null, "valid": bool, "kind": "mobile" | ... | null,
          "reason": "<why invalid>" | null,
          "time_zones": ["America/New_York", ...]   (valid numbers only)}
  {"meta": "US"}
      -> {"possible_lengths": [...], "local_only_lengths": [...]}   (general description)
  {"cc": 1}
      -> {"regions": ["US", "AG", ...]}   (main region first; [] if unknown)
  {"version": true}
      -> {"phonenumbers": "9.0.33"}

`input` is the string Herald hands to its libphonenumber port after its own
cleaning (herald_core::compose::phone::clean), so both sides see the same text.

`reason` mirrors Herald's PhoneError where the number is not valid:
  parse errors            NOT_A_NUMBER, INVALID_COUNTRY_CODE, TOO_SHORT_AFTER_IDD,
                          TOO_SHORT_NSN, TOO_LONG
  parsed but not valid    the is_possible_number_with_reason() result:
                          TOO_SHORT, TOO_LONG, INVALID_LENGTH, INVALID_COUNTRY_CODE,
                          IS_POSSIBLE, IS_POSSIBLE_LOCAL_ONLY

The phonenumbers package must be the release that carries the same libphonenumber
metadata as the Rust `phonenumber` crate (see requirements.txt next to this file).
"""
import json
import sys

try:
    import phonenumbers
    from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType
    from phonenumbers.phonemetadata import PhoneMetadata
    from phonenumbers.phonenumberutil import ValidationResult
    from phonenumbers.timezone import time_zones_for_number
except ImportError as exc:  # pragma: no cover - reported to the Rust test
    sys.stderr.write(
        "phone_oracle: cannot import phonenumbers (%s). Install the pinned version with:\n"
        "  pip install --no-deps --require-hashes --target tests/differential/pydeps "
        "-r tests/differential/requirements.txt\n" % exc
    )
    sys.exit(3)

KINDS = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}

PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    NumberParseException.NOT_A_NUMBER: "NOT_A_NUMBER",
    NumberParseException.TOO_SHORT_AFTER_IDD: "TOO_SHORT_AFTER_IDD",
    NumberParseException.TOO_SHORT_NSN: "TOO_SHORT_NSN",
    NumberParseException.TOO_LONG: "TOO_LONG",
}

POSSIBLE = {
    ValidationResult.IS_POSSIBLE: "IS_POSSIBLE",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "IS_POSSIBLE_LOCAL_ONLY",
    ValidationResult.INVALID_COUNTRY_CODE: "INVALID_COUNTRY_CODE",
    ValidationResult.TOO_SHORT: "TOO_SHORT",
    ValidationResult.INVALID_LENGTH: "INVALID_LENGTH",
    ValidationResult.TOO_LONG: "TOO_LONG",
}


def answer(request):
    if "version" in request:
        return {"phonenumbers": phonenumbers.__version__}
    if "cc" in request:
        return {"regions": list(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(request["cc"], ()))}
    if "meta" in request:
        meta = PhoneMetadata.metadata_for_region(request["meta"], None)
        if meta is None:
            return {"possible_lengths": None, "local_only_lengths": None}
        desc = meta.general_desc
        return {
            "possible_lengths": sorted(desc.possible_length or ()),
            "local_only_lengths": sorted(desc.possible_length_local_only or ()),
        }

    try:
        number = phonenumbers.parse(request["input"], request["region"])
    except NumberParseException as exc:
        return {"e164": None, "valid": False, "kind": None,
                "reason": PARSE_ERRORS.get(exc.error_type, str(exc.error_type))}
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    if phonenumbers.is_valid_number(number):
        return {"e164": e164, "valid": True,
                "kind": KINDS[phonenumbers.number_type(number)], "reason": None,
                "time_zones": list(time_zones_for_number(number))}
    reason = POSSIBLE[phonenumbers.is_possible_number_with_reason(number)]
    return {"e164": e164, "valid": False, "kind": None, "reason": reason}


def main():
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        out.write(json.dumps(answer(json.loads(line))) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
