"""The metadata store: documents, passages and near-duplicate groups in one SQLite file.

Passage ids are row numbers of the vector index. The lexical index lives in the
same file but belongs to its backend (index/backends/fts5.py). All SQL is
parameterized; filters reach it only through `filter_sql`.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote
from typing import Iterable, Optional, Sequence

import numpy as np

from ingest.records import Footnote, Passage, SourceEntry

from .records import Filters

SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, symbol TEXT, title TEXT, body TEXT, date TEXT, year INTEGER,
    type TEXT, language TEXT, url TEXT, file TEXT, path TEXT, sha256 TEXT, catalogued INTEGER,
    passages INTEGER, supersedes TEXT, superseded_by TEXT, inferred TEXT
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id), ordinal INTEGER,
    label TEXT, text TEXT, start INTEGER, "end" INTEGER, heading TEXT, context TEXT, page INTEGER,
    part TEXT, delegation TEXT, language TEXT, citation TEXT, source_start INTEGER,
    source_end INTEGER, embed_hash TEXT, group_id INTEGER, footnotes TEXT
);
CREATE INDEX passages_doc ON passages(doc_id, ordinal);
CREATE INDEX passages_group ON passages(group_id);
CREATE INDEX passages_hash ON passages(embed_hash);
CREATE INDEX documents_superseded ON documents(superseded_by);  -- has_superseded: one seek, not a scan per query
CREATE TABLE ingested (
    path TEXT PRIMARY KEY, sha256 TEXT NOT NULL, settings TEXT NOT NULL, document TEXT NOT NULL
);
"""
YEAR_LIMIT = 10 ** 6  # year filters are clamped to this: SQLite integers are 64-bit

PASSAGE_COLUMNS = ("id, doc_id, ordinal, label, text, start, \"end\", heading, context, page, part, "
                   "delegation, language, citation, group_id, footnotes")


def create(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=OFF")  # a fresh file in a build folder: no journal needed
    conn.execute("PRAGMA synchronous=OFF")  # made durable by fsync before the swap
    conn.executescript(SCHEMA)
    return conn


def open_readonly(path: Path) -> sqlite3.Connection:
    # immutable=1: the file of a finished index never changes, so no locking is needed.
    # The path is percent-encoded: `?`, `#` or `%` in a folder name would otherwise end it early.
    conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def insert_documents(conn: sqlite3.Connection, rows: Iterable[tuple[SourceEntry, str, str, int]]) -> None:
    conn.executemany(
        "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(s.id, s.symbol, s.title, s.body, s.date, s.year, s.type, s.language, s.url, s.file, path,
          sha, int(s.catalogued), n, s.supersedes, s.superseded_by, ",".join(s.inferred))
         for s, path, sha, n in rows],
    )


def insert_passages(conn: sqlite3.Connection, rows: Sequence[tuple[int, Passage, SourceEntry, str, int]]) -> None:
    """rows: (id, passage, source, embed_hash, group_id), in one transaction."""
    conn.executemany(
        "INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [(i, p.doc_id, p.ordinal, p.label, p.text, p.start, p.end, p.heading, p.context, p.page, p.part,
          p.delegation, p.language, p.citation(s), p.source_start, p.source_end, h, g,
          json.dumps([asdict(n) for n in p.footnotes], ensure_ascii=False))
         for i, p, s, h, g in rows],
    )


def insert_ingested(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, str, str]]) -> None:
    """rows: (path, sha256, settings key, Document.to_json()): each file's ingestion, for the next build."""
    conn.executemany("INSERT OR REPLACE INTO ingested VALUES (?,?,?,?)", rows)


def ingested(conn: sqlite3.Connection, settings_key: str) -> dict[tuple[str, str], str]:
    """(path, sha256) -> the Document JSON of files ingested under these settings; {} for an index made before
    the table existed."""
    try:
        rows = conn.execute("SELECT path, sha256, document FROM ingested WHERE settings = ?", (settings_key,))
        return {(path, sha): doc for path, sha, doc in rows}
    except sqlite3.OperationalError:
        return {}


