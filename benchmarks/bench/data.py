"""Where the bench's passages and queries come from: the shared mirror, SciFact, or made-up text."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

from ingest.settings import MIRROR, ROOT

SHARED = MIRROR.parent
SCIFACT = SHARED / "benchmarks" / "scifact"
DEV_QUERIES = SHARED / "eval" / "dev.jsonl"
FIXTURE_CORPUS = ROOT / "tests" / "fixtures" / "index" / "corpus"
LARGE_ANN_FROM = 250_000  # above this, an --ann-large variant (if one is named) replaces the project's index
APP_QUERY = "supply chain integrity"
QUICK_APP_QUERY = "open-ended working group"
APP_RENDER_QUERIES = 40  # warm queries typed into the app after its cold start (issue 4 asks for >= 30)
APP_RENDER_WARMUP = 2  # typed first and never measured
QUICK_APP_RENDER_QUERIES = 5
RENDER_WARMUP_QUERIES = ["norms of responsible State behaviour in cyberspace",
                         "regular institutional dialogue after the working group"]
RENDER_EXTRA_QUERIES = [  # made-up domain questions, after the dev queries
    "protection of critical infrastructure from ICT attacks", "points of contact directory for incidents",
    "capacity-building principles for developing countries", "applicability of international law to ICTs",
    "confidence-building measures between States", "a future permanent mechanism on ICT security",
    "responsible reporting of ICT vulnerabilities", "assistance to States affected by malicious ICT activity",
    "role of the private sector and civil society", "gender perspective in ICT security",
    "preventing the proliferation of malicious ICT tools", "cooperation against cybercrime and electronic evidence",
]
QUICK_RENDER_QUERIES = [  # the two smallest mirror documents are open-ended working group resolutions
    "open-ended working group on ICT security", "substantive sessions of the working group",
    "information and communications technologies", "annual progress report adopted by consensus",
    "organizational session of the working group", "global mechanism on developments in the field of ICTs",
    "developments in the field of information and telecommunications",
]
WARMUP_TEXTS = ["States should take reasonable steps to ensure the integrity of the supply chain.",
                "Confidence-building measures can reduce the risk of misperception and escalation."] * 16
REINGEST_MARK = "\n\n99. Decides to include in the provisional agenda"  # what the re-ingest step appends


def write_scifact_docs(dest: Path, limit_docs: int) -> int:
    """SciFact abstracts as .txt files with a header block (title, body, date); returns files written."""
    dest.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(SCIFACT / "corpus.jsonl", encoding="utf-8") as fh:
        for line in fh:
            if n >= limit_docs:
                break
            r = json.loads(line)
            title = " ".join(r["title"].split()).replace("---", "-")
            (dest / f"scifact-{r['_id']}.txt").write_text(
                f"---\ntitle: {title}\nbody: other\ndate: 2020-01-01\n---\n\n{r['text']}\n", encoding="utf-8")
            n += 1
    return n


def load_queries(measured: int, warmup: int) -> tuple[list[str], list[str], str]:
    """(measured, warm-up, where from): the 30 dev queries of the real corpus first, then SciFact claims."""
    pool: list[str] = []
    sources = []
    if DEV_QUERIES.is_file():
        pool += [json.loads(l)["query"] for l in DEV_QUERIES.read_text(encoding="utf-8").splitlines() if l.strip()]
        sources.append(f"{len(pool)} dev queries (shared/eval/dev.jsonl)")
    if (SCIFACT / "queries.jsonl").is_file():
        for l in (SCIFACT / "queries.jsonl").read_text(encoding="utf-8").splitlines():
            if l.strip():
                pool.append(json.loads(l)["text"])
        sources.append("SciFact claims")
    if len(pool) < measured + warmup:  # no shared folder: made-up questions in the corpus's terms
        topics = ["supply chain integrity", "critical infrastructure", "confidence-building measures",
                  "capacity building", "international law in cyberspace", "attribution of ICT incidents",
                  "protection of the public core of the internet", "computer emergency response teams",
                  "regular institutional dialogue", "programme of action", "human rights online",
                  "vulnerability disclosure", "points of contact directory", "non-State actors"]
        verbs = ["norms on", "agreed language on", "what States committed to about", "recommendations on",
                 "voluntary measures for"]
        pool += [f"{v} {t} {i}" for i in range(10) for v in verbs for t in topics]
        sources.append("generated questions")
    seen, uniq = set(), []
    for q in pool:
        if q not in seen:
            seen.add(q)
            uniq.append(q)
    # measured queries: spread over the pool (dev queries first); warm-up: others, never measured
    meas = uniq[:measured]
    warm = uniq[measured:measured + warmup]
    return meas, warm, " + ".join(sources)


def app_render_queries(quick: bool, exclude: str) -> tuple[list[str], list[str], str]:
    """(measured, warm-up, where from) for the warm queries typed into the app; all distinct."""
    if quick:
        pool, source = list(QUICK_RENDER_QUERIES), "made-up questions on the two smallest mirror documents"
        n, warmup = QUICK_APP_RENDER_QUERIES, 1
    else:
        pool, sources = [], []
        if DEV_QUERIES.is_file():
            dev = [json.loads(l)["query"] for l in DEV_QUERIES.read_text(encoding="utf-8").splitlines() if l.strip()]
            pool += dev
            sources.append(f"{len(dev)} dev queries (shared/eval/dev.jsonl)")
        pool += RENDER_EXTRA_QUERIES
        sources.append("made-up domain questions")
        n, warmup = APP_RENDER_QUERIES, APP_RENDER_WARMUP
        if len(pool) < n + 1:  # no shared folder: the bench's own query list fills up
            more, _, where = load_queries(n + 1, 0)
            pool += more
            sources.append(where)
        source = " + ".join(sources)
    seen, uniq = {exclude.casefold()}, []
    for q in RENDER_WARMUP_QUERIES[:warmup] + pool:
        if q.casefold() not in seen:
            seen.add(q.casefold())
            uniq.append(q)
    return uniq[warmup:warmup + n], uniq[:warmup], source


# Installed in the page once it shows its first result card. A capture-phase keydown listener stamps the
# Enter key press; a MutationObserver stamps the first DOM change after which the page shows the *new*
# query's results: the header "N passages for “query”" and N result cards, all from the new script run
# (Streamlit marks every element of an older run data-stale="true" while the new run is under way, so old


def append_reingest_paragraph(path: Path) -> None:
    """The one-document change of the re-ingest step: a new operative paragraph at the end of a file."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{REINGEST_MARK} of its next session an item on the benchmark measured at {time.time():.0f}.\n")


def pristine_text(path: Path) -> str:
    """The file as the naive recipe reads it (the paragraph of the re-ingest step removed, if any)."""
    text = path.read_text(encoding="utf-8")
    return re.sub(re.escape(REINGEST_MARK) + r".*\n\Z", "\n", text, flags=re.S)
