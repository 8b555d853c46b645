"""The bench's output for people: the text report it prints, the targets it checks, and the Markdown
tables of docs/performance.md (`python -m benchmarks.bench.report bench.json`)."""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

KEYS = ("size", "build_passages_per_s", "raw_encode_per_s", "query_p50_ms", "query_p95_ms", "query_p99_ms",
        "peak_rss_mb_build", "peak_rss_mb_serve", "index_mb", "ann_recall_at_10")
RENDER_TARGET_MS = 300  # issue 4: with a warm model, a query renders its results within 300 ms


def check_targets(out: dict) -> list[dict]:
    """Each target of issue 18 (speed) with the measured figure and met / not met / not measured."""
    rows = {r["size"]: r for r in out["sizes"]}
    checks = []

    def add(name: str, value, limit, higher_is_better: bool = False):
        met = None if value is None else (value >= limit if higher_is_better else value <= limit)
        checks.append({"target": name, "limit": limit, "value": value, "met": met})

    r100, r1m = rows.get("100k"), rows.get("1m")
    add("query p50 at 100k (ms)", r100 and r100["query_p50_ms"], 15)
    add("query p95 at 100k (ms)", r100 and r100["query_p95_ms"], 40)
    add("query p50 at 1m (ms)", r1m and r1m["query_p50_ms"], 50)
    add("ANN recall@10 at 1m", r1m and r1m["ann_recall_at_10"], 0.95, higher_is_better=True)
    add("serving memory at 1m (MB)", r1m and r1m["peak_rss_mb_serve"], 4096)
    pcts = [r["build_pct_of_raw"] for r in out["sizes"] if r.get("build_pct_of_raw") is not None]
    add("build as % of raw encode (worst size)", min(pcts) if pcts else None, 90, higher_is_better=True)
    add("unchanged rebuild (s)", out.get("unchanged_rebuild_s"), 3)
    add("one-document re-ingest with model load (s)", out.get("one_document_reingest_s"), 5)
    add("one-shot `python -m index search` (s)", out.get("one_shot_search_s"), 1.5)
    vs = out.get("vs_naive") or {}
    # the figure is the latency (p50 wall); the CPU ratio (all threads) is printed beside it
    add("warm query p50, ours / naive recipe", vs.get("query_p50_ratio"), 0.6)
    add("app cold start (s)", out.get("cold_start_s"), 4)
    add("app warm query render p95 (ms)", (out.get("app_query_render_ms") or {}).get("p95"), RENDER_TARGET_MS)
    return checks


def render_text(out: dict) -> str:
    m = out["machine"]
    lines = [f"normbase bench, {out['date']}: {m.get('nproc')} cores ({m.get('cpu_model')}), "
             f"{m.get('memory_gb')} GB; load average {m.get('load_average')} at start, "
             f"{out.get('load_average_end')} at end",
             "OPENBLAS_CORETYPE: " + (f"set ({out['openblas_coretype']})" if out["openblas_coretype_set"]
                                      else "not set")]
    if out.get("app_only"):
        lines.append(f"app only, on the existing index {out.get('index')}")
    else:
        lines.append(f"queries: {out['queries']['measured']} measured after {out['queries']['warmup']} warm-up, "
                     f"one at a time, from {out['queries']['source']}")
    lines.append("")
    lines += _render_sizes(out) + _render_app(out)
    if not out.get("app_only"):
        lines += _render_once(out)
    lines.append("")
    lines.append("targets:")
    for t in out["targets"]:
        mark = {True: "met", False: "NOT MET", None: "not measured"}[t["met"]]
        lines.append(f"  {t['target']}: {fmt(t['value'])} (limit {t['limit']}): {mark}")
    for n in out.get("notes", []):
        lines.append("note: " + n)
    lines.append(f"bench took {out['bench_seconds']} s")
    return "\n".join(lines)


