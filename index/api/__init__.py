"""The HTTP API: `python -m index serve`, FastAPI on uvicorn, loopback by default.

    from index.api.app import create_app
    app = create_app(settings)            # or create_app(settings, searcher=s) in tests

The JSON is the command line's (`python -m index search --json`): the same records, the same
field names. Reading is open; writing (upload, rebuild) is off unless NORMBASE_API_TOKEN is set.
The schema is committed in docs/api/openapi.json.

Nothing is imported here: `python -m index` registers `serve` from `index.api.serve` without
loading FastAPI, which only `serve` itself needs.
"""
