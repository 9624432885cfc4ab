#!/usr/bin/env python3
"""Writes timezones_map_data.txt (beside this file) from the pinned Python `phonenumbers`
package: libphonenumber's resources/timezones/map_data.txt of the same release as the
phone metadata Herald embeds. Run by `make tzdata`."""
import os
import phonenumbers
import phonenumbers.tzdata as t

HEADER = """# libphonenumber's phone-number-prefix to time-zone map (resources/timezones/map_data.txt),
# release {version} (the release of the phone metadata Herald embeds; see
# herald_core::compose::phone::LIBPHONENUMBER_METADATA). Copyright (C) 2012 The Libphonenumber
# Authors, Apache License 2.0. Regenerate with `make tzdata` after a metadata bump.
#
# Each line: a prefix of the E.164 number without '+', '|', the zones joined by '&'."""

lines = HEADER.format(version=phonenumbers.__version__).split("\n")
for prefix in sorted(t.TIMEZONE_DATA, key=lambda p: (len(p), p)):
    lines.append("%s|%s" % (prefix, "&".join(t.TIMEZONE_DATA[prefix])))
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "timezones_map_data.txt")
with open(out, "w") as f:
    f.write("\n".join(lines) + "\n")