def embed_hashes(conn: sqlite3.Connection) -> dict[str, int]:
    return {h: i for i, h in conn.execute("SELECT id, embed_hash FROM passages")}


def filter_sql(f: Filters) -> Optional[tuple[str, list]]:
    """A WHERE clause over passages p JOIN documents d, with its parameters.

    A version that a revision in the index supersedes is left out unless the
    filter asks for superseded versions (`Filters.superseded`).
    """
    clauses, params = ([] if f.superseded else ["d.superseded_by = ?"]), ([] if f.superseded else [""])

    def any_of(column: str, values: tuple[str, ...]):
        clauses.append(f"{column} IN ({','.join('?' * len(values))})")
        params.extend(values)

    if f.bodies:
        any_of("d.body", f.bodies)
    if f.types:
        any_of("d.type", f.types)
    if f.languages:
        any_of("p.language", f.languages)
    if f.documents:
        marks = ",".join("?" * len(f.documents))
        clauses.append(f"(d.symbol IN ({marks}) OR d.doc_id IN ({marks}))")
        params.extend(f.documents + f.documents)
    if f.year_from is not None:
        clauses.append("d.year >= ?")
        params.append(_year(f.year_from))
    if f.year_to is not None:
        clauses.append("d.year <= ?")
        params.append(_year(f.year_to))
    return (" AND ".join(clauses), params) if clauses else None


def footnotes_of(row: sqlite3.Row) -> list[Footnote]:
    """The footnotes a stored passage cites (none for an index row without them)."""
    return [Footnote(**n) for n in json.loads(row["footnotes"] or "[]")]


