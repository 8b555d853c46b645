"""The app in a real browser (Chromium through Playwright): its cold start, then warm queries typed
into its search box, timed from the Enter key to the new query's result cards."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

from ingest.settings import ROOT

from .app_ui import EMPTY_TEXTS, NO_RESULT_PREFIX, RESULT_SELECTOR, RESULTS_HEADER_RE, SEARCH_LABEL
from .data import APP_QUERY
from .environment import worker_env
from .figures import summary as _summary
from .servers import free_port, stop

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"]


# Installed in the page once it shows its first result card. A capture-phase keydown listener stamps the
# Enter key press; a MutationObserver stamps the first DOM change after which the page shows the *new*
# query's results: the header "N passages for “query”" and N result cards, all from the new script run
# (Streamlit marks every element of an older run data-stale="true" while the new run is under way, so old
# cards still on screen never count). The no-result screen and error boxes for the new query end a wait too.
_RENDER_PROBE = r"""([cardSel, headerRe, emptyPrefix]) => {
  if (window.__nb) return;
  const norm = s => (s || '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  const live = el => { const c = el.closest('[data-testid="stElementContainer"]');
                       return !c || c.getAttribute('data-stale') !== 'true'; };
  const nb = window.__nb = {pending: false};
  nb.reset = q => Object.assign(nb, {q: norm(q), pending: true, t0: null, first: null, done: null,
                                     cards: 0, empty: false, error: null});
  const check = () => {
    if (!nb.pending || nb.t0 === null || nb.done !== null) return;
    const now = performance.now();
    let expected = null;
    for (const md of document.querySelectorAll('[data-testid="stMarkdownContainer"]')) {
      if (!live(md)) continue;
      const text = md.innerText || '';
      const m = text.match(new RegExp(headerRe));
      if (m && norm(m[2]) === nb.q) { expected = +m[1]; break; }
      if (text.startsWith(emptyPrefix) && norm(text.slice(emptyPrefix.length)).startsWith(nb.q)) {
        Object.assign(nb, {done: now, empty: true, pending: false});
        return;
      }
    }
    for (const al of document.querySelectorAll('[data-testid="stException"], [data-testid="stAlertContentError"]')) {
      if (live(al)) {
        Object.assign(nb, {done: now, error: (al.innerText || '').slice(0, 300), pending: false});
        return;
      }
    }
    if (expected === null) return;
    const cards = [...document.querySelectorAll(cardSel)].filter(live).length;
    if (cards >= 1 && nb.first === null) nb.first = now;
    if (cards >= expected) Object.assign(nb, {done: now, cards: cards, pending: false});
  };
  new MutationObserver(check).observe(document.body, {subtree: true, childList: true, characterData: true,
                                                      attributes: true, attributeFilter: ['data-stale']});
  document.addEventListener('keydown', e => {
    if (e.key === 'Enter' && nb.pending && nb.t0 === null) nb.t0 = performance.now();
  }, true);
}"""




def _wait_idle(server, limit_s: float = 10.0) -> None:
    """Until the app server's process uses under 10 % of a core over 150 ms (its garbage collection after a
    script run, say, has finished), or `limit_s` passed."""
    if server is None:
        return
    end = time.perf_counter() + limit_s
    try:
        before = sum(server.cpu_times()[:2])
        while time.perf_counter() < end:
            time.sleep(0.15)
            now = sum(server.cpu_times()[:2])
            if now - before < 0.015:
                return
            before = now
    except Exception:
        return


def _render_queries_in_page(page, proc, queries: list[str], warmup: list[str],
                            per_query_timeout: float = 30) -> tuple[Optional[dict], dict]:
    """Type each query into the search box, press Enter, time until the new query's cards are rendered."""
    from playwright.sync_api import Error as PwError

    frames: list[tuple[str, float]] = []  # WebSocket data frames with Chromium's own timestamps (seconds)
    try:
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.webSocketFrameSent",
               lambda e: e["response"].get("opcode") in (1, 2) and frames.append(("sent", e["timestamp"])))
        cdp.on("Network.webSocketFrameReceived",
               lambda e: e["response"].get("opcode") in (1, 2) and frames.append(("recv", e["timestamp"])))
        cdp.send("Network.enable")
    except PwError:
        cdp = None
    page.evaluate(_RENDER_PROBE, [RESULT_SELECTOR, RESULTS_HEADER_RE, NO_RESULT_PREFIX])
    box = page.get_by_role("textbox", name=SEARCH_LABEL)
    try:
        import psutil

        server = psutil.Process(proc.pid)
    except Exception:
        server = None
    rows, failed, empty = [], [], 0
    cpu_before = None
    _wait_idle(server)
    for i, q in enumerate([*warmup, *queries]):
        measured = i >= len(warmup)
        if measured and cpu_before is None and server is not None:
            ct = server.cpu_times()
            cpu_before = ct.user + ct.system
        box.fill(q)
        page.evaluate("q => window.__nb.reset(q)", q)
        frames.clear()
        box.press("Enter")
        try:
            page.wait_for_function("() => window.__nb.done !== null", timeout=per_query_timeout * 1000, polling=100)
        except PwError:
            failed.append({"query": q, "reason": f"no new result within {per_query_timeout:.0f} s"})
            if len(failed) > 3:
                break
            continue
        finally:
            try:  # let the run end (no element of an older run left) before the next query
                page.wait_for_function("() => !document.querySelector('[data-stale=\"true\"]')",
                                       timeout=per_query_timeout * 1000, polling=50)
            except PwError:
                pass
            page.wait_for_timeout(300)
            _wait_idle(server)  # as after a user's reading pause: the server's post-run work is over
        nb = page.evaluate("() => ({t0: window.__nb.t0, first: window.__nb.first, done: window.__nb.done, "
                           "cards: window.__nb.cards, empty: window.__nb.empty, error: window.__nb.error})")
        if nb["error"]:
            failed.append({"query": q, "reason": "the app showed an error: " + nb["error"]})
            continue
        if not measured:
            continue
        if nb["empty"]:
            empty += 1
            continue
        sent = [t for kind, t in frames if kind == "sent"]
        recv = [t for kind, t in frames if kind == "recv" and sent and t >= sent[0]]
        rows.append({"query": q, "ms": round(nb["done"] - nb["t0"], 1),
                     "first_card_ms": round(nb["first"] - nb["t0"], 1), "cards": nb["cards"],
                     "server_ms": round((recv[-1] - sent[0]) * 1000, 1) if recv else None,
                     "messages_sent_received": [len(sent), len(recv)]})
    detail: dict[str, Any] = {
        "what": "Enter pressed in the search box until the header names the new query and all its result "
                "cards are in the DOM (elements of the new script run only; MutationObserver, browser clock); "
                "each query typed once the app server is idle again",
        "queries": len(queries), "warmup": len(warmup), "with_results": len(rows), "empty": empty,
        "failed": failed,
        "first_card_ms": _summary([r["first_card_ms"] for r in rows]),
        "server_ms": _summary([r["server_ms"] for r in rows if r["server_ms"] is not None]),
        "server_ms_means": "rerun message sent until the last message of the run received (Chromium's WebSocket "
                           "frame timestamps): the app script's rerun on the server, loopback included",
        "per_query": rows,
    }
    if server is not None and cpu_before is not None and rows:
        ct = server.cpu_times()
        detail["app_cpu_ms_per_query"] = round(1000 * (ct.user + ct.system - cpu_before) / (len(rows) + empty), 1)
    if cdp is not None:
        try:
            cdp.detach()
        except PwError:
            pass
    summary = _summary([r["ms"] for r in rows])
    if summary is None:
        detail["reason"] = "no query rendered results" + (f" ({failed[0]['reason']})" if failed else "")
    return summary, detail