def _render_sizes(out: dict) -> list[str]:
    if not out["sizes"]:
        return []
    lines = []
    head = ["size", "passages", "index", "build/s", "raw/s", "build%", "p50 ms", "p95 ms", "p99 ms",
            "cpu p50", "cpu p95", "RSS build", "RSS serve", "disk MB", "recall@10"]
    table = [head]
    for r in out["sizes"]:
        vi = r["vector_index"]
        table.append([r["size"], str(r["passages"]), vi["kind"] + (f"({vi.get('desc')})" if vi.get("desc") else ""),
                      fmt(r["build_passages_per_s"]), fmt(r["raw_encode_per_s"]), fmt(r["build_pct_of_raw"]),
                      fmt(r["query_p50_ms"]), fmt(r["query_p95_ms"]), fmt(r["query_p99_ms"]),
                      fmt(r["query_cpu_p50_ms"]), fmt(r["query_cpu_p95_ms"]),
                      fmt(r["peak_rss_mb_build"]), fmt(r["peak_rss_mb_serve"]), fmt(r["index_mb"]),
                      fmt(r["ann_recall_at_10"], 3)])
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths)))
    lines.append("")
    for r in out["sizes"]:
        comp = ", ".join(f"{k} {v}" for k, v in (r.get("query_components_p50_ms") or {}).items())
        lines.append(f"{r['size']}: p50 by part (ms): {comp}; lexical p95 {fmt(r.get('query_lexical_p95_ms'))}; "
                     f"vectors: {r['vectors']}")
        if r.get("serve_models_loaded"):
            lines.append(f"{r['size']}: serving RSS {fmt(r['peak_rss_mb_serve'])} MB with the models "
                         + " and ".join(r["serve_models_loaded"]) + " loaded")
        if r.get("build_pct_of_raw_cpu") is not None:
            lines.append(f"{r['size']}: build {r['build_s']} s; raw encode of {r['raw_texts']} of its texts; "
                         f"build as % of raw by CPU time per passage: {r['build_pct_of_raw_cpu']}")
        if r.get("raw_models"):
            lines.append(f"{r['size']}: raw encode by model (the build encodes with each): " + "; ".join(
                f"{name} {m['s']} s, {m['per_s']}/s, {m['cpu_ms_per_passage']} ms CPU per passage"
                for name, m in r["raw_models"].items()))
        if r.get("build_stages_s"):
            lines.append(f"{r['size']}: build stages (s): " +
                         ", ".join(f"{k} {v}" for k, v in r["build_stages_s"].items()))
    lines.append("")
    return lines


def _render_app(out: dict) -> list[str]:
    cs = out.get("cold_start") or {}
    lines = [f"app cold start: {fmt(out.get('cold_start_s'))} s" +
             (f" ({cs['reason']})" if cs.get("reason") else f" (first HTTP answer {cs.get('first_http_s')} s)")]
    alone = cs.get("streamlit_alone") or {}
    if alone:
        lines.append(f"Streamlit alone (a one-element script, launch to the element shown): "
                     f"{alone.get('seconds', alone.get('reason'))} s")
    rm, rd = out.get("app_query_render_ms"), out.get("app_query_render") or {}
    if rm:
        extra = [f"first card p50 {rd['first_card_ms']['p50']} ms" if rd.get("first_card_ms") else None,
                 f"server rerun p50 {rd['server_ms']['p50']} / p95 {rd['server_ms']['p95']} ms"
                 if rd.get("server_ms") else None,
                 f"server CPU {rd['app_cpu_ms_per_query']} ms per query" if rd.get("app_cpu_ms_per_query") else None,
                 f"Searcher.answer alone p50 {rd['searcher_answer_ms']['p50']} ms"
                 if rd.get("searcher_answer_ms") else None,
                 f"{rd.get('empty')} no-result screens and {len(rd.get('failed') or [])} failures left out"
                 if rd.get("empty") or rd.get("failed") else None]
        lines.append(f"app warm query render (Enter to all result cards): p50 {rm['p50']} ms, p95 {rm['p95']} ms, "
                     f"max {rm['max']} ms over {rm['n']} queries (target {RENDER_TARGET_MS} ms); "
                     + "; ".join(e for e in extra if e))
    else:
        lines.append(f"app warm query render: - ({rd.get('reason', 'not measured')})")
    return lines


def _render_once(out: dict) -> list[str]:
    lines = []
    lines.append(f"unchanged rebuild: {fmt(out.get('unchanged_rebuild_s'))} s (process launch to exit)")
    lines.append(f"one-shot search: {fmt(out.get('one_shot_search_s'))} s, launch to exit "
                 f"(CPU {(out.get('one_shot_search') or {}).get('cpu_s')} s)")
    ri = out.get("one_document_reingest") or {}
    lines.append(f"one-document re-ingest: {fmt(out.get('one_document_reingest_s'))} s with model load "
                 f"({ri.get('embedded')} passages embedded, {ri.get('reused')} reused)")
    nv, vs = out.get("naive"), out.get("vs_naive")
    if nv and vs:
        lines.append(f"naive recipe (1000/200 splitter, flat, dense only): {nv['chunks']} chunks, build "
                     f"{nv['build_s']} s, query p50 {nv['p50_ms']} ms, p95 {nv['p95_ms']} ms; ours/naive: build "
                     f"time x{vs['build_time_ratio']}, query p50 x{vs['query_p50_ratio']}, "
                     f"p95 x{vs['query_p95_ratio']}")
    return lines


def fmt(v, digits: int = 1, missing: str = "-") -> str:
    """A figure for a table or a summary line: floats to `digits` places, `missing` for None."""
    if v is None:
        return missing
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


_md_fmt = functools.partial(fmt, missing="–")  # an en dash in the Markdown tables


