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
    links            file and folder links in and out of a corpus folder, dangling and looping: the scan yields
                     only files inside it, and refuses the rest with a reason that names no target
    escapes          any text with ANSI/OSC/C1/bidi sequences: ingest.terminal.visible leaves no control character
    encodings        paragraphs in UTF-8, Latin-1, CP1252 and CP1251, mixed: the true text, or a one-line refusal
    catalogue        catalogue shapes (entries of any TOML type, fields of any type): entries, or one line naming
                     the file
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

    out.update(round2_targets(bound))

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


def round2_targets(bound: float) -> dict[str, Target]:
    """The classes of issue #20: links out of a corpus folder, terminal escapes, mixed encodings, catalogue shapes."""
    import json as json_
    import re

    from ingest.records import IngestError

    def links(ex) -> None:
        from ingest.pipeline import LINK_BROKEN, LINK_OUTSIDE, scan_corpus

        with tempfile.TemporaryDirectory() as tmp:
            corpus, outside = Path(tmp) / "corpus", Path(tmp) / "outside-secret"
            for folder in (corpus / "sub", outside / "sub"):
                folder.mkdir(parents=True)
            for root in (corpus, outside):
                (root / "a.txt").write_text("text", encoding="utf-8")
                (root / "sub" / "b.md").write_text("text", encoding="utf-8")
            places = {"in": corpus, "in-sub": corpus / "sub", "out": outside, "out-sub": outside / "sub"}
            for i, (where, kind, target) in enumerate(ex):
                name = places[where] / f"link{i}{'' if kind == 'dir' else '.txt'}"
                aim = {"in": corpus / "a.txt", "in-dir": corpus / "sub", "out": outside / "a.txt",
                       "out-dir": outside / "sub", "root": Path("/"), "dangling": outside / "gone.txt",
                       "self": name, "parent": corpus}[target]
                if not name.exists() and not name.is_symlink():
                    name.symlink_to(aim, target_is_directory=aim.is_dir())
            scan = scan_corpus([corpus])
            real = corpus.resolve()
            assert all(f.is_relative_to(real) and f.is_file() for f in scan.files), scan.files
            for s in scan.refused:
                assert s.reason in (LINK_OUTSIDE, LINK_BROKEN) and Path(s.path).is_relative_to(corpus), s
                assert "outside-secret" not in s.reason

    place = st.sampled_from(["in", "in-sub"])
    aim = st.sampled_from(["in", "in-dir", "out", "out-dir", "root", "dangling", "self", "parent"])
    link = st.tuples(place, st.sampled_from(["file", "dir"]), aim)
    targets_: dict[str, Target] = {"links": Target("links", st.lists(link, max_size=8), links)}

    from ingest.terminal import visible

    hidden = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

    def escapes(text: str) -> None:
        one = visible(text)
        assert not hidden.search(one), repr(one)
        many = visible(text, lines=True)
        assert not hidden.search(many.replace("\n", "").replace("\t", "")), repr(many)
        assert many.count("\n") == text.count("\n")
        if not hidden.search(text):
            assert one == text

    sequences = ["\x1b[2J", "\x1b]0;title\x07", "\x1b]8;;http://x/\x1b\\", "\x9b31m", "\u202e", "\r", "\n", "\t",
                 "\x00", "\x7f", "\u2028", "plain", "é", "中文", "\\"]
    targets_["escapes"] = Target("escapes", st.lists(st.sampled_from(sequences) | st.text(max_size=6),
                                                     max_size=40).map("".join), escapes)

    from ingest.loaders import decode_text

    paragraphs = {
        "fr": "Les États soulignent l'importance de la sécurité des câbles sous-marins et des réseaux télécom.",
        "es": "Los Estados señalan la cooperación técnica entre autoridades portuarias y operadores.",
        "de": "Die Staaten betonen die Bedeutung der Sicherheit von Unterseekabeln für alle Völker.",
        "ru": "Государства подчёркивают важность безопасности подводных кабелей и сетей связи.",
        "en": "States stress the security of undersea cables and of telecommunication networks."}
    codecs_ = {"fr": ["utf-8", "latin-1", "cp1252"], "es": ["utf-8", "latin-1", "cp1252"],
               "de": ["utf-8", "latin-1", "cp1252"], "ru": ["utf-8", "cp1251"], "en": ["utf-8", "ascii"]}

    def encodings(ex) -> None:
        chosen = [(lang, codecs_[lang][i % len(codecs_[lang])]) for lang, i in ex]
        data = b"\n\n".join(paragraphs[lang].encode(enc) for lang, enc in chosen)
        truth = "\n\n".join(paragraphs[lang] for lang, _ in chosen)
        start = time.monotonic()
        try:
            text = decode_text(data)
        except IngestError as exc:
            assert str(exc) and "\n" not in str(exc)
        else:
            assert text == truth, f"mojibake presented as text: {text[:200]!r}"
        assert time.monotonic() - start < bound

    targets_["encodings"] = Target("encodings", st.lists(st.tuples(st.sampled_from(sorted(paragraphs)),
                                                                   st.integers(0, 2)), min_size=1, max_size=8),
                                   encodings)

    from ingest.catalog import CatalogError, parse_catalog

    def toml_value(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            return "[" + ", ".join(toml_value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + "}"
        if isinstance(v, tuple):  # an unquoted TOML date
            return v[0]
        return json_.dumps(v)

    def catalogue(ex) -> None:
        shape, docs = ex
        if shape == "array":
            text = "document = " + toml_value(docs) + "\n"
        else:
            text = "".join("[[document]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in d.items())
                           for d in docs if isinstance(d, dict))
        try:
            entries = parse_catalog(text, "fuzz.toml")
            assert all(e.id and e.date and e.body and e.type for e in entries)
        except CatalogError as exc:
            msg = str(exc)
            assert msg.startswith("fuzz.toml: ") and "\n" not in msg, msg

    scalar = (st.text(max_size=12) | st.integers(-5, 3000) | st.booleans() | st.floats(allow_nan=False)
              | st.sampled_from(["UNGA", "report", "en", "2020-01-01", "2025-13-45", "https://x.org/a", "<b>en</b>",
                                 "javascript:alert(1)", "a" * 64]) | st.just(("2020-01-01",)))
    value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                         | st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2), max_leaves=6)
    keys = st.sampled_from(["id", "title", "body", "date", "type", "language", "symbol", "url", "file", "sha256",
                            "revises", "extra"])
    entry = st.dictionaries(keys, value, max_size=9)
    good = st.fixed_dictionaries({"id": st.text(min_size=1, max_size=8), "body": st.just("UNGA"),
                                  "date": st.just("2020-01-01"), "type": st.just("report"), "language": st.just("en")},
                                 optional={"url": value, "title": value, "sha256": value})
    targets_["catalogue"] = Target("catalogue", st.tuples(
        st.sampled_from(["tables", "array"]), st.lists(entry | good | scalar, max_size=4)), catalogue)
    return targets_


NAMES = ["loader-bytes", "loader-pdf", "loader-html", "html-guard", "pipeline-text", "upload-names", "sql-filters",
         "links", "escapes", "encodings", "catalogue", "query"]


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