BARE_SCRIPT = "import streamlit as st\nst.html('<div id=\"nb-bare\">ready</div>')\n"


def _launch(page, script: Path, port: int, env: dict, url: str, timeout: float, ready_js: str, arg,
            detail: dict, what: str) -> tuple[subprocess.Popen, float, str]:
    """`streamlit run script` (with the project's .streamlit/config.toml), the page loaded until `ready_js`
    holds (`what` names it): the process, its launch time, and why it failed ("" when it did not).
    Sets `first_http_s` in `detail`."""
    from playwright.sync_api import Error as PwError

    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    started = time.perf_counter()
    while True:  # the server is up when the page loads at all
        if proc.poll() is not None:
            return proc, started, "streamlit exited: " + proc.stderr.read().decode()[-300:]
        try:
            page.goto(url, timeout=5_000)
            break
        except PwError:
            if time.perf_counter() - started > timeout:
                return proc, started, f"no HTTP answer within {timeout:.0f} s"
            time.sleep(0.1)
    detail["first_http_s"] = round(time.perf_counter() - started, 2)
    try:
        page.wait_for_function(ready_js, arg=arg, polling=50,
                               timeout=max(1.0, timeout - (time.perf_counter() - started)) * 1000)
    except PwError as exc:
        return proc, started, f"no {what} within {timeout:.0f} s ({str(exc)[:120]})"
    return proc, started, ""


