"""Fuzzing the input paths with hypothesis, on a budget of examples and seconds.

    .venv/bin/python benchmarks/fuzz.py [--budget 200] [--seconds 300] [--only TARGET]... [--skip TARGET]...
                                        [--index DIR] [--extract-seconds 10] [--json]

Targets (each a property that must hold for every generated input):

    loader-bytes     random bytes under every supported name: text, or an IngestError with a one-line reason
    loader-pdf       real PDFs truncated and byte-flipped, and random bytes after %PDF-: the same, in bounded time
    loader-html      tag soup through the HTML worker: the same, in bounded time
    html-guard       the linear-time guard in html_to_text changes nothing html.parser would output
    pipeline-text    random text files through the whole ingest pipeline: a Document or an IngestError
    upload-names     any browser file name: saved inside the corpus folder under a plain name, nothing else touched
    sql-filters      filter values (any text) never reach the SQL text, only its parameters
    query            any text as a query, in every mode, on an index (--index, else the configured one):
                     well-formed hits, long queries cut with a notice (loads the model)

--budget is the number of examples per target; --seconds caps the whole run (shared evenly among the
targets; a target stops starting new batches once its share is spent). The CI runs a small budget
(tests/reliability/test_benchmarks.py); for a real search run e.g. `--budget 5000 --seconds 3600`.
Exit code 1 if any property failed; the falsifying example is printed.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

BATCH = 25  # examples per hypothesis run; a time share is checked between runs


class Target:
    def __init__(self, name: str, strategy, check: Callable, cost: float = 1.0):
        self.name, self.strategy, self.check, self.cost = name, strategy, check, cost
        self.slowest = 0.0

    def timed(self, example) -> None:
        start = time.monotonic()
        self.check(example)
        self.slowest = max(self.slowest, time.monotonic() - start)


def targets(args: argparse.Namespace) -> dict[str, Target]:
    import ingest.loaders as loaders
    from ingest.loaders import load_bytes
    from index.records import Filters
    from ingest.records import IngestError
    from tests.reliability.hostile import guard_is_transparent, text_pdf, truncated

    loaders.PDF_SECONDS = args.extract_seconds
    bound = args.extract_seconds + 2 + 10

    def outcome(data: bytes, suffix: str) -> None:
        start = time.monotonic()
        try:
            loaded = load_bytes(data, suffix, max_pages=200)
            assert loaded.text.strip() and "\x00" not in loaded.text
        except IngestError as exc:
            assert str(exc) and "\n" not in str(exc), repr(str(exc))
        took = time.monotonic() - start
        assert took < bound, f"{suffix} took {took:.1f} s"

    out: dict[str, Target] = {}

    out["loader-bytes"] = Target("loader-bytes", st.tuples(st.binary(max_size=20_000),
                                 st.sampled_from([".txt", ".md", ".html", ".htm", ".pdf"])),
                                 lambda ex: outcome(*ex))

    pdf = text_pdf()

    def mutate(ex) -> bytes:
        cut, flips, junk = ex
        data = bytearray(pdf)
        for where, byte in flips:
            data[int(where * len(data))] = byte
        data = truncated(bytes(data), cut) if cut > 0.05 else bytes(data)
        return data + junk

    out["loader-pdf"] = Target("loader-pdf", st.one_of(
        st.tuples(st.floats(0, 0.999), st.lists(st.tuples(st.floats(0, 0.999), st.integers(0, 255)), max_size=16),
                  st.binary(max_size=200)).map(mutate),
        st.binary(max_size=5000).map(lambda b: b"%PDF-1.7\n" + b)), lambda d: outcome(d, ".pdf"), cost=3)

    tokens = list("<>/!?-[]'\"=& ;#abpx\n") + ["<p>", "</p>", "<!--", "-->", "<script>", "</script>", "&amp;",
                                                 "<title>", "</title>", "<br/>", "<![CDATA[", "]]>", "&#", "<?",
                                                 "<div>", "</div>", "<h1>", "<li>", "<style>"]
    soup = st.lists(st.sampled_from(tokens) | st.text(max_size=4), max_size=400).map("".join)
    out["loader-html"] = Target("loader-html", soup, lambda m: outcome(m.encode("utf-8", "surrogatepass"), ".html"),
                                cost=3)

    def guard(markup: str) -> None:
        assert guard_is_transparent(markup)

    out["html-guard"] = Target("html-guard", soup, guard)

    def pipeline(ex) -> None:
        from ingest import catalog as cat
        from ingest.pipeline import ingest_file
        from ingest.settings import Settings

        text, suffix = ex
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"doc{suffix}"
            path.write_bytes(text.encode("utf-8", "surrogatepass"))
            s = Settings.from_env({}, corpus=[tmp], index=Path(tmp) / "index", sources=Path(tmp) / "none.toml")
            start = time.monotonic()
            try:
                doc = ingest_file(path, cat.Catalog([]), s)
                assert doc.passages and all(p.text for p in doc.passages)
            except IngestError as exc:
                assert str(exc) and "\n" not in str(exc)
            assert time.monotonic() - start < bound

    para = st.lists(st.sampled_from(["Recalling", "1.", "(a)", "Decides", "OP 3", "—", "\f", "\n", "\n\n", "---",
                                     "title: x", "# Heading", "- item", ";", ":", "Article 14", "para. 13 (f)"])
                    | st.text(max_size=12), max_size=80).map(" ".join)
    out["pipeline-text"] = Target("pipeline-text", st.tuples(para | st.text(max_size=600),
                                                             st.sampled_from([".txt", ".md"])), pipeline)

    def upload(ex) -> None:
        import re

        from ingest.upload import safe_name, save_upload

        name, body = ex
        try:
            saved_name = safe_name(name)
        except IngestError:
            return
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,79}\.(txt|md|pdf|html|htm)", saved_name), saved_name
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "corpus"
            saved = save_upload(b"Notes\n\n" + body, saved_name, dest)
            assert saved.parent == dest and {p.name for p in Path(tmp).rglob("*")} == {"corpus", saved.name}

    parts = ["..", ".", "/", "\\", "C:", "\x00", "con", "COM¹", "ｃｏｎ", "／", "\u202e", "~", "report", "a" * 100]
    names = st.lists(st.sampled_from(parts) | st.text(max_size=5), max_size=10).map("".join)
    out["upload-names"] = Target("upload-names", st.tuples(
        st.tuples(names, st.sampled_from([".txt", ".pdf", ".md", ".html", ".exe", "", ".TXT"])).map("".join),
        st.binary(max_size=50)), upload)

    def sql(f) -> None:
        import re

        from index.store import filter_sql

        out_ = filter_sql(f)
        if out_ is not None:
            text, params = out_
            assert text.count("?") == len(params)
            assert re.fullmatch(r"(?:[dp]\.\w+|IN|AND|OR|\?|,|\(|\)|>=|<=|=|\s)+", text), text

    value = st.text(max_size=12)
    out["sql-filters"] = Target("sql-filters", st.builds(
        Filters, bodies=st.lists(value, max_size=3).map(tuple), documents=st.lists(value, max_size=3).map(tuple),
        types=st.lists(value, max_size=2).map(tuple), languages=st.lists(value, max_size=2).map(tuple),
        year_from=st.none() | st.integers(-5000, 5000), year_to=st.none() | st.integers(-5000, 5000),
        superseded=st.booleans()), sql)

    if "query" in args.selected:
        from index import Searcher
        from index.query import parse
        from ingest.settings import Settings

        s = Settings.from_env(index=args.index)
        searcher = Searcher.open(s.index, settings=s)

        def query(ex) -> None:
            raw, k, mode = ex
            a = searcher.answer(raw, k, mode=mode)
            assert len(a.query) <= s.max_query_chars and len(a.hits) <= max(1, min(k, 100))
            assert [h.rank for h in a.hits] == list(range(1, len(a.hits) + 1))
            for h in a.hits:
                assert h.text and h.citation and all(0 <= x < y <= len(h.text) for x, y in h.highlights)
            if parse(raw, s.max_query_chars).truncated:
                assert any("cut" in n for n in a.notices)

        any_char = st.characters(codec=None, categories=None)
        out["query"] = Target("query", st.tuples(
            st.text(alphabet=any_char, max_size=200) | st.text(alphabet=any_char, min_size=1001, max_size=3000),
            st.integers(-3, 150), st.sampled_from(["hybrid", "dense", "lexical"])), query)
    return out


NAMES = ["loader-bytes", "loader-pdf", "loader-html", "html-guard", "pipeline-text", "upload-names", "sql-filters",
         "query"]


def fuzz(target: Target, budget: int, seconds: float) -> dict:
    done, failures, start = 0, [], time.monotonic()
    while done < budget and time.monotonic() - start < seconds and not failures:
        n = min(BATCH, budget - done)
        counted = [0]

        def body(example):
            counted[0] += 1
            target.timed(example)

        test = settings(max_examples=n, deadline=None, database=None, derandomize=False,
                        suppress_health_check=list(HealthCheck))(given(target.strategy)(body))
        try:
            test()
        except Exception as exc:  # hypothesis re-raises the (shrunk) failure with the example in its notes
            notes = "\n".join(getattr(exc, "__notes__", []))
            failures.append({"error": "".join(traceback.format_exception_only(type(exc), exc)).strip()[-2000:],
                             "example": notes[-2000:]})
        done += counted[0]
    return {"examples": done, "seconds": round(time.monotonic() - start, 1), "slowest_example_s":
            round(target.slowest, 2), "failures": failures}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/fuzz.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--budget", type=int, default=200, help="examples per target (default 200)")
    p.add_argument("--seconds", type=float, default=300.0, help="cap on the whole run in seconds (default 300)")
    p.add_argument("--only", action="append", choices=NAMES, help="run only this target (repeatable)")
    p.add_argument("--skip", action="append", default=[], choices=NAMES, help="skip this target (repeatable)")
    p.add_argument("--index", type=Path, help="index for the query target (default: NORMBASE_INDEX or data/index)")
    p.add_argument("--extract-seconds", type=float, default=10.0,
                   help="PDF/HTML extraction time limit during the run (ingest.loaders.PDF_SECONDS; default 10)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    args.selected = [n for n in (args.only or NAMES) if n not in args.skip]
    started = time.monotonic()
    all_targets = targets(args)
    chosen = [all_targets[n] for n in args.selected]
    weight = sum(t.cost for t in chosen) or 1
    report = {"budget": args.budget, "seconds": args.seconds, "targets": {}}
    for t in chosen:
        share = max(1.0, (args.seconds - (time.monotonic() - started)) * t.cost / weight)
        weight -= t.cost
        report["targets"][t.name] = r = fuzz(t, args.budget, share)
        if not args.json:
            status = "FAIL" if r["failures"] else "ok"
            print(f"{t.name:14s} {status:4s} {r['examples']:6d} examples  {r['seconds']:7.1f} s  "
                  f"slowest {r['slowest_example_s']} s", flush=True)
            for f in r["failures"]:
                print("    " + f["error"].replace("\n", "\n    ") + "\n    " + f["example"].replace("\n", "\n    "))
    report["total_seconds"] = round(time.monotonic() - started, 1)
    failed = [n for n, r in report["targets"].items() if r["failures"]]
    report["failed"] = failed
    if args.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
