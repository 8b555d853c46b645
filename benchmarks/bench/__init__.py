"""`python -m index bench`: build, query, memory, ANN and start-up figures in one run.

    python -m index bench [--sizes 1k,10k,100k,1m] [--json] [--quick]
    python -m index bench --app-only [--index DIR] [--json]     # the browser figures alone

For every size it reports the build throughput next to the raw throughput of the
same model encoding the same texts (the build's own embedding inputs) in the same run,
end-to-end query latency (parse, encode, dense and lexical search, fusion, grouping,
highlights: one `Searcher.answer` call) over at least 200 warm queries, one at a time (BLAS,
FAISS and the model on one thread each; the CPU counts the Searcher's helper threads too),
peak RSS while building and while serving (each measured in its own subprocess, so the
figures are per size), the index size on disk, and ANN recall@10 against exact
search where an ANN index is used. Once per run it also measures the app's cold
start in a real browser and, in the same browser session, how long a warm query
takes to render its result cards after Enter in the search box (issue 4: 300 ms),
an unchanged rebuild, the re-ingest of one changed document in a fresh process, and
the naive recipe (LangChain's recursive splitter at 1000/200 characters, the same
model, FAISS flat, dense only) over the real corpus, so our figures can be read as
ratios to it.

Where the passages come from:
- sizes up to 2,000 passages: the real corpus (the shared mirror), real model;
- sizes up to 20,000: the real corpus plus SciFact abstracts, real model;
- larger sizes: synthetic passages indexed by the build's public
  `index.build.build_documents` with vectors that are mixtures of real vectors from
  the largest real-model index of the run plus Gaussian noise (texts: the sentences
  of the passages mixed, so dense and lexical agree), handed in by an injected
  embedder. No model encodes them, so their build figures cover the write side only.

Every measurement runs in a child process (`python -m benchmarks.bench.workers TASK
PARAMS`) that prints one JSON line; the parent gathers them. The ANN variants of
`--ann-large` are injected into the build as a vector-index choice, never patched in.

Modules: `cli` (flags, the command), `runner` (the run and its child processes),
`workers` (what a child measures), `data` (corpora and queries), `synthetic` (large
sizes, ANN variants), `browser` (the app in Chromium), `report` (text and Markdown),
`environment` (machine and code), `figures` (sizes, percentiles), `servers`, `app_ui`.
"""
