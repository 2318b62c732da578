"""``make bench``: every benchmark under bench/, one table of figures and ratios.

    .venv/bin/python bench/run.py

Runs bench/pages.py (pages and list APIs against the floor at 1x and 10x, the booking rush
against a floor write, the leaderboard API at 1,000 and 10,000 members), then
bench/reminder_sweep.py, bench/booking.py and bench/leaderboard.py as they are, each with a time
limit so the whole run stops within 15 minutes. Each builds and drops its own database; all
traffic goes to 127.0.0.1. Prints one table and writes it, with the machine's description, to
bench/results.md.
"""
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
# (script, time limit in seconds); the limits add up to under 15 minutes.
OTHERS = [("reminder_sweep.py", 300), ("booking.py", 90), ("leaderboard.py", 60)]
PAGES_LIMIT = 660  # about 500 s on the 2-core machine; the budget below still bounds the run
BUDGET = 890  # seconds for the whole run

PUBLIC_SHARE, SIGNED_IN_SHARE, P99_LIMIT, TENFOLD_SHARE, RUSH_SHARE = 0.5, 0.25, 3.0, 0.8, 0.5


def _machine() -> str:
    memory = ""
    try:
        kib = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        pass
    postgres = "?"
    try:
        import psycopg2

        conn = psycopg2.connect(os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
        with conn.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        conn.close()
    except Exception as exc:  # the description must not stop the run
        postgres = f"unknown ({exc.__class__.__name__})"
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    model = ""
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} cores ({model}), {memory} memory, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, PostgreSQL {postgres}; load average at the start {load}")


