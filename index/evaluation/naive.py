"""The naive recipe, the reference our figures are read against: LangChain's recursive splitter
(1000 / 200 characters) over each file's extracted text, the same model, FAISS flat, dense only."""
from __future__ import annotations

from ingest.settings import Settings

from ..backends import Embedder
from .gold import GoldQuery
from .metrics import K, Ranked, mean, mean_words, normalize, score_query

CHUNK_SIZE, CHUNK_OVERLAP = 1000, 200


def naive_chunks(settings: Settings) -> list[tuple[str, str]]:
    """(document key, chunk) for every corpus file that loads; a file that does not is left out, as a
    naive pipeline would."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.loaders import load
    from ingest.pipeline import corpus_files

    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    out = []
    for path in corpus_files(settings.corpus):
        try:
            loaded = load(path, max_bytes=settings.max_file_bytes, max_pages=settings.max_pages)
        except Exception:
            continue
        key = loaded.header.get("symbol") or path.name
        out += [(key, c) for c in splitter.split_text(loaded.text.strip())]
    return out


def evaluate_naive(settings: Settings, gold: list[GoldQuery], embedder: Embedder) -> dict:
    import faiss

    chunks = naive_chunks(settings)
    vecs = embedder.encode_passages([c for _, c in chunks], settings.batch_size)
    index = faiss.IndexFlatIP(vecs.shape[1])
    index.add(vecs)
    rows, returned = [], []
    for g in gold:
        _, ids = index.search(embedder.encode_query(g.query).reshape(1, -1), K)
        ranked = [Ranked([(chunks[i][0], normalize(chunks[i][1]))], len(chunks[i][1].split())) for i in ids[0] if i >= 0]
        returned += ranked
        rows.append(score_query(ranked, g.judgments))
    summary = mean(rows)
    summary["mean_words"] = mean_words(returned)
    return summary
