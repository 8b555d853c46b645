"""Several API replicas (and optionally app replicas) on one read-only index behind nginx, on loopback.

    .venv/bin/python benchmarks/replicas.py [--index DIR] [--replicas 2] [--app-replicas 0]
                                            [--clients 20] [--duration 30] [--swap-seconds 90] [--json]

What it does, all on 127.0.0.1, everything in one temporary folder removed at the end:

1. copies the live version of --index (CURRENT and its folder) into the temporary folder: the
   replicas' shared index, which they only ever open read-only (no token: their writes are off);
2. starts --replicas `python -m index serve` processes and, with --app-replicas, Streamlit apps;
3. starts Debian's nginx (installed with apt-get if missing and run as root) with its own config in
   the temporary folder: port A proxies to replica 1 alone, port B to all replicas (least_conn), and
   port C, with app replicas, to the apps (ip_hash, so a browser session keeps its websocket's server);
4. measures search throughput through port A, then through port B (benchmarks/load.py's clients);
5. under the same load through port B, publishes a new build of the same corpus with
   `python -m index build --force` (another process: build aside, CURRENT replaced atomically),
   then polls each replica directly until it answers from the new version: same process id, no
   restart, and every request of the phase must have succeeded.

Exit code 1 if any request failed or a replica did not pick up the new version. docs/deployment.md
has the figures of a run on the reference machine and what they mean.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load import http, machine, query_pool, start_api, start_app, throughput  # noqa: E402
from index.bench import free_port, stop  # noqa: E402

NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    client_max_body_size 21m;   # the API's own upload limit (20 MB) decides; nginx only bounds it
    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    upstream api_one {{ server 127.0.0.1:{first}; keepalive 64; }}
    upstream api_all {{ least_conn; {api_servers} keepalive 64; }}
    {app_upstream}
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $remote_addr;   # uvicorn trusts it from loopback: per-client rate limits
    proxy_read_timeout 120s;
    proxy_next_upstream error timeout http_502 http_503;   # idempotent requests only, nginx's default
    server {{ listen 127.0.0.1:{port_one}; location / {{ proxy_pass http://api_one; proxy_set_header Connection ""; }} }}
    server {{ listen 127.0.0.1:{port_all}; location / {{ proxy_pass http://api_all; proxy_set_header Connection ""; }} }}
    {app_server}
}}
"""
APP_UPSTREAM = "upstream app_all {{ ip_hash; {servers} }}"
APP_SERVER = """server {{ listen 127.0.0.1:{port}; location / {{ proxy_pass http://app_all;
        proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; }} }}"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("nginx is missing: sudo apt-get install nginx")
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, stdout=subprocess.DEVNULL,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("nginx") or "/usr/sbin/nginx"


def copy_live_version(index: Path, dest: Path) -> Path:
    from index.manifest import current_version

    folder = current_version(index)
    if folder is None:
        raise SystemExit(f"no index at {index}: build it first with `python -m index build`")
    dest.mkdir(parents=True)
    shutil.copytree(folder, dest / folder.name)
    shutil.copy2(index / "CURRENT", dest / "CURRENT")
    return dest


def start_nginx(tmp: Path, api_ports: list[int], app_ports: list[int]) -> tuple[subprocess.Popen, dict]:
    ports = {"one": free_port(), "all": free_port(), "app": free_port() if app_ports else None}
    conf = NGINX_CONF.format(
        tmp=tmp, first=api_ports[0], port_one=ports["one"], port_all=ports["all"],
        api_servers=" ".join(f"server 127.0.0.1:{p};" for p in api_ports),
        app_upstream=APP_UPSTREAM.format(servers=" ".join(f"server 127.0.0.1:{p};" for p in app_ports))
        if app_ports else "",
        app_server=APP_SERVER.format(port=ports["app"]) if app_ports else "")
    (tmp / "nginx.conf").write_text(conf, encoding="utf-8")
    binary = nginx_binary()
    subprocess.run([binary, "-t", "-q", "-p", str(tmp), "-c", str(tmp / "nginx.conf")], check=True)
    proc = subprocess.Popen([binary, "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for port in (ports["one"], ports["all"]):
        _wait_ready(f"http://127.0.0.1:{port}/ready", proc)
    return proc, ports


def _wait_ready(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"nginx exited with code {proc.returncode}")
        try:
            if http("GET", url, timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def version_of(url: str) -> str | None:
    try:
        status, body = http("GET", url + "/ready", timeout=30)
        return json.loads(body)["version"] if status == 200 else None
    except (OSError, ValueError, KeyError):
        return None


def swap(index: Path, replicas: list[tuple[subprocess.Popen, str]], balanced: str, pool: list[dict],
         clients: int, seconds: float) -> dict:
    """Load through nginx while another process publishes a new build; each replica must pick it up."""
    from index.manifest import read_manifest, current_version

    old = current_version(index)
    manifest = read_manifest(old)
    pids = [p.pid for p, _ in replicas]
    result: dict = {}
    loader = threading.Thread(target=lambda: result.update(throughput(balanced, None, pool, clients, seconds,
                                                                      1_000_000)))
    loader.start()
    time.sleep(min(5.0, seconds / 6))
    corpus = [a for c in manifest.settings.get("corpus", []) for a in ("--corpus", c)]
    sources = ["--sources", manifest.settings["sources"]] if manifest.settings.get("sources") else []
    started = time.monotonic()
    build = subprocess.run([sys.executable, "-m", "index", "build", "--index", str(index), "--force", "--json",
                            *corpus, *sources], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    built = time.monotonic()
    new = current_version(index)
    picked: dict[str, float | None] = {}
    for proc, url in replicas:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and version_of(url) != new.name:
            time.sleep(0.1)
        picked[url] = round(time.monotonic() - built, 2) if version_of(url) == new.name else None
    loader.join()
    return {"old_version": old.name, "new_version": new.name, "build_exit_code": build.returncode,
            "build_seconds": round(built - started, 1), "build_error": build.stderr[-500:] if build.returncode else "",
            "picked_up_after_s": picked,
            "same_processes": [p.pid for p, _ in replicas] == pids and all(p.poll() is None for p, _ in replicas),
            "load": result}


def run(args: argparse.Namespace) -> int:
    from ingest.settings import Settings

    source = Settings.from_env(index=args.index).index
    tmp = Path(tempfile.mkdtemp(prefix="normbase-replicas-"))
    procs: list[subprocess.Popen] = []
    try:
        index = copy_live_version(source, tmp / "index")
        pool = query_pool(index, 5000, args.seed)
        pool = [q for q in pool if len(q["q"]) <= 1000]  # the refused ones are load.py's business
        replicas = [start_api(index, args.torch_threads) for _ in range(args.replicas)]
        procs += [p for p, _ in replicas]
        apps = [start_app(index) for _ in range(args.app_replicas)]
        procs += [p for p, _ in apps]
        nginx, ports = start_nginx(tmp, [int(u.rsplit(":", 1)[1]) for _, u in replicas],
                                   [int(u.rsplit(":", 1)[1]) for _, u in apps])
        procs.append(nginx)
        one, balanced = f"http://127.0.0.1:{ports['one']}", f"http://127.0.0.1:{ports['all']}"
        report = {"machine": machine(), "nginx": subprocess.run([nginx_binary(), "-v"], capture_output=True,
                                                                text=True).stderr.strip(),
                  "config": {"replicas": args.replicas, "app_replicas": args.app_replicas, "clients": args.clients,
                             "duration": args.duration, "torch_threads": args.torch_threads or "library default"},
                  "index": {"passages": json.loads(http("GET", one + "/ready")[1])["passages"]}}
        report["one_replica"] = throughput(one, None, pool, args.clients, args.duration, 1_000_000)
        report["all_replicas"] = throughput(balanced, None, pool, args.clients, args.duration, 1_000_000)
        if apps:
            report["with_apps"] = throughput(balanced, f"http://127.0.0.1:{ports['app']}", pool, args.clients,
                                             args.duration, 1_000_000)
        report["swap"] = swap(index, replicas, balanced, pool, args.clients, args.swap_seconds)
    finally:
        for p in reversed(procs):
            stop(p, 20)
        shutil.rmtree(tmp, ignore_errors=True)
    s = report["swap"]
    failed = (report["one_replica"]["total"]["errors"] + report["all_replicas"]["total"]["errors"]
              + s["load"]["total"]["errors"] + (report.get("with_apps", {}).get("total", {}).get("errors", 0)))
    ok = (not failed and s["build_exit_code"] == 0 and s["new_version"] != s["old_version"]
          and all(v is not None for v in s["picked_up_after_s"].values()) and s["same_processes"])
    print(json.dumps(report, indent=1) if args.json else human(report))
    return 0 if ok else 1


def human(r: dict) -> str:
    def line(name: str, t: dict) -> str:
        s = t["total"]
        return (f"  {name:14s} {s['requests']:6d} req  {s['per_second']:6.1f}/s  p50 {s['p50_ms']} ms  "
                f"p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms  errors {s['errors']}")

    s = r["swap"]
    lines = [f"{r['machine']['cpu']} x{r['machine']['cpus']}; {r['nginx']}; index {r['index']['passages']} passages; "
             f"{r['config']['clients']} clients, {r['config']['duration']} s a phase",
             line("1 replica", r["one_replica"]), line(f"{r['config']['replicas']} replicas", r["all_replicas"])]
    if "with_apps" in r:
        lines.append(line("with apps", r["with_apps"]))
    lines += [line("during swap", s["load"]),
              f"  swap: {s['old_version']} -> {s['new_version']}, build {s['build_seconds']} s "
              f"(exit {s['build_exit_code']}), picked up after {s['picked_up_after_s']} s, "
              f"same processes: {s['same_processes']}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="benchmarks/replicas.py", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=__doc__.split("\n\n", 2)[2])
    p.add_argument("--index", type=Path, help="the index to serve (copied; default NORMBASE_INDEX or data/index)")
    p.add_argument("--replicas", type=int, default=2, help="API replicas behind nginx (default 2)")
    p.add_argument("--app-replicas", type=int, default=0, help="Streamlit app replicas behind nginx (default 0)")
    p.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    p.add_argument("--duration", type=float, default=30.0, help="seconds of each throughput phase (default 30)")
    p.add_argument("--swap-seconds", type=float, default=90.0,
                   help="seconds of load during the publication of a new build (default 90)")
    p.add_argument("--torch-threads", type=int, default=1,
                   help="torch threads per replica, as OMP_NUM_THREADS (default 1: replicas share the cores)")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    args = p.parse_args(argv)
    if args.replicas < 1:
        p.error("--replicas must be at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