def streamlit_alone(page, env: dict, timeout: float) -> dict:
    """Streamlit's own start-up: a one-element script, same interpreter and config, launch to the element shown."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare.py"
        script.write_text(BARE_SCRIPT, encoding="utf-8")
        port, detail = free_port(), {}
        proc, started, failed = _launch(page, script, port, env, f"http://127.0.0.1:{port}/", timeout,
                                        "() => document.querySelector('#nb-bare') !== null", None, detail,
                                        "element of the bare script")
        seconds = time.perf_counter() - started
        stop(proc, 10)
    return {"reason": failed} if failed else {"seconds": round(seconds, 2), "first_http_s": detail["first_http_s"]}


def app_session(index_root: Path, corpus: Optional[Path] = None, query: str = APP_QUERY,
                render: Optional[tuple[list[str], list[str], str]] = None, timeout: float = 120) -> dict:
    """One app server, one browser: the cold start, then warm queries typed into the search box.

    Returns the output keys `cold_start_s`, `cold_start`, `app_query_render_ms` and `app_query_render`.
    Cold start: seconds from launching `streamlit run app.py` to the first result card in Chromium.
    Warm render: for each query of `render` (measured, warm-up, source), ms from the Enter key press to
    the moment the new query's result cards are rendered.
    """
    detail: dict[str, Any] = {"url_query": query, "browser": str(CHROMIUM)}
    out: dict[str, Any] = {"cold_start_s": None, "cold_start": detail, "app_query_render_ms": None,
                           "app_query_render": None}

    def skipped(reason: str) -> dict:
        out["cold_start"] = {**detail, "reason": reason}
        out["app_query_render"] = {"reason": "no cold start: " + reason} if render else None
        return out

    if not CHROMIUM.exists():
        return skipped(f"{CHROMIUM} is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return skipped("playwright is not installed")
    port = free_port()
    url = f"http://127.0.0.1:{port}/?q={query.replace(' ', '+')}"
    env = worker_env(NORMBASE_INDEX=str(index_root), **({"NORMBASE_CORPUS": str(corpus)} if corpus else {}))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page()
        detail["streamlit_alone"] = streamlit_alone(page, env, timeout)
        proc, started, failed = _launch(page, ROOT / "app.py", port, env, url, timeout,
                                        "([sel, empty]) => document.querySelector(sel) !== null || "
                                        "empty.some(t => document.body.innerText.includes(t))",
                                        [RESULT_SELECTOR, list(EMPTY_TEXTS)], detail, "result card")
        try:
            if failed:
                return skipped(failed)
            seconds = time.perf_counter() - started
            detail["cards"] = page.locator(RESULT_SELECTOR).count()
            try:
                import psutil

                ps = psutil.Process(proc.pid)
                ct = ps.cpu_times()
                detail["app_cpu_s"] = round(ct.user + ct.system, 2)  # the server's CPU until the first card
                detail["app_rss_mb"] = round(ps.memory_info().rss / 2**20, 1)
            except Exception:
                pass
            if not detail["cards"]:
                return skipped(f"the app answered {query!r} with no result card")
            out["cold_start_s"] = round(seconds, 2)
            if render:
                measured, warm, source = render
                summary, rdetail = _render_queries_in_page(page, proc, measured, warm)
                out["app_query_render_ms"], out["app_query_render"] = summary, {"source": source, **rdetail}
            return out
        finally:
            stop(proc, 10)
            browser.close()


