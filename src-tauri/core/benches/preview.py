"""`make bench-preview`: `herald-cli preview` end to end (a process reading a CSV file and
writing its output to a file) against the Python baseline (preview_baseline.py, Google's
libphonenumber) in the same run, at 10k, 50k, 250k and 1M rows: wall time, the ratio,
and each process's peak resident memory (from wait4's rusage).

    python3 preview.py path/to/release/herald-cli [ROWS ...]
"""

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = ("Hi ${FirstName}, your ${MemberType} membership renews on ${RenewalDate}. "
            "Renew online before then to keep your benefits. Reply STOP to opt out.")
FIRST = ["Jane", "Zoë", "Ana", "José", "Li", "Mohammed", "Siobhán", "Kim", "Ola 🌻", "Sam"]
LAST = ["Brown", "Müller", "García", "O'Neil", "Nguyen", "Smith", "Łukasz", "Lee"]
TYPES = ["Regular", "Student", "Retired", "Fellow"]


def audience(path, rows):
    """The prepare bench's audience: messy formats, blanks, shared family numbers."""
    seed = 0x4845_5241_4C44
    mask = (1 << 64) - 1
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("ID,FirstName,LastName,MemberType,RenewalDate,Mobile\n")
        for i in range(rows):
            seed ^= (seed << 13) & mask
            seed ^= seed >> 7
            seed ^= (seed << 17) & mask
            r = seed
            n = 2_015_550_000 + r % 9_000 + (0 if r % 20 == 0 else (i % 7) * 10_000)
            d = str(n)
            k = r % 10
            if k == 0:
                phone = f"({d[:3]}) {d[3:6]}-{d[6:]}"
            elif k == 1:
                phone = f"{d[:3]}.{d[3:6]}.{d[6:]}"
            elif k == 2:
                phone = f"+1 {d[:3]} {d[3:6]} {d[6:]}"
            elif k == 3:
                phone = f"{d} ext 2"
            elif k == 4 and r % 3 == 0:
                phone = ""
            elif k == 5 and r % 4 == 0:
                phone = "N/A"
            else:
                phone = d
            first = FIRST[(r >> 8) % len(FIRST)]
            last = LAST[(r >> 16) % len(LAST)]
            kind = TYPES[(r >> 24) % len(TYPES)]
            renew = f"2027-0{1 + (r >> 32) % 9}-1{(r >> 36) % 10}"
            f.write(f"{100_000 + i},{first},{last},{kind},{renew},\"{phone}\"\n")


def measure(argv, out_path, env=None):
    """Wall time (s) and peak RSS (MB) of one process writing its output to a file."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{argv[0]} failed: {proc.stderr.read().decode()}")
    return took, usage.ru_maxrss / 1024


def main():
    cli = os.path.abspath(sys.argv[1])
    sizes = [int(s) for s in sys.argv[2:]] or [10_000, 50_000, 250_000, 1_000_000]
    env = dict(os.environ)
    pydeps = os.path.join(HERE, "..", "tests", "differential", "pydeps")
    env["PYTHONPATH"] = os.path.abspath(pydeps)
    print(f"herald-cli preview vs Python + libphonenumber, {os.cpu_count()} cores; "
          "best of 2 (time), output to a file")
    print(f"{'rows':>9} {'input MB':>9} {'python s':>9} {'python MB':>10} "
          f"{'json s':>7} {'ratio':>6} {'json MB':>8} {'csv s':>6} {'csv MB':>7} "
          f"{'summary s':>9} {'ns/row':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        os.mkdir(data)
        for rows in sizes:
            csv_path = os.path.join(tmp, f"audience-{rows}.csv")
            audience(csv_path, rows)
            base = ["--data-dir", data, "preview", "--csv", csv_path, "--id-column", "ID",
                    "--phone-column", "Mobile", "--template", TEMPLATE]
            out = os.path.join(tmp, "out")
            runs = 1 if rows >= 1_000_000 else 2
            py = min(measure([sys.executable, os.path.join(HERE, "preview_baseline.py"),
                              csv_path, "ID", "Mobile", TEMPLATE], out, env)
                     for _ in range(runs))
            js = min(measure([cli, *base, "--format", "json"], out) for _ in range(2))
            cs = min(measure([cli, *base, "--format", "csv"], out) for _ in range(2))
            su = min(measure([cli, *base, "--summary-only"], out) for _ in range(2))
            print(f"{rows:>9} {os.path.getsize(csv_path) / 1e6:>9.1f} {py[0]:>9.2f} "
                  f"{py[1]:>10.0f} {js[0]:>7.3f} {js[0] / py[0]:>6.3f} {js[1]:>8.0f} "
                  f"{cs[0]:>6.3f} {cs[1]:>7.0f} {su[0]:>9.3f} {js[0] / rows * 1e9:>7.0f}",
                  flush=True)
            os.remove(csv_path)


if __name__ == "__main__":
    main()