# -- Markdown -----------------------------------------------------------------------------

def print_markdown(out: dict) -> None:
    """The Markdown tables of docs/performance.md for one bench output."""
    m = out["machine"]
    print(f"Machine: {m['nproc']} cores ({m['cpu_model']}; {', '.join(m.get('cpu_flags') or [])}), "
          f"{m['memory_gb']} GB; Python {m['python']}; load average at start {m['load_average']}, "
          f"at end {out.get('load_average_end')}. OPENBLAS_CORETYPE: "
          f"{'set to ' + out['openblas_coretype'] if out['openblas_coretype_set'] else 'not set'}. "
          f"Commit {out['code']['commit'][:10]}" +
          (f" with uncommitted changes in {', '.join(out['code']['modified'])}" if out['code']['modified'] else "")
          + f". Bench wall time {out['bench_seconds']} s.\n")
    if out.get("app_only"):
        im = out.get("index_manifest") or {}
        print(f"App only (`--app-only`), on the existing index {out.get('index')} "
              f"({im.get('passages')} passages, {im.get('documents')} documents, format {im.get('format_version')}).\n")
    if out["sizes"]:
        sizes_tables(out)
    once_table(out)
    render_table(out)
    nv, vs = out.get("naive"), out.get("vs_naive")
    if nv:
        naive_table(out, nv, vs)
    print()
    print("| target | limit | measured | met |")
    print("| --- | ---: | ---: | --- |")
    for t in out["targets"]:
        print(f"| {t['target']} | {t['limit']} | {_md_fmt(t['value'], 2)} | "
              f"{ {True: 'yes', False: '**no**', None: 'not measured'}[t['met']] } |")


