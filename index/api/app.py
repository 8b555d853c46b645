"""The FastAPI application: routes, error handling, and the factory that wires them to an index.

No `from __future__ import annotations` here: FastAPI reads the route signatures at run time,
and the batch body's type is made per settings (its query length limit) inside the factory.
"""
import logging
from contextlib import asynccontextmanager
from typing import Annotated, Optional

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from index import Answer, Filters, IndexUnavailable, Searcher
from index.compare import UnknownDocument
from index.lineage import UnknownPassage
from ingest.records import IngestError
from ingest.settings import Settings
from ingest.upload import check_uploaded, inside_corpus, save_upload

from .guard import BodyLimit, TokenBucket, WriteRefused, authorize
from .live import BuildRunner, LiveIndex
from .models import (MAX_FILTER_CHARS, MAX_FILTER_VALUES, MAX_K, BatchAnswers, BuildStatus, CompareOut,
                     ContextPassage, DocumentOut, DocumentsOut, ErrorOut, FilterValue, Health, IndexState,
                     LineageOut, Mode, PassageOut, Ready, Text, Uploaded, Year, batch_request)

API_VERSION = "1.0.0"
READ_BODY_LIMIT = 1 << 20  # bytes: a batch of 100 queries of 1,000 characters fits with room to spare
FORM_OVERHEAD = 64 << 10  # bytes of multipart framing allowed on top of the upload size limit
MAX_CONTEXT = 20
log = logging.getLogger("normbase.api")

ERRORS = {400: {"model": ErrorOut, "description": "malformed request"},
          413: {"model": ErrorOut, "description": "request body too large"},
          422: {"model": ErrorOut, "description": "invalid parameters: `details` names each field"},
          503: {"model": ErrorOut, "description": "no usable index (the message says how to build one)"}}
WRITE_ERRORS = {401: {"model": ErrorOut, "description": "no token sent"},
                403: {"model": ErrorOut, "description": "writing is off (no token configured) or the token is wrong"},
                409: {"model": ErrorOut, "description": "uploads cannot be indexed here, or another upload of the "
                                                        "same document is saving it now"},
                429: {"model": ErrorOut, "description": "rate limit: see Retry-After"}}
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "a .pdf, .txt, .md or .html document"}}}}}}}


