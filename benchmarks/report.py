"""Markdown tables for docs/performance.md from `python -m index bench --json` output.

    .venv/bin/python benchmarks/report.py bench.json
"""
from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index import bench  # noqa: E402

fmt = functools.partial(bench.fmt, missing="–")  # an en dash in the Markdown tables


def main(path: str) -> int:
    out = json.load(open(path, encoding="utf-8"))
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
        print(f"| {t['target']} | {t['limit']} | {fmt(t['value'], 2)} | "
              f"{ {True: 'yes', False: '**no**', None: 'not measured'}[t['met']] } |")
    return 0


def sizes_tables(out: dict) -> None:
    print("| size | passages | vector index | build passages/s | raw encode/s | build % of raw (wall / CPU) "
          "| query p50 / p95 / p99 ms | same, CPU ms | peak RSS build MB | peak RSS serve MB | index MB "
          "| ANN recall@10 (@100) |")
    print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in out["sizes"]:
        vi = r["vector_index"]
        kind = vi.get("desc") or (vi["kind"] if vi["kind"] == "flat" else
                                  f"{vi['kind']}, {vi.get('nlist')} lists, nprobe {vi.get('nprobe')}")
        rec = (f"{fmt(r['ann_recall_at_10'], 3)} ({fmt(r['ann_recall_at_100'], 3)})"
               if r["ann_recall_at_10"] is not None else "– (exact)")
        print(f"| {r['size']} | {r['passages']:,} | {kind} | {fmt(r['build_passages_per_s'])} | "
              f"{fmt(r['raw_encode_per_s'])} | {fmt(r['build_pct_of_raw'])} / {fmt(r['build_pct_of_raw_cpu'])} | "
              f"{fmt(r['query_p50_ms'])} / {fmt(r['query_p95_ms'])} / {fmt(r['query_p99_ms'])} | "
              f"{fmt(r['query_cpu_p50_ms'])} / {fmt(r['query_cpu_p95_ms'])} / {fmt(r['query_cpu_p99_ms'])} | "
              f"{fmt(r['peak_rss_mb_build'], 0)} | {fmt(r['peak_rss_mb_serve'], 0)} | {fmt(r['index_mb'])} | {rec} |")
    print()
    print("| size | encode | dense | lexical | rest (fusion, rows, grouping, highlights) | build stages (s) |"
          " write side passages/s | load average build / serve |")
    print("| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |")
    for r in out["sizes"]:
        c = r["query_components_p50_ms"]
        stages = ", ".join(f"{k} {v}" for k, v in (r.get("build_stages_s") or {}).items())
        ld = r.get("load_average_during") or {}
        print(f"| {r['size']} | {c['encode']} | {c['dense']} | {c['lexical']} | {c['rest']} | {stages} | "
              f"{fmt(r.get('write_passages_per_s'))} | {ld.get('build')} / {ld.get('serve')} |")
    print()


def once_table(out: dict) -> None:
    cs = out.get("cold_start") or {}
    print("| once per run | seconds | details |")
    print("| --- | ---: | --- |")
    print(f"| app cold start (launch to first result card) | {fmt(out.get('cold_start_s'), 2)} | "
          + (cs.get("reason") or f"first HTTP answer {cs.get('first_http_s')} s, {cs.get('cards')} cards, "
                                 f"server CPU {cs.get('app_cpu_s')} s, RSS {cs.get('app_rss_mb')} MB") + " |")
    if "unchanged_rebuild_s" not in out:  # --app-only
        return
    ub = out.get("unchanged_rebuild") or {}
    ri = out.get("one_document_reingest") or {}
    print(f"| unchanged rebuild (`python -m index build`, launch to exit) | {fmt(out.get('unchanged_rebuild_s'), 2)} "
          f"| runs {ub.get('runs_s')}, in-process {ub.get('reported_s')} s, CPU {ub.get('cpu_s')} s, "
          f"up to date: {ub.get('up_to_date')} |")
    print(f"| one changed document, fresh process with model load | {fmt(out.get('one_document_reingest_s'), 2)} | "
          f"{ri.get('embedded')} embedded, {ri.get('reused')} reused, in-process {ri.get('reported_s')} s, "
          f"CPU {ri.get('cpu_s')} s |")


def ms3(d) -> str:
    return f"{fmt(d['p50'])} / {fmt(d['p95'])} / {fmt(d['max'])}" if d else "–"


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
        print(f"| `Searcher.answer` alone, one thread (bench serve step) | {fmt(sa['p50'])} / {fmt(sa['p95'])} / – "
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
              f"{fmt(real['peak_rss_mb_build'], 0)} / {fmt(real['peak_rss_mb_serve'], 0)} |")
    print(f"| naive (1000/200 splitter, flat, dense only) | {nv['chunks']:,} chunks | {nv['build_s']} "
          f"({nv.get('build_cpu_s')}) | {nv['p50_ms']} / {nv['p95_ms']} / {nv['p99_ms']} | "
          f"{nv['cpu_p50_ms']} / {nv['cpu_p95_ms']} | {fmt(nv['peak_rss_mb_build'], 0)} / "
          f"{fmt(nv['peak_rss_mb_serve'], 0)} |")
    print(f"\nRatios ours / naive: {json.dumps({k: v for k, v in vs.items() if k != 'note'})}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
