"""normbase in the browser: cited passages of cyber-diplomacy texts.

Run with `make run`. Two pages:

- Search: a query and filters (body, document, type, language, years) give one
  card per passage: the verbatim text with its best sentence highlighted, the
  exact citation, the official link, the paragraphs around it and the other
  places where the same wording appears. The query and the filters are bound to
  the URL (`?q=...&body=UNGA`), so a search can be bookmarked or shared, and
  the results can be exported as Markdown or CSV.
- Documents: the catalogue with what is indexed, a timeline, the index state
  with a rebuild button, and an upload form that checks a file and shows its
  passages before anything is saved.

Safety: document text, titles and file names reach the page only through
`esc()` (inside HTML, shown with st.html, which sanitises again and runs no
script) or `md_plain()` (inside Markdown); links are shown only for http(s)
URLs. The page's one script (COPY_SCRIPT, a constant) copies a citation's text
node to the clipboard and holds no document text. The model and the searcher
are loaded once per server with st.cache_resource.
"""
from __future__ import annotations

import csv
import hashlib
import html
import io
import math
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse

import streamlit as st

from index import Answer, Filters, Hit, IndexUnavailable, ModelUnavailable, Searcher, backends
from index.build import BuildReport, build, fingerprint
from index.manifest import current_version
from ingest import catalog as cat
from ingest.passages import tokenizer_counter
from ingest.pipeline import Document, corpus_files, file_sha256, ingest_file
from ingest.records import BODIES, IngestError, SourceEntry
from ingest.settings import Settings, resolve_model
from ingest.upload import check_upload, save_upload

LANGUAGES = {"en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "ar": "Arabic", "zh": "Chinese"}
EXAMPLES = ("protection of critical infrastructure", "emergency response teams", "supply chain integrity")
DEFAULT_K = 10
UPLOAD_TYPES = ["pdf", "txt", "md", "html", "htm"]
CSS = """<style>
.nb-cite{font-size:1.15rem;font-weight:700;line-height:1.35;margin:0;padding:0}
.nb-cite .nb-body{font-weight:400;opacity:.75}
.nb-meta{font-size:.85rem;opacity:.75;margin:.1rem 0 .5rem 0}
.nb-passage{font-size:1.05rem;line-height:1.6;white-space:pre-line;margin:0;padding:.2rem 0 .2rem .9rem;
  border-left:3px solid #9ca3af}
.nb-passage mark,.nb-ctx mark{background:#fde68a;color:#111827;padding:0 .1em;border-radius:2px}
.nb-ctx{margin:0 0 .6rem 0;white-space:pre-line}
.nb-ctx-cite{font-size:.8rem;opacity:.75}
.nb-current .nb-ctx-text{font-weight:600}
.nb-also li{margin:.15rem 0}
.nb-cards{display:flex;flex-direction:column;gap:1rem}
.nb-card{border:1px solid rgba(128,128,128,.3);border-radius:.5rem;padding:1rem 1.1rem .9rem 1.1rem}
.nb-actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.8rem;align-items:flex-start}
.nb-actions details[open]{flex-basis:100%}
.nb-btn,.nb-actions summary,.nb-copy-btn{display:inline-flex;align-items:center;gap:.35rem;padding:.25rem .75rem;
  border:1px solid rgba(128,128,128,.4);border-radius:.5rem;font-size:.9rem;line-height:1.6;cursor:pointer;
  color:inherit;background:transparent;text-decoration:none;list-style:none;width:max-content}
.nb-actions summary::-webkit-details-marker{display:none}
.nb-btn:hover,.nb-actions summary:hover,.nb-copy-btn:hover{border-color:#ff4b4b;color:#ff4b4b}
.nb-btn:focus-visible,.nb-actions summary:focus-visible,.nb-copy-btn:focus-visible{outline:2px solid #ff4b4b;
  outline-offset:2px}
.nb-icon{font-family:"Material Symbols Rounded";font-size:1.1rem;font-weight:400;line-height:1;
  -webkit-font-feature-settings:"liga";font-feature-settings:"liga"}
.nb-panel{margin-top:.5rem;padding:.6rem .8rem;border-radius:.5rem;background:rgba(128,128,128,.08)}
.nb-quote{white-space:pre-wrap;font-family:inherit;font-size:.95rem;margin:0 0 .5rem 0;background:none;padding:0}
.nb-copy-status{margin-left:.6rem;font-size:.85rem;opacity:.8}
</style>"""
# The one script of the page: a Copy button puts its panel's quote on the clipboard. It holds no document
# text (it reads the panel's text node when clicked), and the cards themselves are shown without JavaScript.
COPY_SCRIPT = """<script>
(() => {
  if (window.__nbCopy) return;
  window.__nbCopy = true;
  const report = (btn, ok) => {
    const status = btn.parentElement.querySelector(".nb-copy-status");
    if (status) status.textContent = ok ? "Copied" : "Select the text above and copy it (Ctrl+C)";
  };
  const selectAndCopy = (btn, quote) => {
    const range = document.createRange();
    range.selectNodeContents(quote);
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    let ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    report(btn, ok);
  };
  document.addEventListener("click", (event) => {
    const btn = event.target instanceof Element ? event.target.closest("button.nb-copy-btn") : null;
    const quote = btn?.closest(".nb-panel")?.querySelector(".nb-quote");
    if (!quote) return;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(quote.textContent).then(() => report(btn, true), () => selectAndCopy(btn, quote));
    } else {
      selectAndCopy(btn, quote);
    }
  });
})();
</script>"""


def config() -> Settings:
    """Settings from the environment (NORMBASE_*), read on every run: cheap, and tests can change them."""
    return Settings.from_env()


# -- resources, once per server ---------------------------------------------

@st.cache_resource(show_spinner="Loading the language model…")
def get_embedder(model: str) -> backends.Embedder:
    return backends.embedder(config(), model)


@st.cache_resource(show_spinner=False, max_entries=4)
def get_searcher(index: str, version: str, model: str) -> Searcher:
    """One Searcher per index version, shared by every session of this server."""
    return Searcher.open(Path(index), settings=config(), embedder=get_embedder(model))


@st.cache_resource(show_spinner=False)
def get_token_counter(model: str):
    return tokenizer_counter(resolve_model(model))


def run_build(cfg: Settings, force: bool = False) -> Optional[BuildReport]:
    """Build or update the index with a progress bar; None (and an error shown) if it failed."""
    bar = st.progress(0.0, text="Preparing the index…")
    labels = {"ingest": "Reading documents", "embed": "Embedding passages", "write": "Writing the index"}

    def progress(stage: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(1, total)), text=f"{labels.get(stage, stage)}: {done}/{total}")

    try:
        report = build(cfg, embedder=get_embedder(cfg.model), force=force, progress=progress)
    except (IndexUnavailable, ModelUnavailable) as exc:
        st.error(f"The index could not be built: {md_plain(exc)}")
        return None
    finally:
        bar.empty()
    st.session_state["last_build"] = report
    return report


