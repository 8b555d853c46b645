"""The API's request and response shapes, beyond the search records it returns as they are.

Answers and hits are the engine's own dataclasses (`index.Answer`, `index.Hit`), so the API's
JSON cannot drift from the command line's; so are a comparison's documents and diff stretches and a
lineage's passage. What is here has no engine record with that JSON: batch requests, the documents
listing, the index and build state, comparison rows and lineage versions, errors.
"""
from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from index import Answer, Filters, Hit
from index.align import DiffOp
from index.compare import DocumentRef
from index.lineage import PassageRef

from ..search import MODES

MAX_K = 100
MAX_BATCH = 100
MAX_FILTER_VALUES = 50  # values of one filter (bodies, documents...)
MAX_FILTER_CHARS = 200  # characters of one filter value
YEAR_BOUND = 9999

Mode = Literal[MODES]


def no_surrogates(value: str) -> str:
    """A lone surrogate (valid in JSON, `"\\ud800"`) can be neither searched nor sent back as UTF-8."""
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        raise ValueError("the text contains an unpaired surrogate (not valid Unicode)")
    return value


Text = Annotated[str, AfterValidator(no_surrogates)]
FilterValue = Annotated[Text, Field(max_length=MAX_FILTER_CHARS)]
FilterValues = Annotated[list[FilterValue], Field(max_length=MAX_FILTER_VALUES)]
Year = Annotated[int, Field(ge=-YEAR_BOUND, le=YEAR_BOUND)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FiltersIn(Strict):
    """The engine's Filters, with the field names of `index.Filters`."""

    bodies: FilterValues = []
    documents: FilterValues = Field([], description="symbols or document ids")
    types: FilterValues = []
    languages: FilterValues = []
    year_from: Optional[Year] = None
    year_to: Optional[Year] = None

    def to_filters(self) -> Filters:
        return Filters(bodies=tuple(self.bodies), documents=tuple(self.documents), types=tuple(self.types),
                       languages=tuple(self.languages), year_from=self.year_from, year_to=self.year_to)


def batch_request(max_query_chars: int) -> type[BaseModel]:
    """The batch body, with the query length limit of these settings."""
    query = Annotated[Text, Field(max_length=max_query_chars)]

    class BatchRequest(Strict):
        """Many searches in one request, answered in order (the model is shared, not reloaded)."""

        queries: Annotated[list[query], Field(min_length=1, max_length=MAX_BATCH)]
        k: Annotated[int, Field(ge=1, le=MAX_K)] = 10
        mode: Mode = "hybrid"
        filters: FiltersIn = FiltersIn()

    return BatchRequest


class BatchAnswers(BaseModel):
    answers: list[Answer] = Field(description="one answer per query, in the order of the request")


class ContextPassage(BaseModel):
    id: int
    ordinal: int
    label: Optional[str]
    text: str
    page: Optional[int]
    citation: Optional[str]


class PassageOut(BaseModel):
    passage: Hit = Field(description="the passage as a search hit (rank 1, score 0), with its also_in")
    context: list[ContextPassage] = Field(description="the passages around it in its document, itself included")


class DocumentOut(BaseModel):
    doc_id: str
    symbol: Optional[str]
    title: Optional[str]
    body: Optional[str]
    date: Optional[str]
    year: Optional[int]
    type: Optional[str]
    language: Optional[str]
    url: Optional[str]
    file: Optional[str]
    catalogued: bool
    passages: int


class BuildStatus(BaseModel):
    """The state of the rebuilds this server ran (`python -m index build` elsewhere is not seen)."""

    state: Literal["idle", "running", "done", "failed"] = "idle"
    pending: bool = Field(False, description="another build was asked for while this one runs; it follows")
    started_at: Optional[str] = None
    finished_at: Optional[str] = None
    error: Optional[str] = None
    report: Optional[dict] = Field(None, description="the JSON of `python -m index build --json`")


class IndexState(BaseModel):
    version: str = Field(description="the live version folder; changes when a build is swapped in")
    built_at: str
    model: str
    documents: int
    passages: int
    skipped: list[dict] = Field(description='files the build could not ingest: [{"path", "reason"}]')
    writable: bool = Field(description="upload and rebuild are open (a token is configured)")
    build: BuildStatus


class DocumentsOut(BaseModel):
    index: IndexState
    documents: list[DocumentOut]


class Ready(BaseModel):
    ready: bool
    version: str
    documents: int
    passages: int


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Uploaded(BaseModel):
    saved: str = Field(description="the file name it was saved under in the upload folder")
    build: BuildStatus


class BuildRequest(Strict):
    force: bool = Field(False, description="rebuild even if the corpus is unchanged")


class ErrorOut(BaseModel):
    """Every error: a one-line message, and for invalid requests which field was wrong."""

    error: str
    details: list[dict] = []


# -- comparison and lineage (the JSON of `python -m index compare|lineage --json`, docs/lineage.md) ----------
# Documents, passages and diff stretches are the engine's records (DocumentRef, PassageRef, DiffOp); rows and
# versions are shaped here because their JSON flattens or leaves out fields of the engine's records.
class CompareRowOut(BaseModel):
    status: Literal["same", "changed", "added", "removed"]
    a: list[str] = Field(description="labels of A's paragraphs in this row (several: merged in B)")
    b: list[str] = Field(description="labels of B's paragraphs in this row (several: split from A)")
    a_text: str
    b_text: str
    diff: list[DiffOp]


class CompareSummary(BaseModel):
    same: int
    changed: int
    added: int
    removed: int
    rows: int
    compared_by: Literal["wording", "labels"] = Field(
        description="`labels` when the documents are in different languages: rows paired by label, no word diff")
    notice: str = Field(description="why the documents were compared by labels; empty otherwise")


class CompareOut(BaseModel):
    a: DocumentRef
    b: DocumentRef
    rows: list[CompareRowOut]
    summary: CompareSummary


class VersionOut(BaseModel):
    symbol: str
    label: str
    date: str
    citation: str
    status: Literal["self", "same", "changed"] = Field(description="`self`: the asked passage")
    diff: list[DiffOp] = Field(description="against the version before it (the first: one insert)")
    passage_id: int
    doc_id: str
    url: str
    text: str
    first: bool = Field(description="the first appearance of the wording")
    only_sentence: bool = Field(description="only a sentence is shared with the asked passage")
    shared: list[str] = Field(description="this version's sentences found in the asked passage (only_sentence)")
    similarity: float


class LineageOut(BaseModel):
    passage: PassageRef
    versions: list[VersionOut] = Field(description="oldest first, the asked passage among them")
