#!/usr/bin/env python3
"""Benchmark of the data-supervision engine (issue #3 §6); `scripts/bench` builds and calls it.

Steps, each a separate process whose wall time and peak resident memory (wait4) are measured:

1. `qinglian synth --scale SCALE` writes the canonical datasets (Parquet) with planted truth.
2. `qinglian model prepare` imports them: reads, normalises ID numbers, credit codes and names,
   writes canonical Parquet (what the platform's dataset store holds).
3. Every built-in model alone (`qinglian model run --prepared --models ID`), then all models in
   one process; beside each model the same SQL (`qinglian model sql ID`) run by DuckDB on the
   same Parquet files, each in a fresh process; ratio = qinglian seconds / DuckDB seconds.
4. A 1,000,000-row .xlsx of benefit payments imported by `qinglian model prepare`, beside
   `pandas.read_excel(engine="openpyxl")` reading the same file.
5. Red flags over 500,000 OCDS compiled releases: `qinglian redflags indicators` beside
   Cardinal's `ocdscardinal indicators` (when installed) with the same settings, and whether the
   two outputs are equal.

Query seconds are measured inside each process (the engine's own timer for qinglian, a timer
around execute+fetch for DuckDB): both read the same Parquet files from a warm page cache, with
the same number of threads. The report is Markdown on stdout (and in --report FILE).
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time

DATASET_NAMES = [
    "persons", "deaths", "payroll", "benefit_payments", "benefit_filings", "relatives",
    "vehicles", "properties", "enterprises", "shareholders", "tenders", "bids", "awards",
    "purchases", "shared_ips", "roster", "declared_relatives",
]
CARDINAL_SETTINGS = (
    "currency = CNY\n[R003]\n[R018]\n[R024]\n[R025]\n[R028]\n[R030]\n[R035]\n[R036]\n[R038]\n[R048]\n[R058]\n"
)
DUCKDB_MAX_SPILL = "20GB"
# R038 with every buyer included: then documented difference 3 (crates/qinglian-redflags/
# DIFFERENCES.md, Cardinal compares this minimum with bids rather than processes) cannot apply.
CARDINAL_SETTINGS_EQUAL = CARDINAL_SETTINGS.replace("[R038]\n", "[R038]\nminimum_contracting_processes = 1\n")


def differing_groups(a, b):
    """Groups (OCID, Buyer…) whose results differ between two outputs, as JSON values."""
    return sorted(g for g in set(a) | set(b) if a.get(g) != b.get(g))


class Measured:
    def __init__(self, seconds, peak_bytes, stdout, stderr, code):
        self.seconds = seconds
        self.peak_bytes = peak_bytes
        self.stdout = stdout
        self.stderr = stderr
        self.code = code


def measure(cmd, env=None, check=True, timeout=None):
    """Runs cmd; wall seconds and peak RSS of that process (not its siblings) via wait4. With a
    timeout the process is killed after that many seconds (its exit code is then negative)."""
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        timer = threading.Timer(timeout, proc.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        if timer:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        m = Measured(seconds, usage.ru_maxrss * 1024, out.read().decode("utf-8", "replace"),
                     err.read().decode("utf-8", "replace"), proc.returncode)
    if check and m.code != 0:
        sys.stderr.write(m.stderr[-4000:])
        raise SystemExit(f"command failed ({m.code}): {' '.join(cmd)}")
    return m


def mb(n):
    return f"{n / 1e6:,.0f}"


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- DuckDB side (runs in its own process: `bench.py duckdb-query DIR SQLFILE THREADS`) -------------

def duckdb_sql(sql):
    """The model SQL in DuckDB's dialect; two spellings differ, everything else runs unchanged:
    DataFusion's to_char(date, '%Y-%m') is DuckDB's strftime(date, '%Y-%m'), and a date cast to
    BIGINT (days since 1970-01-01, dates are the `*_on` columns) is `date - DATE '1970-01-01'`."""
    sql = re.sub(r"\bto_char\(", "strftime(", sql)
    return re.sub(r"CAST\(((?:\w+\.)?\w+_on) AS BIGINT\)", r"(\1 - DATE '1970-01-01')", sql)


def duckdb_query(prepared, sql_file, threads, temp_dir):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads)}")
    # Spill files go to the work directory, bounded: a query that needs more fails and says so.
    con.execute(f"SET temp_directory = '{temp_dir}'")
    con.execute(f"SET max_temp_directory_size = '{DUCKDB_MAX_SPILL}'")
    for name in DATASET_NAMES:
        path = os.path.join(prepared, f"{name}.parquet")
        con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
    with open(sql_file, encoding="utf-8") as f:
        sql = duckdb_sql(f.read())
    started = time.perf_counter()
    try:
        rows = con.execute(sql).fetchall()
    except duckdb.Error as e:
        print(json.dumps({"error": str(e).splitlines()[0][:200], "seconds": time.perf_counter() - started}))
        return
    seconds = time.perf_counter() - started
    cols = [d[0] for d in con.description]
    subject = cols.index("subject")
    period = cols.index("period") if "period" in cols else None
    keys = {(r[subject], r[period] if period is not None else None) for r in rows}
    print(json.dumps({"seconds": seconds, "rows": len(rows), "findings": len(keys)}))


SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"]
PROGRAMS = ["城乡低保", "特困人员救助供养", "城乡居民养老金", "高龄津贴"]


def id_number(region, born, seq):
    """An 18-digit resident ID number with its GB 11643 check character."""
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


def write_xlsx(path, rows):
    """A benefit-payment sheet of `rows` rows × 8 columns (text ID numbers, names, programs,
    periods, amounts, region codes, household ids, real dates), as a government export has them
    (the same layout as crates/qinglian-analytics/examples/bench_xlsx.rs)."""
    import datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["身份证号", "姓名", "项目", "发放年月", "金额", "行政区划代码", "户编号", "发放日期"])
    birth = datetime.date(1960, 1, 1)
    for i in range(rows):
        person, month = i // 12, i % 12 + 1
        born = birth + datetime.timedelta(days=person // 999 % 15000)
        paid = WriteOnlyCell(ws, datetime.date(2024, month, 20))
        paid.number_format = "yyyy-mm-dd"
        ws.append([
            id_number("110105", born, person % 999), SURNAMES[person % 10] + GIVEN[person // 10 % 10],
            PROGRAMS[person % 4], f"2024-{month:02d}", 300 + person % 700 + 0.5, f"110105{person % 200:03d}",
            f"H{person // 3:08d}", paid,
        ])
    wb.save(path)


def pandas_xlsx(path):
    import pandas

    started = time.perf_counter()
    frame = pandas.read_excel(path, engine="openpyxl", dtype=str)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": len(frame)}))


# --- qinglian side --------------------------------------------------------------------------------

def model_ids(bin_path):
    """The built-in model ids, in library order (`qinglian model list`: id TAB title)."""
    return [line.split("\t")[0] for line in measure([bin_path, "model", "list"]).stdout.splitlines() if line]


def parse_table(stdout):
    """(findings, seconds) per model from `model run`'s summary table."""
    result = {}
    for line in stdout.splitlines():
        m = re.match(r"^(\w+)\s+.*?\s+(\d+)\s+([\d.]+)秒$", line)
        if m and m.group(1) != "合计":
            result[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    return result


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "duckdb-query":
        return duckdb_query(*sys.argv[2:6])
    if len(sys.argv) > 1 and sys.argv[1] == "pandas-xlsx":
        return pandas_xlsx(sys.argv[2])

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", required=True, help="release qinglian binary")
    ap.add_argument("--synth-redflags", help="release synth_redflags example (writes OCDS releases)")
    ap.add_argument("--cardinal", default=os.environ.get("CARDINAL", shutil.which("ocdscardinal") or
                                                          "/root/.cache/ocdscardinal/bin/ocdscardinal"))
    ap.add_argument("--work", required=True, help="work directory (kept; data is reused when present)")
    ap.add_argument("--scale", default="city", choices=["small", "city", "province"])
    ap.add_argument("--seed", default="7")
    ap.add_argument("--xlsx-rows", type=int, default=1_000_000)
    ap.add_argument("--releases", type=int, default=500_000)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--duckdb-timeout", type=int, default=300,
                    help="seconds after which a DuckDB query is stopped and reported as not finished")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: models,xlsx,redflags")
    ap.add_argument("--report", help="also write the Markdown report here")
    args = ap.parse_args()
    skip = {s for s in args.skip.split(",") if s}
    os.makedirs(args.work, exist_ok=True)
    lines = []

    def out(text=""):
        lines.append(text)
        print(text, flush=True)

    import duckdb  # noqa: F401  (fail early when the comparison tools are missing)

    out(f"# qinglian benchmark ({time.strftime('%Y-%m-%d')})")
    out()
    out(f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB RAM; "
        f"DuckDB {duckdb.__version__}; threads {args.threads}.")
    out()

    if "models" not in skip:
        raw = os.path.join(args.work, f"{args.scale}-{args.seed}-raw")
        prepared = os.path.join(args.work, f"{args.scale}-{args.seed}-prepared")
        if not os.path.exists(os.path.join(raw, "truth.csv")):
            log(f"synth --scale {args.scale} --seed {args.seed}")
            m = measure([args.bin, "synth", "--scale", args.scale, "--seed", args.seed, "--out", raw])
            out(f"Generated `{args.scale}` data (seed {args.seed}) in {m.seconds:.1f} s, peak {mb(m.peak_bytes)} MB.")
        log("model prepare (import)")
        m = measure([args.bin, "model", "prepare", "--datasets", raw, "--out", prepared])
        rows = {}
        for line in m.stdout.splitlines():
            hit = re.match(r"^(\w+)\.parquet\s+(\d+)行", line)
            if hit:
                rows[hit.group(1)] = int(hit.group(2))
        out()
        out("## Import and models at " + args.scale + " scale")
        out()
        out(f"Import (`qinglian model prepare`: read, normalise, write Parquet) of {sum(rows.values()):,} rows "
            f"in {len(rows)} datasets: **{m.seconds:.1f} s**, peak {mb(m.peak_bytes)} MB.")
        out()
        out("| dataset | rows |")
        out("|---|---:|")
        for name in DATASET_NAMES:
            if name in rows:
                out(f"| {name} | {rows[name]:,} |")
        out()
        out("| model | findings | qinglian s | qinglian peak MB | DuckDB s | DuckDB peak MB | ratio |")
        out("|---|---:|---:|---:|---:|---:|---:|")
        ids = [i for i in model_ids(args.bin) if i != "redflags"]  # red flags: part 5
        total_q = total_d = total_both = 0.0
        slower = []
        failed = []
        for model in ids:
            log(f"model {model}")
            m = measure([args.bin, "model", "run", "--prepared", "--datasets", prepared, "--models", model])
            findings, seconds = parse_table(m.stdout)[model]
            sql = measure([args.bin, "model", "sql", model]).stdout
            sql_file = os.path.join(args.work, f"{model}.sql")
            with open(sql_file, "w", encoding="utf-8") as f:
                f.write(sql)
            temp_dir = os.path.join(args.work, "duckdb-tmp")
            d = measure([sys.executable, __file__, "duckdb-query", prepared, sql_file, str(args.threads), temp_dir],
                        check=False, timeout=args.duckdb_timeout)
            shutil.rmtree(temp_dir, ignore_errors=True)
            if d.code != 0 or not d.stdout.strip():
                dj = {"error": f"stopped after {d.seconds:.0f} s (limit {args.duckdb_timeout} s) or failed "
                               f"(exit {d.code})", "seconds": d.seconds}
            else:
                dj = json.loads(d.stdout)
            total_q += seconds
            if "error" in dj:
                failed.append(model)
                out(f"| {model} | {findings:,} | {seconds:.2f} | {mb(m.peak_bytes)} | not finished: "
                    f"{dj['error']} | {mb(d.peak_bytes)} | — |")
                continue
            total_d += dj["seconds"]
            total_both += seconds
            ratio = seconds / dj["seconds"] if dj["seconds"] > 0 else float("inf")
            if ratio >= 1.0:
                slower.append(model)
            same = "" if dj["findings"] == findings else f" (DuckDB: {dj['findings']} subjects)"
            out(f"| {model} | {findings:,}{same} | {seconds:.2f} | {mb(m.peak_bytes)} | {dj['seconds']:.2f} | "
                f"{mb(d.peak_bytes)} | {ratio:.2f} |")
        if failed:
            out(f"| **sum** (models DuckDB ran) | | **{total_both:.2f}** | | **{total_d:.2f}** | | "
                f"**{total_both / total_d:.2f}** |")
            out(f"| **sum** (all models) | | **{total_q:.2f}** | | | | |")
        else:
            out(f"| **sum** | | **{total_q:.2f}** | | **{total_d:.2f}** | | **{total_q / total_d:.2f}** |")
        out()
        log("all models in one process")
        m = measure([args.bin, "model", "run", "--prepared", "--datasets", prepared])
        table = parse_table(m.stdout)
        out(f"All {len(table)} models in one process (`qinglian model run --prepared`): "
            f"**{m.seconds:.1f} s** wall, peak **{mb(m.peak_bytes)} MB**.")
        if slower:
            out()
            out("Slower than DuckDB (ratio ≥ 1.0): " + ", ".join(slower) + ".")
        if failed:
            out()
            out(f"DuckDB did not finish (time limit, more than {DUCKDB_MAX_SPILL} of spill files, or another error): "
                + ", ".join(failed) + ".")
        out()

    if "xlsx" not in skip:
        xdir = os.path.join(args.work, f"xlsx-{args.xlsx_rows}")
        book = os.path.join(xdir, "benefit_payments.xlsx")
        os.makedirs(xdir, exist_ok=True)
        if not os.path.exists(book):
            log(f"writing {args.xlsx_rows:,}-row workbook")
            write_xlsx(book + ".tmp.xlsx", args.xlsx_rows)
            os.rename(book + ".tmp.xlsx", book)
        log("xlsx import")
        m = measure([args.bin, "model", "prepare", "--datasets", xdir, "--out", xdir + "-prepared"])
        log("pandas + openpyxl")
        p = measure([sys.executable, __file__, "pandas-xlsx", book])
        pj = json.loads(p.stdout)
        out("## Excel import")
        out()
        out(f"{args.xlsx_rows:,} rows × 8 columns ({os.path.getsize(book) / 1e6:.0f} MB .xlsx):")
        out()
        out("| tool | seconds | peak MB |")
        out("|---|---:|---:|")
        out(f"| qinglian `model prepare` (read, normalise, write Parquet) | {m.seconds:.1f} | {mb(m.peak_bytes)} |")
        out(f"| pandas.read_excel, openpyxl (read only, {pj['rows']:,} rows) | {p.seconds:.1f} | {mb(p.peak_bytes)} |")
        out()
        out(f"Speed-up: **{p.seconds / m.seconds:.1f}×**.")
        out()

    if "redflags" not in skip and args.synth_redflags:
        jsonl = os.path.join(args.work, f"releases-{args.releases}.jsonl")
        if not os.path.exists(jsonl):
            log(f"writing {args.releases:,} releases")
            with open(jsonl, "wb") as f:
                subprocess.run([args.synth_redflags, str(args.releases), "42"], stdout=f, check=True)
        settings = {}
        for name, text in [("default", CARDINAL_SETTINGS), ("equal", CARDINAL_SETTINGS_EQUAL)]:
            settings[name] = os.path.join(args.work, f"redflags-{name}.ini")
            with open(settings[name], "w") as f:
                f.write(text)
        out("## Red flags")
        out()
        out(f"{args.releases:,} compiled releases ({os.path.getsize(jsonl) / 1e6:.0f} MB JSON lines), "
            "all 11 indicators, default thresholds:")
        out()
        out("| tool | seconds | releases/s | peak MB |")
        out("|---|---:|---:|---:|")
        cardinal = os.path.exists(args.cardinal)
        results = {}
        for name in ["default", "equal"]:
            log(f"qinglian redflags ({name} settings)")
            q = measure([args.bin, "redflags", "indicators", "--settings", settings[name], "--no-meta", jsonl])
            c = None
            if cardinal:
                log(f"cardinal ({name} settings)")
                c = measure([args.cardinal, "indicators", "--settings", settings[name], "--no-meta", jsonl])
            results[name] = (q, c)
        q, c = results["default"]
        out(f"| qinglian redflags indicators | {q.seconds:.1f} | {args.releases / q.seconds:,.0f} | {mb(q.peak_bytes)} |")
        if cardinal:
            out(f"| ocdscardinal indicators | {c.seconds:.1f} | {args.releases / c.seconds:,.0f} | {mb(c.peak_bytes)} |")
            out()
            out(f"Throughput ratio qinglian/Cardinal: **{c.seconds / q.seconds:.1f}×**.")
            out()
            diff = differing_groups(json.loads(q.stdout), json.loads(c.stdout))
            out("Default settings: outputs " + ("**equal**." if not diff else
                "differ in " + ", ".join(diff) + " (expected only Buyer/ProcuringEntity: DIFFERENCES.md §3)."))
            q2, c2 = results["equal"]
            diff = differing_groups(json.loads(q2.stdout), json.loads(c2.stdout))
            out("With `[R038] minimum_contracting_processes = 1` (difference 3 cannot apply): outputs " +
                ("**equal**." if not diff else "**differ** in " + ", ".join(diff) + "."))
        else:
            out()
            out(f"Cardinal not found at {args.cardinal}: no comparison.")
        out()

    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