def sizes_tables(out: dict) -> None:
    print("| size | passages | vector index | build passages/s | raw encode/s | build % of raw (wall / CPU) "
          "| query p50 / p95 / p99 ms | same, CPU ms | peak RSS build MB | peak RSS serve MB | index MB "
          "| ANN recall@10 (@100) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in out["sizes"]:
        vi = r["vector_index"]
        kind = vi.get("desc") or (vi["kind"] if vi["kind"] == "flat" else
                                  f"{vi['kind']}, {vi.get('nlist')} lists, nprobe {vi.get('nprobe')}")
        rec = (f"{_md_fmt(r['ann_recall_at_10'], 3)} ({_md_fmt(r['ann_recall_at_100'], 3)})"
               if r["ann_recall_at_10"] is not None else "– (exact)")
        print(f"| {r['size']} | {r['passages']:,} | {kind} | {_md_fmt(r['build_passages_per_s'])} | "
              f"{_md_fmt(r['raw_encode_per_s'])} | {_md_fmt(r['build_pct_of_raw'])} / {_md_fmt(r['build_pct_of_raw_cpu'])} | "
              f"{_md_fmt(r['query_p50_ms'])} / {_md_fmt(r['query_p95_ms'])} / {_md_fmt(r['query_p99_ms'])} | "
              f"{_md_fmt(r['query_cpu_p50_ms'])} / {_md_fmt(r['query_cpu_p95_ms'])} / {_md_fmt(r['query_cpu_p99_ms'])} | "
              f"{_md_fmt(r['peak_rss_mb_build'], 0)} | {_md_fmt(r['peak_rss_mb_serve'], 0)} | {_md_fmt(r['index_mb'])} | {rec} |")
    print()
    print("| size | encode | dense | lexical | rest (fusion, rows, grouping, highlights) | build stages (s) |"
          " write side passages/s | load average build / serve |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |")
    for r in out["sizes"]:
        c = r["query_components_p50_ms"]
        stages = ", ".join(f"{k} {v}" for k, v in (r.get("build_stages_s") or {}).items())
        ld = r.get("load_average_during") or {}
        print(f"| {r['size']} | {c['encode']} | {c['dense']} | {c['lexical']} | {c['rest']} | {stages} | "
              f"{_md_fmt(r.get('write_passages_per_s'))} | {ld.get('build')} / {ld.get('serve')} |")
    print()


def once_table(out: dict) -> None:
    cs = out.get("cold_start") or {}
    print("| once per run | seconds | details |")
    print("| --- | ---: | --- |")
    print(f"| app cold start (launch to first result card) | {_md_fmt(out.get('cold_start_s'), 2)} | "
          + (cs.get("reason") or f"first HTTP answer {cs.get('first_http_s')} s, {cs.get('cards')} cards, "
                                 f"server CPU {cs.get('app_cpu_s')} s, RSS {cs.get('app_rss_mb')} MB") + " |")
    alone = cs.get("streamlit_alone") or {}
    print(f"| Streamlit alone (one-element script, launch to the element shown) | {_md_fmt(alone.get('seconds'), 2)} | "
          f"{alone.get('reason') or 'first HTTP answer ' + str(alone.get('first_http_s')) + ' s'} |")
    if "unchanged_rebuild_s" not in out:  # --app-only
        return
    ub = out.get("unchanged_rebuild") or {}
    ri = out.get("one_document_reingest") or {}
    print(f"| unchanged rebuild (`python -m index build`, launch to exit) | {_md_fmt(out.get('unchanged_rebuild_s'), 2)} "
          f"| runs {ub.get('runs_s')}, in-process {ub.get('reported_s')} s, CPU {ub.get('cpu_s')} s, "
          f"up to date: {ub.get('up_to_date')} |")
    os_ = out.get("one_shot_search") or {}
    print(f"| one-shot `python -m index search`, launch to exit | {_md_fmt(out.get('one_shot_search_s'), 2)} | "
          f"runs {os_.get('runs_s')}, CPU {os_.get('cpu_s')} s, {os_.get('hits')} hits |")
    print(f"| one changed document, fresh process with model load | {_md_fmt(out.get('one_document_reingest_s'), 2)} | "
          f"{ri.get('embedded')} embedded, {ri.get('reused')} reused, in-process {ri.get('reported_s')} s, "
          f"CPU {ri.get('cpu_s')} s |")


def ms3(d) -> str:
    return f"{_md_fmt(d['p50'])} / {_md_fmt(d['p95'])} / {_md_fmt(d['max'])}" if d else "–"


def render_table(out: dict) -> None:
    """Warm query render in the browser: Enter in the search box until the new query's cards are rendered."""
    rm, rd = out.get("app_query_render_ms"), out.get("app_query_render") or {}
    print()
    print("| app, warm query (ms) | p50 / p95 / max | queries | details |")
    print("| --- | ---: | ---: | --- |")
    if not rm:
        print(f"| Enter to all result cards rendered | – | – | {rd.get('reason', 'not measured')} |")
        return
    left_out = ", ".join(x for x in (f"{rd['empty']} no-result screens" if rd.get("empty") else "",
                                     f"{len(rd['failed'])} failed" if rd.get("failed") else "") if x)
    print(f"| Enter to all result cards rendered | **{ms3(rm)}** | {rm['n']} | "
          f"{rd.get('source')}; after {rd.get('warmup')} unmeasured" + (f"; left out: {left_out}" if left_out else "")
          + " |")
    print(f"| Enter to the first new result card | {ms3(rd.get('first_card_ms'))} | "
          f"{(rd.get('first_card_ms') or {}).get('n', '–')} | |")
    print(f"| server: rerun message sent to last message received | {ms3(rd.get('server_ms'))} | "
          f"{(rd.get('server_ms') or {}).get('n', '–')} | Chromium's WebSocket frame timestamps; server CPU "
          f"{rd.get('app_cpu_ms_per_query', '–')} ms per query |")
    sa = rd.get("searcher_answer_ms")
    if sa:
        print(f"| `Searcher.answer` alone, one thread (bench serve step) | {_md_fmt(sa['p50'])} / {_md_fmt(sa['p95'])} / – "
              f"| {sa['n']} | other queries (dev + SciFact), same index |")


def naive_table(out: dict, nv: dict, vs: dict) -> None:
    print()
    print("| real corpus | units | build s (CPU s) | query p50 / p95 / p99 ms | CPU p50 / p95 ms "
          "| peak RSS build / serve MB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    real = next((r for r in out["sizes"] if r["size"] == "1k"), None)
    if real:
        print(f"| normbase (hybrid) | {real['passages']:,} passages | {real['build_s']} | "
              f"{real['query_p50_ms']} / {real['query_p95_ms']} / {real['query_p99_ms']} | "
              f"{real['query_cpu_p50_ms']} / {real['query_cpu_p95_ms']} | "
              f"{_md_fmt(real['peak_rss_mb_build'], 0)} / {_md_fmt(real['peak_rss_mb_serve'], 0)} |")
    print(f"| naive (1000/200 splitter, flat, dense only) | {nv['chunks']:,} chunks | {nv['build_s']} "
          f"({nv.get('build_cpu_s')}) | {nv['p50_ms']} / {nv['p95_ms']} / {nv['p99_ms']} | "
          f"{nv['cpu_p50_ms']} / {nv['cpu_p95_ms']} | {_md_fmt(nv['peak_rss_mb_build'], 0)} / "
          f"{_md_fmt(nv['peak_rss_mb_serve'], 0)} |")
    print(f"\nRatios ours / naive: {json.dumps({k: v for k, v in vs.items() if k != 'note'})}")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m benchmarks.bench.report BENCH.json   (the output of `python -m index bench --json`)",
              file=sys.stderr)
        return 2
    try:
        out = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        print(f"error: {argv[0]}: not a bench output ({exc})", file=sys.stderr)
        return 2
    print_markdown(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
