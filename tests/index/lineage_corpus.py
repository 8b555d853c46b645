"""A small invented series of resolutions for the compare and lineage tests, built into a real index.

Three English versions (2019, 2021, 2023) edit, split, add and drop paragraphs;
2023 reuses one sentence of a long 2019 norm paragraph in its preamble; a
French text has the 2021 structure (under the English opening formula, which
the structure parser knows). Nothing here comes from the mirror.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.index_helpers import make_settings

NORM = ("1. Recognizes that States must meet their obligations regarding wrongful acts attributable to them "
        "under international law. However, the indication that a harbour radar incident originates from the "
        "territory of a State may be insufficient in itself to attribute the incident to that State. Incidents "
        "should be reported to the regional harbour authority within seventy-two hours of their discovery.")
DOCS = {
    "harbour-2019.txt": ("A/RES/91/40", "2019-11-05", "en", [
        "Recalling that harbour radar networks guide most of the ships entering the ports of the world every day,",
        "Welcoming the voluntary exchange of radar calibration calendars among port administrations and pilots,",
        NORM,
        "2. Encourages Member States to designate a national liaison office for incidents affecting harbour "
        "radar and to share its contact details with neighbouring coastal States every year;",
        "3. Decides to include in the provisional agenda of its ninety-second session the item entitled "
        "\"Harbour radar <safety> & resilience\".",
    ]),
    "harbour-2021.txt": ("A/RES/93/40", "2021-11-05", "en", [
        "Recalling that harbour radar networks guide most of the ships entering the ports of the world every day,",
        "Welcoming the regular and voluntary exchange of radar calibration calendars among port administrations "
        "and pilots,",
        "1. Encourages Member States to designate a national liaison office for incidents affecting harbour radar;",
        "2. Also encourages Member States to share the contact details of that office with neighbouring coastal "
        "States every year;",
        "3. Requests the Secretary-General to compile the radar calibration calendars in a public annual report;",
        "4. Decides to include in the provisional agenda of its ninety-fourth session the item entitled "
        "\"Harbour radar <safety> & resilience\".",
    ]),
    "harbour-2023.txt": ("A/RES/95/40", "2023-11-05", "en", [
        "Recalling that harbour radar networks guide most of the ships entering the ports of the world every day,",
        "Recognizing that the indication that a harbour radar incident originates from the territory of a State "
        "may be insufficient in itself to attribute the incident to that State,",
        "1. Encourages Member States to designate a national liaison office for incidents affecting harbour radar;",
        "2. Decides to include in the provisional agenda of its ninety-sixth session the item entitled "
        "\"Harbour radar <safety> & resilience\".",
    ]),
    "harbour-2021-fr.txt": ("A/RES/93/40/FR", "2021-11-05", "fr", [
        "Rappelant que les réseaux de radars portuaires guident la plupart des navires qui entrent dans les ports,",
        "Se félicitant de l'échange régulier et volontaire des calendriers d'étalonnage des radars,",
        "1. Encourage les États Membres à désigner un bureau national de liaison pour les incidents;",
        "2. Encourage également les États Membres à communiquer les coordonnées de ce bureau chaque année;",
        "3. Prie le Secrétaire général de compiler les calendriers d'étalonnage dans un rapport annuel public;",
        "4. Décide d'inscrire à l'ordre du jour provisoire de sa quatre-vingt-quatorzième session la question.",
    ]),
}


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, (symbol, date, language, paragraphs) in DOCS.items():
        opening = "The General Assembly,"  # the French text too: its structure is what the test compares
        lines = ["---", f"symbol: {symbol}", f"title: Harbour radar resilience ({date[:4]})", "body: UNGA",
                 f"date: {date}", f"language: {language}", "---", "", opening, ""]
        for p in paragraphs:
            lines += [p, ""]
        (folder / name).write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def series(tmp_path_factory, embedder):
    """(settings, Searcher) of a real index over these documents, built once with the real model."""
    from index import Searcher
    from index.build import build

    tmp = tmp_path_factory.mktemp("series")
    settings = make_settings(tmp, write_corpus(tmp / "corpus"))
    report = build(settings, embedder=embedder)
    assert report.documents == 4 and not report.skipped, report
    return settings, Searcher.open(settings.index, settings=settings, embedder=embedder)