def has_superseded(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM documents WHERE superseded_by > '' LIMIT 1").fetchone() is not None


def _year(value: int) -> int:
    """Any integer is a valid bound: out-of-range ones select everything or nothing, never crash."""
    return max(-YEAR_LIMIT, min(YEAR_LIMIT, int(value)))


def restriction(conn: sqlite3.Connection, f: Filters) -> Optional[tuple[str, list]]:
    """`filter_sql(f)`, or None when it allows every passage of this index (the fast, unfiltered path)."""
    return None if not f and not has_superseded(conn) else filter_sql(f)


def allowed_ids(conn: sqlite3.Connection, f: Filters) -> Optional[np.ndarray]:
    where = restriction(conn, f)
    if where is None:
        return None
    rows = conn.execute(f"SELECT p.id FROM passages p JOIN documents d USING(doc_id) WHERE {where[0]}", where[1])
    return np.fromiter((r[0] for r in rows), dtype=np.int64)


def passages_by_id(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    if not ids:
        return {}
    cols = ", ".join(f"p.{c.strip()}" for c in PASSAGE_COLUMNS.split(","))
    sql = (f"SELECT {cols}, d.symbol, d.title, d.body, d.date, d.type, "
           f"d.url FROM passages p JOIN documents d USING(doc_id) WHERE p.id IN ({','.join('?' * len(ids))})")
    return {r["id"]: r for r in conn.execute(sql, list(ids))}


def passage_keys(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
    """What choosing the shown passages among the ranked reads (their versions and groups): `passages_by_id`'s
    columns of that, without the text, which only the few chosen need."""
    if not ids:
        return {}
    sql = ("SELECT p.id, p.doc_id, p.label, p.language, p.group_id, d.symbol FROM passages p JOIN documents d "
           f"USING(doc_id) WHERE p.id IN ({','.join('?' * len(ids))})")
    return {r["id"]: r for r in conn.execute(sql, list(ids))}


def years_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, Optional[int]]:
    if not ids:
        return {}
    sql = (f"SELECT p.id, d.year FROM passages p JOIN documents d USING(doc_id) "
           f"WHERE p.id IN ({','.join('?' * len(ids))})")
    return {r[0]: r[1] for r in conn.execute(sql, list(ids))}


@dataclass(frozen=True)
class LanguageGroups:
    """Every passage's language and group by id, what fusion needs to keep a place for another language among
    distinct answers. Read whole once per index (`language_groups`): asked of every candidate of every
    answer, a few hundred rows, it cost 2 ms of a 16 ms query at 100k passages as an IN (...) query."""

    languages: tuple[str, ...]
    language: np.ndarray  # per id, an index into `languages`; -1 where no passage has the id
    group: np.ndarray  # per id, its group_id

    def of(self, ids: Sequence[int]) -> dict[int, tuple[str, int]]:
        """id -> (language, group_id) for the ids a passage has (others are left out)."""
        return {i: (self.languages[self.language[i]], int(self.group[i])) for i in ids
                if 0 <= i < len(self.language) and self.language[i] >= 0}


def language_groups(conn: sqlite3.Connection) -> LanguageGroups:
    n = conn.execute("SELECT COALESCE(MAX(id), -1) + 1 FROM passages").fetchone()[0]
    names: dict[str, int] = {}
    language, group = np.full(n, -1, dtype=np.int16), np.zeros(n, dtype=np.int64)
    for i, lang, g in conn.execute("SELECT id, language, group_id FROM passages"):
        language[i], group[i] = names.setdefault(lang, len(names)), g
    return LanguageGroups(tuple(names), language, group)


def parallels(conn: sqlite3.Connection, doc_ids: Sequence[str], label: str, doc_id: str) -> list[sqlite3.Row]:
    """Passages of `label` in `doc_ids` (the other language versions of `doc_id`) in another language than its own."""
    if not doc_ids:
        return []
    return conn.execute("SELECT p.id, p.doc_id, p.label, p.citation, p.text, p.language FROM passages p "
                        f"WHERE p.doc_id IN ({','.join('?' * len(doc_ids))}) AND p.label = ? "
                        "AND p.language != (SELECT language FROM documents WHERE doc_id = ?) "
                        "ORDER BY p.language, p.id", (*doc_ids, label, doc_id)).fetchall()


def document_symbols(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every document's id, symbol and language (for grouping the language versions of one document)."""
    return list(conn.execute("SELECT doc_id, symbol, language FROM documents WHERE symbol != ''"))


def group_members(conn: sqlite3.Connection, group_ids: Sequence[int]) -> dict[int, list[sqlite3.Row]]:
    if not group_ids:
        return {}
    sql = ("SELECT p.id, p.group_id, p.doc_id, p.label, p.citation, d.symbol, d.title, d.date "
           "FROM passages p JOIN documents d USING(doc_id) "
           f"WHERE p.group_id IN ({','.join('?' * len(group_ids))}) ORDER BY d.date, d.doc_id, p.ordinal")
    out: dict[int, list[sqlite3.Row]] = {}
    for r in conn.execute(sql, list(group_ids)):
        out.setdefault(r["group_id"], []).append(r)
    return out


def neighbours(conn: sqlite3.Connection, doc_id: str, ordinal: int, before: int, after: int) -> list[sqlite3.Row]:
    return list(conn.execute(
        "SELECT id, ordinal, label, text, page, citation FROM passages WHERE doc_id = ? AND ordinal BETWEEN ? AND ? "
        "ORDER BY ordinal", (doc_id, ordinal - before, ordinal + after)))


def list_rows(conn: sqlite3.Connection, doc_id: str, ordinal: int, span: int) -> list[sqlite3.Row]:
    """The rows index/lists.py rebuilds a list from: as `neighbours`, with each passage's lead-in (`context`)."""
    return list(conn.execute(
        "SELECT id, ordinal, citation, text, context FROM passages WHERE doc_id = ? AND ordinal BETWEEN ? AND ? "
        "ORDER BY ordinal", (doc_id, ordinal - span, ordinal + span)))


def documents(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return list(conn.execute("SELECT * FROM documents ORDER BY date, doc_id"))
