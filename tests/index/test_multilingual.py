"""The second, multilingual vector index (index/build.py, index/multilingual.py), with the real models:
built, checksummed and recorded like the first, reused by an incremental build, searched across languages;
an index without it still answers, with a notice; a damaged one is refused."""
from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from index import Searcher, lexicon, windows
from index.build import build
from index.fusion import Tuning
from index.manifest import IndexError_, read_manifest
from tests.index.index_helpers import copy_corpus, live_folder, make_settings
from tests.index.lineage_corpus import series  # noqa: F401  (the fixture: an invented series with a French text)

# A French version of the fixture resolution A/RES/91/11 (written for this test, like the fixtures).
FRENCH = """---
symbol: A/RES/91/11
title: Résilience des câbles de données sous-marins pour la paix et la stabilité en mer
body: UNGA
date: 2019-11-05
language: fr
---

L'Assemblée générale,

Rappelant que des câbles de données sous-marins fiables transportent chaque jour la plupart des informations
échangées entre les nations,

1. Encourage les États Membres à désigner un bureau national de liaison pour les incidents qui touchent les
câbles de données sous-marins ;

2. Invite les organisations régionales à organiser chaque année un exercice sur table consacré à la logistique
de la réparation des câbles endommagés ;
"""


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory, embedder):
    tmp = tmp_path_factory.mktemp("bilingual")
    corpus = copy_corpus(tmp / "corpus")
    (corpus / "cables-2019-fr.txt").write_text(FRENCH, encoding="utf-8")
    settings = make_settings(tmp, corpus)
    return settings, build(settings, embedder=embedder)


@pytest.mark.slow
def test_the_second_index_is_built_checksummed_and_recorded(bilingual):
    settings, report = bilingual
    folder = live_folder(settings.index)
    m = read_manifest(folder)
    assert m.multilingual["embedder"] == "usem3+e5" and m.multilingual["model"].startswith("usem3-")
    assert "+e5-" in m.multilingual["model"]
    assert m.multilingual["dimension"] == 912 and m.multilingual["embedded"] == m.passages == report.passages
    assert {"vectors-multi.faiss", "embeddings-multi.npy", *lexicon.FILES} <= set(m.checksums)
    vecs = np.load(folder / "embeddings-multi.npy", allow_pickle=False)
    assert vecs.shape == (m.passages, 912)
    words = lexicon.load(folder).words
    assert m.multilingual["lexicon"] == len(words) and {"cables", "repair", "calendars"} <= set(words)
    assert not {"câbles", "réparation"} & set(words), "the English passages' words only"
    glosses = lexicon.load(folder).glosses
    assert lexicon.GLOSSES_FILE in m.checksums and m.multilingual["glosses"] == len(glosses) > 0
    assert any({"repair", "cables"} <= set(g.split()) for g in glosses.values()), \
        "the French passages, in the English passages' words"
    assert m.multilingual["gloss"] == {"floor": 0.7, "context": 2.0, "choices": Tuning().passage_gloss_choices}
    found = windows.load(folder, m.passages)
    assert set(windows.FILES) <= set(m.checksums) and m.multilingual["windows"] == dict(
        windows.SETTINGS, rows=len(found.vectors), dimension=512)
    assert found.vectors.shape[1] == 512, "usem3's half places the clauses"
    long_ones = [i for i in range(m.passages) if len(found.rows(i))]
    assert long_ones and len(long_ones) < m.passages, "long passages have windows, short ones none"


@pytest.mark.slow
def test_a_multilingual_model_that_places_no_words_gets_no_lexicon_and_its_questions_no_gloss(tmp_path, embedder):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus"), multilingual="e5")
    build(settings, embedder=embedder)
    folder = live_folder(settings.index)
    assert "lexicon" not in read_manifest(folder).multilingual and not (folder / lexicon.WORDS_FILE).exists()
    assert "windows" not in read_manifest(folder).multilingual and not (folder / windows.VECTORS_FILE).exists()
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    assert searcher.lexicon is None and searcher.windows is None
    assert searcher.answer("¿Quién propone intercambiar los calendarios de reparación de cables?").hits


