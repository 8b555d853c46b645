"""`python -m index serve`: the HTTP API on uvicorn, and the committed OpenAPI schema."""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
from pathlib import Path

DEFAULT_PORT = 8600
SCHEMA_PATH = Path("docs/api/openapi.json")


def register_cli(sub) -> None:
    p = sub.add_parser(
        "serve", help="serve the search API over HTTP (FastAPI + uvicorn)",
        description="Serve the index over HTTP: GET /search, POST /search (batch), GET /passages/{id}, "
                    "GET /documents, GET /health, GET /ready; POST /documents (upload) and POST /build "
                    "(rebuild) only when NORMBASE_API_TOKEN is set. Binds to loopback unless --host says "
                    "otherwise. Other settings (corpus, upload folder, limits) come from NORMBASE_* variables, "
                    "so that every --workers process sees the same. A build swapped in by anyone is picked up "
                    "without a restart. The schema is at /openapi.json.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument("--index", type=Path, metavar="DIR", help="index folder (env NORMBASE_INDEX, default data/index)")
    p.add_argument("--workers", type=int, default=1,
                   help="server processes (default 1); each loads the model and answers on its own")
    p.add_argument("--write-openapi", type=Path, metavar="FILE",
                   help=f"write the OpenAPI schema to FILE and exit (regenerate {SCHEMA_PATH} after an API change)")
    p.set_defaults(func=cmd_serve)


def schema_text(settings=None) -> str:
    """The schema as committed: stable key order, one trailing newline."""
    from ingest.settings import Settings

    from .app import create_app

    schema = create_app(settings or Settings()).openapi()
    return json.dumps(schema, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def cmd_serve(args: argparse.Namespace) -> int:
    if args.index is not None:  # passed on through the environment to every worker process
        os.environ["NORMBASE_INDEX"] = str(args.index.resolve())
    if args.write_openapi:
        args.write_openapi.parent.mkdir(parents=True, exist_ok=True)
        args.write_openapi.write_text(schema_text(), encoding="utf-8")
        print(f"wrote {args.write_openapi}")
        return 0
    if args.workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    if not _loopback(args.host):
        print(f"note: serving on {args.host}, beyond this machine; put a TLS proxy in front "
              "(docs/deployment.md)", file=sys.stderr)
    import uvicorn

    print(f"normbase API on http://{args.host}:{args.port} (schema at /openapi.json)", file=sys.stderr)
    uvicorn.run("index.api.app:app_from_env", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="warning", access_log=False, proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                timeout_graceful_shutdown=10)
    return 0


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