def open_searcher(cfg: Settings) -> Searcher:
    """The live index's Searcher; builds the index on first start; stops the page if it is unusable."""
    try:
        folder = current_version(cfg.index)
        if folder is None:
            st.info("No index yet: building it from the corpus folders. This happens once.")
            if run_build(cfg) is None:
                st.stop()
            folder = current_version(cfg.index)
        return get_searcher(str(cfg.index), folder.name, cfg.model)
    except (IndexUnavailable, ModelUnavailable) as exc:
        st.error(md_plain(exc))
        if st.button("Rebuild the index", type="primary") and run_build(cfg, force=True):
            st.rerun()
        st.stop()


# -- text that comes from documents or users --------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$=&])")


def esc(text: object) -> str:
    """Text for HTML: <, >, & and quotes escaped, so it can only ever show as text."""
    return html.escape(str(text), quote=True)


def md_plain(text: object) -> str:
    """Text for Markdown (alerts, captions): every markup character backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def safe_url(url: str) -> str:
    """The URL if it is an http(s) link, else "": a document header cannot smuggle javascript: links."""
    url = (url or "").strip()
    try:
        parsed = urlparse(url)
    except ValueError:
        return ""
    return url if parsed.scheme in ("http", "https") and parsed.netloc else ""


def highlighted(text: str, spans) -> str:
    """The verbatim text, escaped, with <mark> around the highlight spans (clamped, never overlapping)."""
    out, pos = [], 0
    for start, end in sorted(spans):
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        out += [esc(text[pos:start]), "<mark>", esc(text[start:end]), "</mark>"]
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def language_name(code: str) -> str:
    return LANGUAGES.get(code, code)


# -- results: cards and exports ---------------------------------------------

def cards_html(s: Searcher, hits: list[Hit]) -> str:
    """Every result card in one HTML element. A widget per action (link button, three popovers) made a
    results page about 110 Streamlit messages and as many React subtrees; this is one, and its panels
    open in the browser without a rerun (docs/performance.md, "Warm query render")."""
    return '<div class="nb-cards">' + "".join(card_html(h, s.context(h)) for h in hits) + "</div>"


def card_html(hit: Hit, context: list[dict]) -> str:
    """Citation line (symbol, label, page, date · body), title, the passage, then its actions."""
    title = hit.title if hit.symbol else ""  # without a symbol, the citation already starts with the title
    meta = " · ".join(esc(x) for x in (title, hit.delegation, language_name(hit.language)) if x)
    return (f'<article class="nb-card"><h3 class="nb-cite">{esc(hit.citation)}'
            f'<span class="nb-body"> · {esc(hit.body)}</span></h3>'
            f'<p class="nb-meta">{meta}</p>'
            f'<blockquote class="nb-passage">{highlighted(hit.text, hit.highlights)}</blockquote>'
            f'<div class="nb-actions">{actions_html(hit, context)}</div></article>')


def icon(name: str) -> str:
    return f'<span class="nb-icon" aria-hidden="true">{name}</span>'


def panel(label: str, icon_name: str, hint: str, body: str) -> str:
    """A disclosure button (native <details>: keyboard and screen-reader friendly, no script) and its panel."""
    return (f'<details><summary title="{esc(hint)}">{icon(icon_name)}{esc(label)}</summary>'
            f'<div class="nb-panel">{body}</div></details>')


def actions_html(hit: Hit, context: list[dict]) -> str:
    """Official document, Copy citation, Context and (for repeated wording) Same language elsewhere."""
    out = []
    url = safe_url(hit.url)
    if url:
        out.append(f'<a class="nb-btn" href="{esc(url)}" target="_blank" title="Opens {esc(url)} in a new tab">'
                   f'{icon("open_in_new")}Official document</a>')
    copy = (f'<pre class="nb-quote">{esc(quote_with_citation(hit))}</pre>'
            f'<button type="button" class="nb-copy-btn">{icon("content_copy")}Copy to clipboard</button>'
            '<span class="nb-copy-status" role="status"></span>')
    out.append(panel("Copy citation", "content_copy", "The quote and its citation, ready to paste", copy))
    out.append(panel("Context", "segment", "The paragraphs before and after this one",
                     context_html(context, hit.ordinal)))
    if hit.also_in:
        out.append(panel(f"Same language elsewhere ({len(hit.also_in)})", "history",
                         "Other documents with the same or nearly the same wording", also_in_html(hit)))
    return "".join(out)


def context_html(rows: list[dict], ordinal: int) -> str:
    """The paragraphs around a hit, the hit itself in bold."""
    parts = []
    for r in rows:
        here = r["ordinal"] == ordinal
        parts.append(f'<div class="nb-ctx{" nb-current" if here else ""}">'
                     f'<div class="nb-ctx-cite">{esc(r["citation"])}{" (this result)" if here else ""}</div>'
                     f'<div class="nb-ctx-text">{esc(r["text"])}</div></div>')
    return "".join(parts) or "<p>No surrounding paragraphs.</p>"


def also_in_html(hit: Hit) -> str:
    """Every place with this wording, oldest first, this result marked."""
    places = [(hit.date, hit.citation, True)] + [(a.date, a.citation, False) for a in hit.also_in]
    places.sort(key=lambda p: p[0] or "9999")
    items = "".join(f"<li>{esc(c)}{' <em>(this result)</em>' if here else ''}</li>" for _, c, here in places)
    return ('<p class="nb-meta">Oldest first: where this wording first appeared, and where it recurs.</p>'
            f'<ol class="nb-also">{items}</ol>')


def quote_with_citation(hit: Hit) -> str:
    url = safe_url(hit.url)
    return f"“{hit.text}”\n— {hit.citation}" + (f" {url}" if url else "")


def describe_filters(f: Filters) -> str:
    bits = [f"{name}: {', '.join(values)}" for name, values in
            (("body", f.bodies), ("document", f.documents), ("type", f.types),
             ("language", [language_name(x) for x in f.languages])) if values]
    if f.year_from is not None or f.year_to is not None:
        bits.append(f"years {f.year_from or '…'}–{f.year_to or '…'}")
    return "; ".join(bits)


def export_markdown(answer: Answer, filters: Filters = Filters()) -> str:
    """The results as a Markdown note: each passage quoted verbatim, then its citation and link."""
    lines = [f"# normbase: {answer.query}", ""]
    if filters:
        lines += [f"Filters: {describe_filters(filters)}", ""]
    for h in answer.hits:
        lines += [f"> {line}" if line.strip() else ">" for line in h.text.splitlines()]
        url = safe_url(h.url)
        lines += [">", f"> — {h.citation}" + (f" <{url}>" if url else ""), ""]
        if h.also_in:
            lines += ["Also in: " + "; ".join(a.citation for a in h.also_in), ""]
    return "\n".join(lines)


CSV_COLUMNS = ["rank", "citation", "symbol", "label", "page", "date", "body", "url", "text", "also_in"]


def _csv_cell(value: object) -> str:
    """A spreadsheet must not run a cell as a formula: such cells get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(hits: list[Hit]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for h in hits:
        w.writerow([_csv_cell(v) for v in (h.rank, h.citation, h.symbol, h.label, h.page, h.date, h.body,
                                           safe_url(h.url), h.text, "; ".join(a.citation for a in h.also_in))])
    return buf.getvalue()


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "results"


# -- search page -------------------------------------------------------------

@dataclass
class FilterOptions:
    """What the filter widgets offer, from the documents in the index."""

    bodies: list[str]
    documents: dict[str, str]  # symbol (or id) -> label shown
    types: list[str]
    languages: list[str]
    years: tuple[int, int]

    @classmethod
    def of(cls, docs: list[dict]) -> "FilterOptions":
        present = {d["body"] for d in docs}
        labels: dict[str, str] = {}
        for d in docs:
            key = d["symbol"] or d["doc_id"]
            label = d["symbol"] or d["title"] or d["doc_id"]
            labels[key] = label if label not in labels.values() else f"{label} ({d['doc_id']})"
        years = sorted({d["year"] for d in docs if d["year"]}) or [2000]
        return cls(bodies=[b for b in BODIES if b in present] + sorted(present - set(BODIES)),
                   documents=dict(sorted(labels.items(), key=lambda kv: kv[1])),
                   types=sorted({d["type"] for d in docs if d["type"]}),
                   languages=list(dict.fromkeys([*LANGUAGES, *sorted({d["language"] for d in docs if d["language"]})])),
                   years=(years[0], max(years[-1], years[0] + 1)))


def clear_filters(years: tuple[int, int]) -> None:
    for key in ("body", "doc", "type", "lang"):
        st.session_state[key] = []
    st.session_state["years"] = years


def set_query(text: str) -> None:
    st.session_state["q"] = text


def filter_widgets(opts: FilterOptions) -> tuple[Filters, int]:
    """The sidebar; every widget is bound to a URL parameter named by its key."""
    lo, hi = opts.years
    with st.sidebar:
        st.header("Filters")
        body = st.multiselect("Body", opts.bodies, key="body", bind="query-params", placeholder="All bodies")
        doc = st.multiselect("Document", list(opts.documents), key="doc", bind="query-params",
                             format_func=lambda k: opts.documents.get(k, k), placeholder="All documents")
        types = st.multiselect("Type", opts.types, key="type", bind="query-params", placeholder="All types")
        lang = st.multiselect("Language", opts.languages, key="lang", bind="query-params",
                              format_func=language_name, placeholder="All languages")
        years = st.slider("Years", lo, hi, (lo, hi), key="years", bind="query-params")
        k = st.number_input("Number of results", 1, 50, DEFAULT_K, key="k", bind="query-params")
        filters = Filters(bodies=tuple(body), documents=tuple(doc), types=tuple(types), languages=tuple(lang),
                          year_from=years[0] if years[0] > lo else None,
                          year_to=years[1] if years[1] < hi else None)
        if filters:
            st.button("Clear filters", on_click=clear_filters, args=((lo, hi),))
    return filters, int(k)


def search_box(cfg: Settings) -> str:
    with st.form("search", border=False, enter_to_submit=True):
        c1, c2 = st.columns([6, 1], vertical_alignment="bottom")
        c1.text_input("Search norms, CBMs and agreed language", key="q", bind="query-params",
                      placeholder="e.g. protection of critical infrastructure", max_chars=cfg.max_query_chars,
                      help="Words or a question. Put a phrase in quotes to match it exactly. Press Enter to search.")
        c2.form_submit_button("Search", type="primary", width="stretch")
    return st.session_state.get("q", "").strip()


def intro() -> None:
    st.info("Type words or a question and press Enter. Put a phrase in “quotes” to match it exactly. "
            "Filters are in the sidebar.")
    cols = st.columns(len(EXAMPLES) + 1)
    cols[0].caption("Try:")
    for col, example in zip(cols[1:], EXAMPLES):
        col.button(example, key=f"example-{slug(example)}", on_click=set_query, args=(example,), type="tertiary")


def empty_state(query: str, filters: Filters, years: tuple[int, int]) -> None:
    """Say plainly that nothing relevant was found; weaker matches are never shown."""
    st.subheader("Nothing relevant found")
    where = f" with these filters ({md_plain(describe_filters(filters))})" if filters else ""
    st.markdown(f"No passage is close enough to **{md_plain(query)}**{where}. "
                "Weaker matches are not shown: they would only be noise.")
    tips = (["remove some filters"] if filters else []) + [
        "use the words a resolution or report would use (*critical infrastructure* rather than *power grid hacks*)",
        "shorten a quoted phrase, or drop the quotes"]
    st.markdown("You could:\n" + "\n".join(f"- {t}" for t in tips))
    if filters:
        st.button("Search again without filters", on_click=clear_filters, args=(years,), type="primary")


def results_header(answer: Answer, filters: Filters) -> None:
    md, table = export_markdown(answer, filters), export_csv(answer.hits)
    st.session_state["exports"] = {"markdown": md, "csv": table}  # what the buttons offer, for tests too
    c1, c2 = st.columns([3, 2], vertical_alignment="center")
    n = len(answer.hits)
    c1.markdown(f"**{n} passage{'s' if n != 1 else ''}** for “{md_plain(answer.query)}”"
                + (f" · {md_plain(describe_filters(filters))}" if filters else ""))
    name = f"normbase-{slug(answer.query)}"
    buttons = c2.container(horizontal=True, horizontal_alignment="right", gap="small")
    buttons.download_button("Export Markdown", md, f"{name}.md", "text/markdown", on_click="ignore",
                            icon=":material/download:",
                            help="These results as a Markdown note: quotes, citations, links")
    buttons.download_button("Export CSV", table, f"{name}.csv", "text/csv", on_click="ignore",
                            icon=":material/download:", help="These results as a spreadsheet, one row per passage")


def search_page() -> None:
    cfg = config()
    s = open_searcher(cfg)
    opts = FilterOptions.of(s.documents())
    st.title("normbase")
    st.caption("Agreed language of international cyber diplomacy, quoted verbatim and cited exactly.")
    filters, k = filter_widgets(opts)
    query = search_box(cfg)
    st.session_state.pop("exports", None)
    if not query:
        intro()
        return
    try:
        answer = s.answer(query, k, filters)
    except IndexUnavailable as exc:
        st.error(md_plain(exc))
        return
    nothing = [n for n in answer.notices if n.startswith("Nothing relevant")]
    for notice in answer.notices:
        if notice not in nothing:
            st.warning(md_plain(notice))
    if not answer.hits:
        if nothing:  # otherwise the query itself was unusable, and the notice above says why
            empty_state(query, filters, opts.years)
        return
    results_header(answer, filters)
    st.html(cards_html(s, answer.hits))


# -- documents page ------------------------------------------------------------

def catalogue_rows(entries: list[SourceEntry], indexed: list[dict], skipped: list[dict]) -> list[dict]:
    """One row per catalogued document (indexed, skipped or not available locally), then uncatalogued ones."""
    by_id = {d["doc_id"]: d for d in indexed}
    why = {Path(s["path"]).name: s["reason"] for s in skipped}
    rows = []
    for e in entries:
        d = by_id.get(e.id)
        status = "indexed" if d else f"skipped: {why[e.file]}" if e.file in why else "not available locally"
        rows.append({"document": e.display_symbol, "title": e.title or (d["title"] if d else ""),
                     "body": e.body, "date": e.date,
                     "type": e.type, "status": status, "passages": d["passages"] if d else 0,
                     "link": safe_url(e.url) or None})
    known = {e.id for e in entries}
    for d in indexed:
        if d["doc_id"] not in known:
            rows.append({"document": d["symbol"] or d["title"], "title": d["title"], "body": d["body"],
                         "date": d["date"], "type": d["type"],
                         "status": "indexed (uncatalogued)" if not d["catalogued"] else "indexed (another copy)",
                         "passages": d["passages"], "link": safe_url(d["url"]) or None})
    return rows


def timeline(rows: list[dict]) -> None:
    import pandas as pd

    frame = pd.DataFrame([{"year": r["date"][:4], "body": r["body"]} for r in rows if r["date"][:4].isdigit()])
    if frame.empty:
        return
    st.subheader("Timeline")
    st.caption("Documents in the catalogue and the index, by year and body.")
    st.bar_chart(frame.groupby(["year", "body"]).size().unstack(fill_value=0), x_label="year",
                 y_label="documents")


def index_state(cfg: Settings, s: Searcher) -> None:
    st.subheader("Index")
    m = s.manifest
    stale = m.fingerprint != fingerprint(cfg, corpus_files(cfg.corpus))
    st.markdown(f"Model **{md_plain(m.model)}** · {m.passages} passages from {m.documents} documents · "
                f"built {md_plain(m.built_at.replace('T', ' '))} in {m.build_seconds:.0f} s")
    last = st.session_state.pop("last_build", None)
    if last is not None:
        st.success(f"Index updated: {md_plain(last.summary())}")
    if stale:
        st.warning("Out of date: documents or the catalogue changed since this index was built.")
    else:
        st.caption("Up to date with the corpus folders and the catalogue.")
    if m.skipped:
        with st.expander(f"{len(m.skipped)} file(s) could not be indexed"):
            st.markdown("\n".join(f"- {md_plain(Path(x['path']).name)}: {md_plain(x['reason'])}" for x in m.skipped))
    label = "Rebuild the index" if stale else "Rebuild anyway"
    if st.button(label, type="primary" if stale else "secondary",
                 help="Only new or changed passages are embedded again") and run_build(cfg, force=not stale):
        st.rerun()


@dataclass
class UploadCheck:
    """An uploaded file after every check, before anything is saved."""

    filename: str  # as the browser sent it: shown, never used as a path
    name: str = ""  # the safe name it will be saved under
    data: bytes = b""
    document: Optional[Document] = None
    error: str = ""


def upload_limit(cfg: Settings) -> int:
    return int(cfg.max_upload_mb * 1024 * 1024)


def same_content(data: bytes, cfg: Settings) -> Optional[Path]:
    """A corpus (or upload folder) file with exactly these bytes, if there is one."""
    digest = hashlib.sha256(data).hexdigest()
    for path in corpus_files([*cfg.corpus, cfg.upload_dir]):
        try:
            if path.stat().st_size == len(data) and file_sha256(path) == digest:
                return path
        except OSError:
            continue
    return None


def preview_document(data: bytes, name: str, cfg: Settings) -> Document:
    """The passages the file would give, from a private temporary copy (never from the corpus folder)."""
    try:
        catalog = cat.Catalog(cat.load_catalog(cfg.sources))
    except IngestError:
        catalog = cat.Catalog([])
    with tempfile.TemporaryDirectory(prefix="normbase-upload-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return ingest_file(path, catalog, cfg, get_token_counter(cfg.model))


def check_uploaded(data: bytes, filename: str, cfg: Settings) -> UploadCheck:
    """Size, type (by content), duplicates and passages of an upload; nothing is written to the corpus."""
    limit = upload_limit(cfg)
    try:
        if len(data) > limit:
            raise IngestError(f"the file is {len(data) / 1048576:.1f} MB; uploads are limited to "
                              f"{cfg.max_upload_mb:g} MB")
        name = check_upload(data, filename, max_bytes=limit, max_pages=cfg.max_pages)
        twin = same_content(data, cfg)
        if twin is not None:
            raise IngestError(f"the same document is already in the corpus as {twin.name}")
        document = preview_document(data, name, cfg)
    except IngestError as exc:
        return UploadCheck(filename, error=str(exc))
    except Exception as exc:  # a parser failing on a malformed file is still the file's problem
        return UploadCheck(filename, error=f"the file could not be read ({type(exc).__name__})")
    return UploadCheck(filename, name, data, document)


def upload_folder_indexed(cfg: Settings) -> bool:
    up = cfg.upload_dir.resolve()
    return any(up == Path(d).resolve() or Path(d).resolve() in up.parents for d in cfg.corpus)


def add_upload(check: UploadCheck, cfg: Settings) -> None:
    """Save under the safe name, rebuild, and report on the next run (the uploader is reset)."""
    try:
        saved = save_upload(check.data, check.name, cfg.upload_dir)
    except IngestError as exc:
        st.error(f"Not saved: {md_plain(exc)}")
        return
    report = run_build(cfg)
    st.session_state.pop("last_build", None)  # reported below, with the upload
    skipped = [s.reason for s in (report.skipped if report else []) if Path(s.path).name == saved.name]
    if report is None or skipped:
        msg = ("warning", f"Saved as {saved.name}, but it is not in the index"
               + (f": {skipped[0]}" if skipped else "") + ".")
    else:
        msg = ("success", f"Saved as {saved.name} and indexed: {len(check.document.passages)} passages.")
    st.session_state["upload_message"] = msg
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1
    st.rerun()


def show_upload_preview(check: UploadCheck) -> None:
    doc = check.document
    src = doc.source
    facts = [src.display_symbol, src.body, src.date or "no date found", "catalogued" if src.catalogued else
             "not in the catalogue (details inferred from the file)"]
    st.markdown(f"**{md_plain(check.name)}**: {len(doc.passages)} passages as they will be indexed · "
                + " · ".join(md_plain(f) for f in facts))
    st.dataframe([{"citation": p.citation(src), "page": p.page, "text": p.text} for p in doc.passages],
                 hide_index=True, width="stretch", height=min(400, 40 + 35 * len(doc.passages)))


def upload_section(cfg: Settings) -> None:
    st.subheader("Add a document")
    st.caption(f"PDF, TXT, MD or HTML, up to {cfg.max_upload_mb:g} MB. You see its passages first; "
               f"“Add” saves it into {md_plain(cfg.upload_dir)} and updates the index.")
    message = st.session_state.pop("upload_message", None)
    if message:
        (st.success if message[0] == "success" else st.warning)(md_plain(message[1]))
    if not upload_folder_indexed(cfg):
        st.warning(f"Uploads are off: the upload folder {md_plain(cfg.upload_dir)} is not one of the corpus "
                   "folders, so an uploaded file would never be indexed. Set NORMBASE_UPLOAD_DIR to a corpus folder.")
        return
    up = st.file_uploader("Document file", type=UPLOAD_TYPES, key=f"upload-{st.session_state.get('upload_round', 0)}",
                          max_upload_size=max(1, math.ceil(cfg.max_upload_mb)),
                          help="The file is checked and previewed; nothing is saved until you press Add.")
    if up is None:
        return
    check = check_uploaded(up.getvalue(), up.name, cfg)
    if check.error:
        st.error(f"**{md_plain(up.name)}** was rejected: {md_plain(check.error)}. "
                 "Nothing was saved and the index is unchanged.")
        return
    show_upload_preview(check)
    if st.button("Add to the corpus and update the index", type="primary"):
        add_upload(check, cfg)


def documents_page() -> None:
    cfg = config()
    s = open_searcher(cfg)
    st.title("Documents")
    st.caption("The catalogue (corpus/sources.toml) and what of it is in the index.")
    try:
        entries = cat.load_catalog(cfg.sources)
    except IngestError as exc:
        st.error(f"The catalogue cannot be read: {md_plain(exc)}")
        entries = []
    rows = catalogue_rows(entries, s.documents(), s.manifest.skipped)
    st.dataframe(rows, hide_index=True, width="stretch",
                 column_order=["document", "status", "passages", "date", "body", "type", "link", "title"],
                 column_config={"link": st.column_config.LinkColumn("official link", display_text="open ↗"),
                                "passages": st.column_config.NumberColumn("passages", format="%d")})
    timeline(rows)
    index_state(cfg, s)
    upload_section(cfg)


def main() -> None:
    st.set_page_config(page_title="normbase: cyber norms search", page_icon=":material/gavel:", layout="wide")
    st.html(CSS)
    st.html(COPY_SCRIPT, unsafe_allow_javascript=True)
    page = st.navigation([st.Page(search_page, title="Search", icon=":material/search:", default=True),
                          st.Page(documents_page, title="Documents", icon=":material/library_books:",
                                  url_path="documents")])
    page.run()


if __name__ == "__main__":  # `streamlit run app.py` (and AppTest) run this file as __main__
    main()