@pytest.mark.slow
def test_an_incremental_build_embeds_only_new_passages_in_both_indexes(tmp_path, embedder):
    corpus = copy_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path, corpus)
    stages: list[str] = []
    first = build(settings, embedder=embedder, progress=lambda stage, done, total: stages.append(stage))
    assert "clauses" in stages, "the first build places the long passages' clauses"
    old = np.load(live_folder(settings.index) / "embeddings-multi.npy", allow_pickle=False)
    old_windows = np.load(live_folder(settings.index) / windows.VECTORS_FILE, allow_pickle=False)
    path = corpus / "cables-2019.txt"
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n")
                    + "\n\n9. Decides to remain seized of the matter of quartz relay buoys.\n", encoding="utf-8")
    stages.clear()
    second = build(settings, embedder=embedder, progress=lambda stage, done, total: stages.append(stage))
    assert "clauses" not in stages, "the new paragraph is short, and every other passage's windows are reused"
    assert second.passages == first.passages + 1
    assert second.embedded == 1 and second.multilingual["embedded"] == 1
    new = np.load(live_folder(settings.index) / "embeddings-multi.npy", allow_pickle=False)
    assert sum(any(np.array_equal(row, o) for o in old) for row in new) == first.passages
    new_windows = np.load(live_folder(settings.index) / windows.VECTORS_FILE, allow_pickle=False)
    assert len(new_windows) == len(old_windows) and np.array_equal(new_windows, old_windows), \
        "every other passage's windows are as they were, in their order"


@pytest.mark.slow
def test_a_french_question_finds_english_answers_and_each_paragraph_shows_in_the_questions_language(
        bilingual, embedder):
    settings, _ = bilingual
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    # only in English (A/RES/93/24 has no French version)
    fr = searcher.search("Les États doivent s'abstenir de tout acte qui endommage délibérément les câbles", k=3)
    assert any(h.language == "en" and h.symbol == "A/RES/93/24" for h in fr), [(h.language, h.label) for h in fr]
    # in both: the French version answers the French question, the English one the English question
    fr = searcher.search("Quel bureau national de liaison pour les incidents touchant les câbles ?", k=5)
    assert fr[0].language == "fr" and "bureau national de liaison" in fr[0].text
    assert not any(h.language == "en" and "liaison office" in h.text for h in fr), "shown once, as a parallel"
    assert "liaison office" in searcher.parallels(fr[0])[0]["text"]
    en = searcher.search("designate a national liaison office for incidents affecting undersea cables", k=5)
    assert en[0].language == "en" and "liaison office" in en[0].text
    assert any(h.language == "fr" for h in en), "an English question reaches French statements too"


