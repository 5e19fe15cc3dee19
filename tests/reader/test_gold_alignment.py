"""The hand-checked gold sentence alignment (issue 3 §2) still fits the site's segmentation.

``gold_alignment.json`` pairs, clause by clause, the zh-hans sentences with the sentences of each
English version that render them. It was made by reading both sides, not by an aligner, so it can
measure one. These tests do not judge the alignment; they make sure it still describes the
sentences ``reader.segment.sentences`` cuts today: if segmentation or parsing changes, they fail
loudly and the gold must be re-checked by hand.
"""
import json
from pathlib import Path

import pytest

from reader.segment import sentences

GOLD_PATH = Path(__file__).with_name("gold_alignment.json")
GOLD = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
VERSIONS = ("en", "en-mt")
ZH_PREFIX, EN_PREFIX = 20, 40
# Bead shapes issue 3 allows: (Chinese sentences, English sentences).
SHAPES = {(1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 1)}
# Clauses the gold must keep because they are where aligners go wrong.
HARD = {
    "en": ["0.1", "0.2", "1.1.1", "1.3.1", "2.1.0", "2.2", "2.4.0", "2.5.2", "2.6.0", "2.6.1",
           "3.1.1", "3.2.4", "3.3.2", "3.4.1", "3.5.2", "3.5.3", "3.6", "3.6.3", "3.7.3",
           "signature"],
    "en-mt": ["0.1", "0.2", "3.1.1", "3.2.4", "3.3.2", "3.4.1", "3.5.2", "3.5.3", "3.6", "3.6.3",
              "3.7.3", "signature"],
}
CLAUSES = [(version, ref) for version in VERSIONS for ref in GOLD[version]]


def clause_sentences(corpus, version, ref):
    """(zh-hans sentence texts, English sentence texts) of one clause, as the site cuts them."""
    zh = corpus.passage("zh-hans", ref)
    en = corpus.passage(version, ref)
    assert zh is not None, f"no zh-hans passage for {ref}"
    assert en is not None, f"no {version} passage for {ref}"
    return ([s.text for s in sentences(zh.text, "zh-Hans")],
            [s.text for s in sentences(en.text, "en")])


def test_the_gold_file_explains_who_made_it_and_its_conventions():
    assert set(GOLD) == {"_about", *VERSIONS}
    about = GOLD["_about"].lower()
    for word in ("hand", "1-based", "1:0", "0:1", "responsibility", "segmentation"):
        assert word in about


def test_the_gold_file_is_readable_utf8_not_escaped():
    assert "\\u" not in GOLD_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize("version", VERSIONS)
def test_each_english_version_has_at_least_fifteen_gold_clauses(version):
    assert len(GOLD[version]) >= 15


@pytest.mark.parametrize("version", VERSIONS)
def test_the_gold_keeps_the_hard_clauses(version):
    missing = [ref for ref in HARD[version] if ref not in GOLD[version]]
    assert not missing, f"{version}: hard clauses missing from the gold: {missing}"


@pytest.mark.parametrize("version", VERSIONS)
def test_gold_clauses_are_real_refs_in_document_order(corpus, version):
    refs = list(GOLD[version])
    assert all(ref in corpus.refs for ref in refs), set(refs) - set(corpus.refs)
    assert refs == sorted(refs, key=corpus.refs.index)


@pytest.mark.parametrize("version,ref", CLAUSES)
def test_every_bead_has_an_allowed_shape_and_contiguous_indices(version, ref):
    for bead in GOLD[version][ref]:
        assert set(bead) == {"zh", "en", "zh_text", "en_text"}, bead
        assert (len(bead["zh"]), len(bead["en"])) in SHAPES, bead
        for side in ("zh", "en"):
            ids = bead[side]
            assert all(isinstance(i, int) and i >= 1 for i in ids), bead
            if ids:
                assert ids == list(range(ids[0], ids[0] + len(ids))), bead


@pytest.mark.parametrize("version,ref", CLAUSES)
def test_beads_partition_both_sides_sentences_exactly_once_in_order(corpus, version, ref):
    zh, en = clause_sentences(corpus, version, ref)
    beads = GOLD[version][ref]
    assert [i for b in beads for i in b["zh"]] == list(range(1, len(zh) + 1)), (
        f"{version} {ref}: zh-hans now has {len(zh)} sentences; re-check the gold by hand")
    assert [i for b in beads for i in b["en"]] == list(range(1, len(en) + 1)), (
        f"{version} {ref}: {version} now has {len(en)} sentences; re-check the gold by hand")


@pytest.mark.parametrize("version,ref", CLAUSES)
def test_bead_text_prefixes_match_the_current_sentences(corpus, version, ref):
    zh, en = clause_sentences(corpus, version, ref)
    for bead in GOLD[version][ref]:
        zh_joined = "".join(zh[i - 1] for i in bead["zh"])
        en_joined = " ".join(en[i - 1] for i in bead["en"])
        assert bead["zh_text"] == zh_joined[:ZH_PREFIX], (version, ref, bead["zh"], zh_joined[:40])
        assert bead["en_text"] == en_joined[:EN_PREFIX], (version, ref, bead["en"], en_joined[:60])