def _run(script: str, limit: int, *args: str) -> tuple[int | str, float, str]:
    began = time.monotonic()
    try:
        done = subprocess.run([PYTHON, str(BENCH / script), *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=limit, env={"LOG_LEVEL": "WARNING", **os.environ, "PYTHONUNBUFFERED": "1"})
        status, output = done.returncode, done.stdout + done.stderr[-2000:]
    except subprocess.TimeoutExpired as exc:
        status = "timeout"
        output = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    return status, time.monotonic() - began, output


def _share(page: dict, floor: dict) -> float:
    return page["rps"] / floor["rps"] if floor["rps"] else 0.0


def _page_rows(data: dict) -> list[list[str]]:
    rows = []
    for label, one in data["1x"].items():
        ten, bare = data["10x"][label], data["1x_nocache"][label]
        signed_in = "(signed in)" in label
        goal = SIGNED_IN_SHARE if signed_in else PUBLIC_SHARE
        share1, share10 = _share(one["page"], one["floor"]), _share(ten["page"], ten["floor"])
        p99 = one["page"]["p99"] / one["floor"]["p99"] if one["floor"]["p99"] else 0
        p99_10 = ten["page"]["p99"] / ten["floor"]["p99"] if ten["floor"]["p99"] else 0
        # 10x against 1x as shares of the floor measured beside each: the two runs are minutes
        # apart, and a machine that slows between them (another tenant, the CPU's clock) slows the
        # floor alike, which a plain req/s ratio would take for the data's size.
        growth = share10 / share1 if share1 else 0
        raw_growth = ten["page"]["rps"] / one["page"]["rps"] if one["page"]["rps"] else 0
        errors = one["page"]["errors"] + ten["page"]["errors"] + bare["page"]["errors"]
        met = (share1 >= goal and share10 >= goal and p99 <= P99_LIMIT and p99_10 <= P99_LIMIT
               and growth >= TENFOLD_SHARE and not errors)
        rows.append([
            f"`{label}`",
            f"1x: {one['page']['rps']:.0f} vs floor {one['floor']['rps']:.0f} req/s, p99 {one['page']['p99']:.1f} vs "
            f"{one['floor']['p99']:.1f} ms ({one['bytes']:,} B); 10x: {ten['page']['rps']:.0f} vs "
            f"{ten['floor']['rps']:.0f} req/s, p99 {ten['page']['p99']:.1f} ms; "
            f"no page cache: {bare['page']['rps']:.0f} req/s" + (f"; {errors} errors" if errors else ""),
            f"**{share1:.2f}** (p99 ×{p99:.1f}); 10x {share10:.2f} (p99 ×{p99_10:.1f}); 10x/1x {growth:.2f} "
            f"(req/s alone {raw_growth:.2f}); "
            f"no cache {_share(bare['page'], one['floor']):.3f}",
            f"≥ {goal} of floor, p99 ≤ ×{P99_LIMIT:.0f}, 10x/1x ≥ {TENFOLD_SHARE}",
            "yes" if met else "no",
        ])
    return rows


def _other_rows(data: dict) -> list[list[str]]:
    rows = []
    rush = data["rush"]
    share = rush["booking"]["created_per_s"] / rush["floor"]["created_per_s"] if rush["floor"]["created_per_s"] else 0
    errors = rush["booking"]["errors"] + rush["floor"]["errors"]
    rows.append([
        "booking rush (wrk POST `/api/v1/bookings/`, each a new person)",
        f"{rush['booking']['created_per_s']:.0f} bookings/s, p99 {rush['booking']['p99']:.0f} ms vs floor "
        f"{rush['floor']['created_per_s']:.0f} one-row writes/s, p99 {rush['floor']['p99']:.0f} ms; "
        f"oversold {rush['oversold']}, 5xx {errors}",
        f"**{share:.2f}**", f"≥ {RUSH_SHARE}, 0 oversold, 0 5xx",
        "yes" if share >= RUSH_SHARE and not rush["oversold"] and not errors else "no",
    ])
    board = data["leaderboard"]
    small, big = board["1000"], board["10000"]
    # Fresh: as shares of the floor measured beside each (see _page_rows); kept has no floor run.
    fresh = (_share(big["fresh"]["page"], big["fresh"]["floor"]) / _share(small["fresh"]["page"], small["fresh"]["floor"])
             if _share(small["fresh"]["page"], small["fresh"]["floor"]) else 0)
    kept = big["kept"]["page"]["rps"] / small["kept"]["page"]["rps"] if small["kept"]["page"]["rps"] else 0
    rows.append([
        "leaderboard API, 1,000 → 10,000 members",
        f"rendered fresh: {small['fresh']['page']['rps']:.0f} → {big['fresh']['page']['rps']:.0f} req/s, p50 "
        f"{small['fresh']['page']['p50']:.1f} → {big['fresh']['page']['p50']:.1f} ms; kept: "
        f"{small['kept']['page']['rps']:.0f} → {big['kept']['page']['rps']:.0f} req/s; floor "
        f"{small['fresh']['floor']['rps']:.0f} → {big['fresh']['floor']['rps']:.0f} req/s",
        f"**{fresh:.2f}** fresh; {kept:.2f} kept", "≈ 1 (constant in time)",
        "yes" if fresh >= TENFOLD_SHARE and kept >= TENFOLD_SHARE else "no",
    ])
    return rows


def _script_row(script: str, status, seconds: float, output: str) -> list[str]:
    skip = ("building", "temporary", "migrating", "task ", "warning", "traceback")
    lines = [line.strip() for line in output.splitlines()
             if any(ch.isdigit() for ch in line) and not line.lower().startswith(skip) and set(line.strip()) != {"-"}]
    figures = "<br>".join(line.replace("|", "\\|") for line in lines[-14:]) or "(no output)"
    return [f"`bench/{script}`", figures, f"exit {status}, {seconds:.0f} s", "its own goals (printed)",
            "ok" if status == 0 else "no"]


def main() -> int:
    began = time.monotonic()
    machine = _machine()
    print(machine, flush=True)
    rows: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "pages.json"
        print("bench/pages.py ...", flush=True)
        status, seconds, output = _run("pages.py", PAGES_LIMIT, str(result))
        if status == 0 and result.exists():
            data = json.loads(result.read_text())
            rows += _page_rows(data) + _other_rows(data)
            settings_note = (f"wrk {data['connections']} connections × {data['seconds']} s per URL, gunicorn 2 "
                             f"workers, PostgreSQL, DEBUG off, page cache in {data['cache']}")
        else:
            rows.append(["`bench/pages.py`", output[-1500:].replace("\n", "<br>").replace("|", "\\|"),
                         f"exit {status}", "", "no"])
            settings_note = ""
    for script, limit in OTHERS:
        print(f"bench/{script} ...", flush=True)
        left = BUDGET - (time.monotonic() - began)
        rows.append(_script_row(script, *_run(script, max(10, int(min(limit, left))))))
    header = ["benchmark", "figures", "ratio", "goal", "met"]
    table = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join([
        "# Benchmark results (`make bench`)", "",
        f"{stamp}, {time.monotonic() - began:.0f} s. Machine: {machine}.",
        f"Pages: {settings_note}. Ratios are page ÷ floor (a bare Django view answering a body of the same "
        "size and type through the same server, settings and middleware), measured side by side in one run; "
        "10x/1x compares those shares (each against the floor measured beside it).",
        "", *table, "",
    ])
    (BENCH / "results.md").write_text(text)
    print()
    print("\n".join(table))
    print(f"\nwritten to {BENCH / 'results.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