@pytest.mark.slow
def test_an_index_without_it_answers_with_a_notice_and_a_damaged_one_is_refused(tmp_path, embedder):
    corpus = copy_corpus(tmp_path / "corpus")
    off = make_settings(tmp_path, corpus, multilingual="off")
    build(off, embedder=embedder)
    assert not read_manifest(live_folder(off.index)).multilingual
    on = replace(off, multilingual="usem3")
    searcher = Searcher.open(on.index, settings=on, embedder=embedder)
    answer = searcher.answer("¿Qué oficina nacional de enlace para los cables submarinos?")
    assert answer.hits and any("without the multilingual vectors" in n for n in answer.notices)
    assert not any("multilingual" in n for n in searcher.answer("undersea cables liaison office").notices)

    build(on, embedder=embedder)  # the setting is part of the fingerprint: the index is rebuilt with it
    folder = live_folder(on.index)
    assert read_manifest(folder).multilingual
    with open(folder / "vectors-multi.faiss", "r+b") as fh:
        fh.seek(100)
        fh.write(b"\0\1\2\3")
    with pytest.raises(IndexError_, match="vectors-multi.faiss.*checksum"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    build(on, embedder=embedder)  # a damaged multilingual file is repaired by the next build, as any other
    (folder := live_folder(on.index)).joinpath(lexicon.WORDS_FILE).write_text('["bank"]', encoding="utf-8")
    with pytest.raises(IndexError_, match="lexicon-en.json.*checksum"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    build(on, embedder=embedder)
    (folder := live_folder(on.index)).joinpath(lexicon.GLOSSES_FILE).write_text('{"0": "bank"}', encoding="utf-8")
    with pytest.raises(IndexError_, match="glosses-en.json.*checksum"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    build(on, embedder=embedder)
    with open((folder := live_folder(on.index)) / windows.VECTORS_FILE, "r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"\1\2\3\4\5\6\7\0")
    with pytest.raises(IndexError_, match="windows-multi.npy.*checksum"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    build(on, embedder=embedder)
    manifest = json.loads(((folder := live_folder(on.index)) / "manifest.json").read_text(encoding="utf-8"))
    manifest["multilingual"]["windows"]["rows"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexError_, match="windows-multi.npy does not match its manifest"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    build(on, embedder=embedder, force=True)
    manifest = json.loads(((folder := live_folder(on.index)) / "manifest.json").read_text(encoding="utf-8"))
    manifest["multilingual"]["lexicon"] += 1
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexError_, match="lexicon-en.json does not match its manifest"):
        Searcher.open(on.index, settings=on, embedder=embedder)
    assert Searcher.open(off.index, settings=off, embedder=embedder).multi_vectors is None, \
        "with the setting off the second index is not read"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["multilingual"]["embedder"] = "other"
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexError_, match="multilingual embedder 'other'.*rebuild"):
        Searcher.open(on.index, settings=on, embedder=embedder)


@pytest.mark.slow
def test_a_russian_question_naming_a_concept_in_another_case_finds_the_english_text_by_its_rendering(
        bilingual, embedder):
    """The thesaurus holds "график ремонта" (nominative); the question says "графиками ремонта". With every
    other cross-lingual voice silenced, only the English rendering (its words and MiniLM's list of it,
    index/translate.named) can reach the English resolution."""
    from ingest.thesaurus import parse_thesaurus

    settings, _ = bilingual
    th = parse_thesaurus('[[concept]]\nid = "repair-calendars"\nkind = "set-phrase"\n'
                         'terms = ["repair calendars"]\nru = ["график ремонта"]\n')
    question = "Кто предлагает обмениваться графиками ремонта кабелей?"
    assert th.match(question) == [], "not said in the thesaurus's form"
    only_renderings = Tuning(multilingual_cross=0.0, multilingual_same=0.0, multilingual_cosine_weight=0.0,
                             multilingual_rerank_weight=0.0, other_language_slot=0, foreign_dense_weight=0.0,
                             word_gloss_floor=2.0)  # and no word glossed: the thesaurus alone
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder, thesaurus=th,
                             tuning=only_renderings)
    answer = searcher.answer(question, k=3)
    hits = answer.hits
    assert hits and hits[0].symbol == "A/RES/93/24" and "repair calendars" in hits[0].text, \
        [(h.symbol, h.text[:40]) for h in hits]
    assert answer.also_searched == {"en": "repair calendars"}, "the answer says what the question was read as"
    assert searcher.answer(question, k=3, mode="lexical").also_searched == {}, "only hybrid search reads renderings"


@pytest.mark.slow
def test_a_question_the_thesaurus_names_nothing_of_reaches_the_english_text_by_its_words_glossed(
        bilingual, embedder):
    """With every other cross-lingual voice silenced and a thesaurus that names nothing, only the question's
    words glossed into the corpus's English words (index/lexicon.py) can reach the English resolution."""
    from ingest.thesaurus import parse_thesaurus

    settings, _ = bilingual
    th = parse_thesaurus('[[concept]]\nid = "weather"\nkind = "set-phrase"\nterms = ["weather"]\n')
    question = "Кто предлагает обмениваться графиками ремонта кабелей?"
    gloss_only = Tuning(multilingual_cross=0.0, multilingual_same=0.0, multilingual_cosine_weight=0.0,
                        multilingual_rerank_weight=0.0, other_language_slot=0, foreign_dense_weight=0.0)
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder, thesaurus=th, tuning=gloss_only)
    answer = searcher.answer(question, k=3)
    assert any(h.symbol == "A/RES/93/24" and "repair calendars" in h.text for h in answer.hits), \
        [(h.symbol, h.text[:40]) for h in answer.hits]
    glossed = answer.also_searched["en"].split()
    assert {"repair", "cables"} <= set(glossed), "the answer says what the question was glossed as"
    off = Searcher.open(settings.index, settings=settings, embedder=embedder, thesaurus=th,
                        tuning=replace(gloss_only, word_gloss_floor=2.0)).answer(question, k=3)
    assert off.also_searched == {}, "above 1 the floor glosses nothing"
    assert not any("repair calendars" in h.text for h in off.hits), "nothing else reads both languages here"
    assert searcher.answer("Who proposes to exchange cable repair calendars?", k=3).also_searched == {}, \
        "an English question is not glossed"


@pytest.mark.slow
def test_a_query_in_a_script_no_model_reads_gets_lexical_results_and_a_notice(bilingual, embedder):
    settings, _ = bilingual
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    answer = searcher.answer("cables समुद्र के नीचे बिछाई गई डेटा केबलों की सुरक्षा")
    assert any("Devanagari script" in n for n in answer.notices), answer.notices
    assert answer.hits and all("cable" in h.text.lower() for h in answer.hits)
    assert answer.mode == "hybrid", "the answer says what was asked for; the notice says what was done"


@pytest.mark.slow
def test_the_parallel_passage_is_the_same_label_in_the_other_language_version(bilingual, embedder):
    settings, _ = bilingual
    searcher = Searcher.open(settings.index, settings=settings, embedder=embedder)
    hit = next(h for h in searcher.search("national liaison office undersea data cables", k=5)
               if h.language == "en" and h.symbol == "A/RES/91/11" and h.label == "OP 1")
    parallels = searcher.parallels(hit)
    assert [(p["language"], p["label"]) for p in parallels] == [("fr", hit.label)]
    assert "bureau national de liaison" in parallels[0]["text"]


@pytest.mark.slow
def test_a_translation_catalogued_under_its_own_symbol_shows_once_in_the_questions_language(series):
    """The series' French text is catalogued as A/RES/93/40/FR: it is A/RES/93/40's French version, so each
    of its paragraphs stands in for the English one on a French question and gives way on an English one."""
    from index.multilingual import version_symbol

    _, searcher = series
    assert version_symbol("A/RES/93/40/FR", "fr") == "A/RES/93/40" != version_symbol("A/RES/93/40/FR", "en")
    en = searcher.search("requests the Secretary-General to compile the radar calibration calendars", k=10)
    labels = {h.label for h in en if h.symbol == "A/RES/93/40"}
    assert "OP 3" in labels
    assert not [h.label for h in en if h.symbol == "A/RES/93/40/FR" and h.label in labels], \
        [(h.symbol, h.label) for h in en]
    fr = searcher.search("Prie le Secrétaire général de compiler les calendriers d'étalonnage des radars", k=10)
    assert (fr[0].symbol, fr[0].label) == ("A/RES/93/40/FR", "OP 3"), [(h.symbol, h.label) for h in fr]
    assert not [h for h in fr if h.symbol == "A/RES/93/40" and h.label == "OP 3"]


@pytest.mark.slow
def test_a_translation_under_its_own_symbol_is_linked_as_the_parallel_both_ways(series):
    """The version hidden by the question's language is the one the card links: the English OP 3 links the
    French text catalogued as A/RES/93/40/FR, and the French one links back to A/RES/93/40."""
    _, searcher = series
    en = next(h for h in searcher.search("requests the Secretary-General to compile the radar calibration "
                                         "calendars", k=10) if (h.symbol, h.label) == ("A/RES/93/40", "OP 3"))
    assert [(p["language"], p["label"]) for p in searcher.parallels(en)] == [("fr", "OP 3")]
    fr = searcher.search("Prie le Secrétaire général de compiler les calendriers d'étalonnage des radars", k=1)[0]
    back = searcher.parallels(fr)
    assert [(p["language"], p["label"]) for p in back] == [("en", "OP 3")]
    assert back[0]["doc_id"] == en.doc_id
    other = next(h for h in searcher.search("radar calibration calendars", k=10) if h.symbol
                 and h.symbol not in ("A/RES/93/40", "A/RES/93/40/FR"))
    assert all(p["doc_id"] != en.doc_id for p in searcher.parallels(other)), "another symbol is no version"


@pytest.mark.parametrize("question, language", [
    ("diligencia debida", "es"),  # two words: no function word to count
    ("doble incriminación cooperación internacional", "es"),
    ("Quand l'Assemblée a-t-elle décidé de créer un mécanisme permanent ?", "fr"),  # "de", "un", "en" are Spanish too
    ("due diligence", "en"),  # "diligence" is French as well: the model is not sure enough to leave English
    ("critical infrastructure", "en"),
    ("OEWG", "en"),
    ("2026", "en"),
    ("问责", "zh"),  # a script decides, whatever its length
    ("المساءلة", "ar"),
])
def test_a_short_question_gets_its_language(question, language):
    from index.multilingual import query_language

    assert query_language(question) == language


SHORT = ["diligencia debida", "mesures de confiance", "critical infrastructure", "due diligence",
         "¿Qué resolución creó el grupo de trabajo?", "Quand l'Assemblée a-t-elle décidé ?"]


def test_the_language_model_is_kept_unpacked_in_the_model_cache_and_read_from_there(tmp_path):
    """The first identifier unpacks py3langid's xz file and keeps its arrays; the next one is made from them
    alone (shown by a kept copy whose columns are swapped: its answers swap too); a damaged one is not used."""
    import json as json_

    from index.array_cache import read_arrays, write_arrays
    from index.multilingual import LATIN_LANGUAGES, latin_identifier

    packaged = latin_identifier(None)
    made = latin_identifier(tmp_path / "a")
    (folder,) = (tmp_path / "a").iterdir()
    state = json_.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert state["source"]["languages"] == list(LATIN_LANGUAGES) and "nextmove.npy" in state["files"]
    kept = read_arrays(folder, state["source"])
    assert kept is not None and kept["ptc"].shape[1] == len(LATIN_LANGUAGES) == 3

    import shutil
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    read_back = latin_identifier(tmp_path / "b")
    assert read_back is not made
    for text in SHORT:
        assert read_back.rank(text) == packaged.rank(text) == made.rank(text), text  # the same arrays, bit for bit

    swapped = dict(kept, classes=np.roll(kept["classes"], 1))  # each label moved to the next column, the scores kept
    write_arrays(tmp_path / "c" / folder.name, state["source"], swapped)
    liar = latin_identifier(tmp_path / "c")
    assert liar.classify("diligencia debida")[0] != packaged.classify("diligencia debida")[0]

    (tmp_path / "d").mkdir()
    shutil.copytree(folder, tmp_path / "d" / folder.name)
    with open(tmp_path / "d" / folder.name / "ptc.npy", "r+b") as fh:
        fh.seek(-8, 2)
        fh.write(b"\x01\x02\x03\x04\x05\x06\x07\x08")
    repaired = latin_identifier(tmp_path / "d")
    assert repaired.classify("diligencia debida") == packaged.classify("diligencia debida")
    assert read_arrays(tmp_path / "d" / folder.name, state["source"]) is not None, "made again, sound"


@pytest.mark.slow
def test_an_english_questions_answer_in_another_language_gains_by_its_gloss_in_the_questions_word_list(
        bilingual, embedder):
    """The French passage's English gloss, scored as one more row of the word index, stands first among the
    French passages the question's words reach: fusion adds the gloss weight at rank 1 (index/fusion.py), and
    nothing with the lever off, nor for a gloss that holds one of the question's words only; an index built
    before the glosses answers without it."""
    from index.records import Filters

    settings, _ = bilingual
    question = "which text invites regional organizations to hold a yearly tabletop exercise on repairing damaged cables?"
    french = Filters(languages=("fr",))
    on, off = (Searcher.open(settings.index, settings=settings, embedder=embedder, tuning=Tuning(passage_gloss_weight=w))
               for w in (2.0, 0.0))
    with_gloss, without = on.search(question, k=3, filters=french), off.search(question, k=3, filters=french)
    assert with_gloss[0].language == "fr" and "exercice sur table" in with_gloss[0].text, with_gloss[0].text
    assert with_gloss[0].passage_id == without[0].passage_id
    assert with_gloss[0].score - without[0].score == pytest.approx(2.0 / (Tuning().rrf_k + 1), abs=1e-6)
    one_word = "which statement mentions the cables?"
    assert [h.score for h in on.search(one_word, k=3, filters=french)] == \
           [h.score for h in off.search(one_word, k=3, filters=french)], "a gloss sharing one word is not evidence"
    spanish = "¿qué texto invita a las organizaciones regionales a un ejercicio anual sobre cables dañados?"
    assert [h.score for h in on.search(spanish, k=3)] == [h.score for h in off.search(spanish, k=3)], \
        "a question not in English is not weighed by the passages' glosses"

    folder = live_folder(settings.index)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["multilingual"]["glosses"], manifest["checksums"][lexicon.GLOSSES_FILE]
    saved = (folder / lexicon.GLOSSES_FILE).read_bytes(), (folder / "manifest.json").read_bytes()
    try:
        (folder / lexicon.GLOSSES_FILE).unlink()
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        before = Searcher.open(settings.index, settings=settings, embedder=embedder)
        assert before.lexicon is not None and before.lexicon.glosses == {}
        assert [h.score for h in before.search(question, k=3, filters=french)] == [h.score for h in without]
    finally:
        (folder / lexicon.GLOSSES_FILE).write_bytes(saved[0])
        (folder / "manifest.json").write_bytes(saved[1])


@pytest.mark.slow
def test_a_question_not_in_english_lifts_long_passages_by_their_best_clause_and_an_english_one_is_untouched(
        tmp_path, embedder):
    settings = make_settings(tmp_path, copy_corpus(tmp_path / "corpus"))
    build(settings, embedder=embedder)
    off, on = (Searcher.open(settings.index, settings=settings, embedder=embedder,
                             tuning=replace(Tuning(), window_weight=w)) for w in (0.0, 1.0))
    spanish = "¿Los costes de reparación de cables y buques se revisan cada año?"
    before = {h.passage_id: h.score for h in off.search(spanish, k=10)}
    after = {h.passage_id: h.score for h in on.search(spanish, k=10)}
    shared = before.keys() & after.keys()
    long_ones = {i for i in shared if len(on.windows.rows(i))}
    assert long_ones and shared - long_ones, "the answers hold long passages and short ones"
    assert all(after[i] == pytest.approx(before[i]) for i in shared - long_ones), "a short passage has no clauses"
    assert all(after[i] >= before[i] - 1e-9 for i in long_ones) and any(after[i] > before[i] for i in long_ones)
    english = "are repair cable and vessel costs reviewed each year?"
    assert ([(h.passage_id, h.score) for h in off.search(english, k=10)]
            == [(h.passage_id, h.score) for h in on.search(english, k=10)]), "English questions are not reranked"