def create_app(settings: Settings, searcher: Optional[Searcher] = None,
               bucket: Optional[TokenBucket] = None) -> FastAPI:
    """An app answering from `settings.index` (or from `searcher`, reopened when a build swaps in)."""
    live = LiveIndex(settings, searcher)
    builds = BuildRunner(live)
    bucket = bucket or TokenBucket()
    upload_limit = settings.max_upload_bytes
    Batch = batch_request(settings.max_query_chars)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(_warm, live)  # the model loads before the first client waits for it
        yield

    app = FastAPI(title="normbase", version=API_VERSION, lifespan=lifespan, responses=ERRORS,
                  docs_url=None, redoc_url=None,  # their pages load scripts from a CDN: not offline
                  description="Search international cyber-diplomacy texts; every hit is a verbatim passage "
                              "with its exact citation. The JSON is that of `python -m index search --json`.")
    app.state.live, app.state.builds = live, builds
    app.add_middleware(BodyLimit, limit_for=lambda scope: (
        upload_limit + FORM_OVERHEAD if scope["method"] == "POST" and scope["path"] == "/documents"
        else READ_BODY_LIMIT))
    _handle_errors(app)
    bearer = HTTPBearer(auto_error=False, description="the server's NORMBASE_API_TOKEN")

    def writer(request: Request,
               credentials: Annotated[Optional[HTTPAuthorizationCredentials], Security(bearer)]) -> None:
        client = request.client.host if request.client else "-"
        authorize(settings.api_token, credentials.credentials if credentials else None, client, bucket)

    # -- reading -------------------------------------------------------------------
    @app.get("/search", response_model=Answer, tags=["search"], summary="search (one query)")
    def search(q: Annotated[Text, Query(max_length=settings.max_query_chars,
                                        description='words, or a "quoted phrase" to match exactly')],
               k: Annotated[int, Query(ge=1, le=MAX_K, description="number of hits")] = 10,
               mode: Mode = "hybrid",
               body: Annotated[list[FilterValue], Query(max_length=MAX_FILTER_VALUES,
                                                        description="only these bodies, e.g. UNGA")] = [],
               doc: Annotated[list[FilterValue], Query(max_length=MAX_FILTER_VALUES,
                                                       description="only these documents (symbol or id)")] = [],
               type: Annotated[list[FilterValue], Query(max_length=MAX_FILTER_VALUES)] = [],
               language: Annotated[list[FilterValue], Query(max_length=MAX_FILTER_VALUES)] = [],
               year_from: Optional[Year] = None, year_to: Optional[Year] = None) -> Answer:
        filters = Filters(bodies=tuple(body), documents=tuple(doc), types=tuple(type), languages=tuple(language),
                          year_from=year_from, year_to=year_to)
        return live.get().answer(q, k, filters, mode)

    @app.post("/search", response_model=BatchAnswers, tags=["search"], summary="search (a batch of queries)")
    def search_batch(request: Batch) -> BatchAnswers:
        searcher, filters = live.get(), request.filters.to_filters()
        return BatchAnswers(answers=[searcher.answer(q, request.k, filters, request.mode) for q in request.queries])

    @app.get("/passages/{passage_id}", response_model=PassageOut, tags=["search"],
             responses={404: {"model": ErrorOut, "description": "no such passage in the live index"}})
    def passage(passage_id: Annotated[int, Path(ge=0, le=2 ** 62)],
                context: Annotated[int, Query(ge=0, le=MAX_CONTEXT, description="passages each side")] = 2
                ) -> PassageOut:
        searcher = live.get()
        hit = searcher.passage(passage_id)
        if hit is None:
            raise HTTPException(404, f"no passage {passage_id} in index version {searcher.folder.name}")
        rows = searcher.context(hit, before=context, after=context)
        return PassageOut(passage=hit, context=[ContextPassage(**r) for r in rows])

    @app.get("/lineage/{passage:path}", response_model=LineageOut, tags=["compare"],
             summary="every earlier and later version of a passage's wording, oldest first",
             responses={404: {"model": ErrorOut, "description": "no such passage (the message names near labels)"}})
    def lineage(passage: Annotated[Text, Path(min_length=1, max_length=MAX_FILTER_CHARS, description=(
            'a passage id (a hit\'s `passage_id`), or "SYMBOL, LABEL" as in `python -m index lineage`, '
            'e.g. `A/RES/73/27, OP 1.2`'))]) -> dict:
        return live.get().lineage(passage).to_json()

    @app.get("/compare", response_model=CompareOut, tags=["compare"],
             summary="two documents aligned paragraph by paragraph, with word diffs (tracked changes)",
             responses={404: {"model": ErrorOut, "description": "no such document (the message names near "
                                                                "matches)"}})
    def compare(a: Annotated[Text, Query(min_length=1, max_length=MAX_FILTER_CHARS,
                                         description="the earlier document: symbol (A/RES/74/28) or document id")],
                b: Annotated[Text, Query(min_length=1, max_length=MAX_FILTER_CHARS,
                                         description="the later document: symbol or document id")]) -> dict:
        return live.get().compare(a, b).to_json()

    @app.get("/documents", response_model=DocumentsOut, tags=["index"], summary="the documents and the index state")
    def documents() -> DocumentsOut:
        searcher = live.get()
        return DocumentsOut(index=_state(searcher, settings, builds.status()),
                            documents=[DocumentOut(**row) for row in searcher.documents()])

    @app.get("/health", response_model=Health, tags=["service"], summary="the process answers")
    def health() -> Health:
        return Health()

    @app.get("/ready", response_model=Ready, tags=["service"], summary="an index is open and answers")
    def ready() -> Ready:
        s = live.get()
        return Ready(ready=True, version=s.folder.name, documents=s.manifest.documents, passages=s.manifest.passages)

    # -- writing (off unless a token is configured) ----------------------------------
    @app.post("/documents", status_code=201, response_model=Uploaded, tags=["index"], responses=WRITE_ERRORS,
              dependencies=[Depends(writer)], openapi_extra=UPLOAD_BODY,
              summary="add a document to the upload folder and rebuild")
    async def upload(request: Request) -> Uploaded:
        async with request.form(max_files=1, max_fields=1) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise HTTPException(422, "send the document as the multipart form field `file`")
            data = await file.read()
            filename = file.filename or ""
        saved = await run_in_threadpool(_accept, data, filename, settings, upload_limit)
        return Uploaded(saved=saved, build=builds.request())

    @app.post("/build", status_code=202, response_model=BuildStatus, tags=["index"], responses=WRITE_ERRORS,
              dependencies=[Depends(writer)], summary="rebuild the index in the background")
    def rebuild(force: Annotated[bool, Query(description="rebuild even if the corpus is unchanged")] = False
                ) -> BuildStatus:
        return builds.request(force)

    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn imports (`--workers` starts it in each process): settings from NORMBASE_*."""
    return create_app(Settings.from_env())


def _warm(live: LiveIndex) -> None:
    try:
        live.get().answer("warm up the model", 1)
    except IndexUnavailable as exc:
        log.warning("serving without an index for now: %s", exc)


def _state(searcher: Searcher, settings: Settings, build: BuildStatus) -> IndexState:
    m = searcher.manifest
    return IndexState(version=searcher.folder.name, built_at=m.built_at, model=m.model, documents=m.documents,
                      passages=m.passages, skipped=m.skipped, writable=bool(settings.api_token), build=build)


def _accept(data: bytes, filename: str, settings: Settings, limit: int) -> str:
    """The app's upload checks (ingest.upload), then save; the saved file name. HTTPException says why not."""
    if not inside_corpus(settings.upload_dir, settings.corpus):
        raise HTTPException(409, f"uploads are off: the upload folder {settings.upload_dir} is not one of the "
                                 "corpus folders, so the document would never be indexed (set NORMBASE_UPLOAD_DIR)")
    if len(data) > limit:
        raise HTTPException(413, f"the file is {len(data) / 1048576:.1f} MB; uploads are limited to "
                                 f"{settings.max_upload_mb:g} MB")
    check = check_uploaded(data, filename, settings)
    if check.error:
        raise HTTPException(422, check.error)
    try:
        return save_upload(check.data, check.name, settings.upload_dir).name
    except IngestError as exc:  # taken meanwhile by another upload of the same bytes
        raise HTTPException(409, str(exc)) from None


def _handle_errors(app: FastAPI) -> None:
    """Every error is JSON `{"error", "details"}` with its status; a traceback only reaches the log."""

    def reply(status: int, message: str, details: Optional[list] = None, headers: Optional[dict] = None):
        return JSONResponse({"error": message, "details": details or []}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        details = [{"loc": [str(part) for part in e.get("loc", ())], "msg": e.get("msg", "")} for e in exc.errors()]
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = " ".join(first["loc"][:1]) + (f" {'.'.join(first['loc'][1:])}" if len(first["loc"]) > 1 else "")
        return reply(422, f"{where}: {first['msg']}" if where else first["msg"], details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return reply(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(WriteRefused)
    async def refused(request: Request, exc: WriteRefused):
        return reply(exc.status, str(exc), headers=exc.headers)

    @app.exception_handler(UnknownDocument)  # before IndexUnavailable, their base: a name, not the index, is wrong
    @app.exception_handler(UnknownPassage)
    async def unknown(request: Request, exc: LookupError):
        return reply(404, str(exc))

    @app.exception_handler(IndexUnavailable)
    async def unavailable(request: Request, exc: IndexUnavailable):
        return reply(503, str(exc))

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception):
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return reply(500, "internal error; the server's log has the details")
