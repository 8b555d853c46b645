"""The settings (ingest/settings.py): each declared once, and the README and the CLIs agree with it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import ingest.__main__ as ingest_cli
import index.__main__ as index_cli
from ingest.settings import FETCH, INDEX, INGEST, ROOT, Settings, SettingsError, declared, flag_help

README = ROOT / "README.md"
FLAG_RE = re.compile(r"--[a-z][a-z-]*")
ENV_RE = re.compile(r"NORMBASE_[A-Z_]+")


def configuration_rows() -> list[list[str]]:
    """The cells of each row of the README's Configuration table."""
    section = README.read_text(encoding="utf-8").split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    assert rows[0].split("|")[1:-1] == [" setting ", " flag ", " environment ", " default "]
    return [[c.strip() for c in r.split("|")[1:-1]] for r in rows[2:]]


def user_settings():
    return [(name, k) for name, k in declared() if k.env or k.flag]


def test_every_declared_setting_is_one_row_of_the_readme_table() -> None:
    rows = configuration_rows()
    for name, k in user_settings():
        mine = [r for r in rows if (k.env and k.env in ENV_RE.findall(r[2])) or (k.flag and k.flag in FLAG_RE.findall(r[1]))]
        assert len(mine) == 1, f"{name}: {len(mine)} README rows"
        _, flag, env, default = mine[0]
        assert FLAG_RE.findall(flag) == ([k.flag] if k.flag else []), name
        if k.flag:
            assert f"`{k.flag} {k.metavar}`" in flag, f"{name}: README should show `{k.flag} {k.metavar}`"
        assert ENV_RE.findall(env) == ([k.env] if k.env else []), name
        assert k.shown in default.replace("`", ""), f"{name}: README default {default!r}, declared {k.shown!r}"


def test_the_readme_table_names_no_undeclared_flag_or_variable() -> None:
    flags = {k.flag for _, k in user_settings() if k.flag}
    envs = {k.env for _, k in user_settings() if k.env}
    for row in configuration_rows():
        assert set(FLAG_RE.findall(row[1])) <= flags, row
        assert set(ENV_RE.findall(row[2])) <= envs, row


def help_text(main, argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--help"])
    assert exc.value.code == 0
    return " ".join(capsys.readouterr().out.split())


COMMANDS = [(ingest_cli.main, ["inspect"], INGEST), (ingest_cli.main, ["scan"], INGEST),
            (ingest_cli.main, ["fetch"], FETCH), (index_cli.main, ["build"], INDEX),
            (index_cli.main, ["search"], INDEX), (index_cli.main, ["evaluate"], INDEX)]


@pytest.mark.parametrize("main,argv,command", COMMANDS, ids=[" ".join(c[1]) for c in COMMANDS])
def test_each_command_has_the_flags_declared_for_it(main, argv, command, capsys) -> None:
    text = help_text(main, argv, capsys)
    for name, k in user_settings():
        if not k.flag:
            continue
        if command in k.commands:
            assert f"{k.flag} {k.metavar}" in text, f"{' '.join(argv)}: no {k.flag}"
            assert " ".join(flag_help(k).split()) in text, f"{' '.join(argv)}: {k.flag} help differs"
        else:
            assert not re.search(re.escape(k.flag) + r"\b", text), f"{' '.join(argv)} has {k.flag}"


def test_flags_then_environment_then_defaults(tmp_path: Path) -> None:
    env = {"NORMBASE_MAX_PAGES": "7", "NORMBASE_CORPUS": f"{tmp_path / 'a'}:{tmp_path / 'b'}",
           "NORMBASE_MAX_FILE_MB": "1.5"}
    s = Settings.from_env(env, max_pages=3)
    assert (s.max_pages, s.corpus, s.max_file_mb, s.batch_size) == (3, (tmp_path / "a", tmp_path / "b"), 1.5, 32)


@pytest.mark.parametrize("var,value,says", [("NORMBASE_MAX_PAGES", "many", "not a whole number: 'many'"),
                                            ("NORMBASE_MAX_UPLOAD_MB", "20MB", "not a number: '20MB'")])
def test_a_bad_variable_is_a_typed_error_naming_it(var, value, says) -> None:
    with pytest.raises(SettingsError, match=f"^{var}: {says}$"):
        Settings.from_env({var: value})


def test_a_bad_variable_ends_a_command_with_one_line(capsys, monkeypatch) -> None:
    monkeypatch.setenv("NORMBASE_MAX_FILE_MB", "big")
    assert ingest_cli.main(["scan"]) == 2
    assert capsys.readouterr().err == "error: NORMBASE_MAX_FILE_MB: not a number: 'big'\n"
