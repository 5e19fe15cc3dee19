"""Place the paragraphs of an English translation under the Chinese clauses they translate.

Plain Python, no Django. ``place(clauses, paragraphs)`` takes the clauses of a Chinese document
in order (as its parser numbered them) and the paragraphs of an English translation in order
(one line of the English file each) and says, for every English paragraph, which clause it goes
under: ``Placed(ref, line, text, score, reason)``, in order, refs never going back. Where one
English paragraph renders the end of one clause and the start of the next it is cut at a
sentence boundary and each piece placed on its own; nothing is lost, nothing repeated. No
machine translation: the evidence is what survives translation (numbers, Latin tokens, labels,
dictionary words) and length.

Model
-----
Official translations are not paragraph-parallel: one Chinese paragraph becomes a lead sentence
and a list of twenty lines, two are merged, a heading becomes the bold lead of the next
paragraph. So the English is first cut into *units*: each paragraph, or the two halves of a
paragraph with a bold lead (``**1. Heading.** Body``), the likeliest place for a clause
boundary inside a paragraph. A monotone dynamic programme over (clauses, units) then chooses a
sequence of beads, after Gale & Church (1993) as ``reader.align`` does for sentences:

* 1:k - a clause and a run of k >= 1 units (a list of any length);
* 1:0 - a clause no unit renders; 0:1 - a unit with no Chinese (it goes under the clause before
  it, with a low score).

A bead costs ``-log P(type) - evidence + boundaries``:

* ``evidence`` is a sum of log-likelihood ratios, "these sides translate each other" against
  "they are neighbours in the same document": length (Gale & Church's ``delta`` with this
  genre's paragraph-level C and S2); the dictionary words each side finds in the other
  (CC-CEDICT, matched exactly as ``reader.align`` matches them, through its ``chinese_features`` and
  ``english_features``), where the chance of a word finding a match in a neighbour's text grows with the
  size of that text (logistic in its log: long English runs meet many words by chance); numbers
  (6.9% = 6.9 percent, 67.7万亿 = 67.7 trillion, 1312万 = 13.12 million, a month name = its
  number); the Latin tokens of the Chinese (GDP, 5G, M2) among the English; labels (一、 = I.,
  （三） = 3. or (3), 二是 = "Second,"); and the edges: how well the clause's first sentence
  agrees with the first sentence of its English and its last with the last, weighed as
  ``reader.align`` weighs a sentence pair (agreement only: a loose rendering costs nothing).
* ``boundaries``: every boundary between two units either separates clauses or not, with a
  probability that depends on how the first unit ends and the next begins (a unit ending with a
  semicolon or continued in lower case continues; a colon announces a list, or ends a lead
  paragraph; an unpunctuated line is a heading, a list item or a salutation; a label starts a
  clause; a bold lead is where a heading ends).

The search places whole units. Afterwards each boundary between clauses is weighed again
sentence by sentence (``reader.segment``) in the units on either side of it: where a clause was
left empty (a heading run into its paragraph without bold, two Chinese paragraphs merged into
one English one) or a unit was left without a clause, its sentences are shared out as is
likeliest, at a cost of INNER_CUT per cut; where no clause is empty a paragraph is cut only on
stronger evidence (SPAN_CUT), after a quick look says its end reads like the next clause. (n:m
beads in the search would judge a group of clauses by their words together, which favours
groups: more words on both sides, more matches by chance.)

Everything probabilistic is counted on real documents by ``fit``, from the paths their human
pairings admit: bead-type priors, boundary probabilities, C and S2, the dictionary match rates
of aligned and of neighbouring paragraphs, and how often numbers and Latin tokens are found
across. ``DEFAULTS`` were counted on the three Reports on the Work of the Government in
``fixtures/documents`` (2016, 2019, 2020); ``reader.placement_eval`` measures each report with
the figures counted on the other two (``manage.py evaluate_alignment --placement-only``): 0.991,
0.990 and 0.989 of their English paragraphs go under the clause that holds their Chinese
paragraph. The label weights, the edge weight, the cut costs and the temperature are choices.

The search is banded: a state (clauses done, units done) is considered only where the two
sides have used up similar shares of their text, in the narrowest of ``BANDS`` whose best path
keeps off its edges (a translation that leaves out a whole part needs a wider one), and a run
stops growing once it is far too long for its clause. A report of 150 clauses and 200
paragraphs places in well under a second once CC-CEDICT and jieba are loaded (once per process).

Score
-----
The posterior probability that the unit belongs under the clause it was placed under, by the
forward-backward algorithm over all bead sequences with ``exp(-cost / TEMPERATURE)`` as weight;
for a piece cut from a paragraph, that times how much likelier the cut made the clauses. A unit
placed by a 0:1 bead scores at most ``SKIP_SCORE``, as does a paragraph holding a run of Chinese
text; a paragraph that is mostly Chinese (a Chinese paragraph left in the English file) is not
aligned at all: it goes under the clause of the paragraph before it with score 0. Scores below
0.5 come with a reason.

Modules
-------
``units`` (what is given and returned, and the units the English is cut into), ``model`` (the
parameters: ``DEFAULTS`` and the chosen constants, as the search reads them), ``features`` (what
each side says that survives translation, and how boundaries between units look), ``search``
(the lattice of beads, its best path and marginals), ``placements`` (from the path to
``Placed``, re-cutting paragraphs that run across a clause boundary) and ``fitting`` (counting
the parameters on human pairings). ``place`` and ``fit`` are here.
"""
from __future__ import annotations

from .fitting import _Stats
from .model import (BAND_UNITS, BANDS, CHINESE_INSIDE, DEFAULTS, EDGE_CLIP, EDGE_WEIGHT,
                    FULL_TABLE, LABEL_AGREES, LABEL_DIFFERS, MAX_DELTA, SKIP_SCORE, TEMPERATURE,
                    _Model)
from .placements import INNER_CUT, SPAN_CUT, _placements
from .search import _Table
from .units import Clause, Paragraph, Placed, _units

__all__ = [
    "Paragraph", "Clause", "Placed", "place", "fit", "DEFAULTS",
    "LABEL_AGREES", "LABEL_DIFFERS", "TEMPERATURE", "EDGE_WEIGHT", "EDGE_CLIP", "SKIP_SCORE",
    "CHINESE_INSIDE", "BANDS", "BAND_UNITS", "FULL_TABLE", "MAX_DELTA", "INNER_CUT", "SPAN_CUT",
]


# --- placing ------------------------------------------------------------------------------

def place(clauses: list[Clause], paragraphs: list[Paragraph], *,
          priors: dict | None = None) -> list[Placed]:
    """Every paragraph (or piece of one) under the clause it translates, in order.

    ``priors``: parameters as ``fit`` returns them (``DEFAULTS`` for what it leaves out). With
    no clauses there is nothing to place under and the result is empty.
    """
    if not clauses or not paragraphs:
        return []
    model = _Model({**DEFAULTS, **(priors or {})})
    units = _units(paragraphs)
    table = _Table(model, clauses, units)
    path = table.best_path()
    marginals = table.marginals()
    return _placements(table, paragraphs, path, marginals)


def fit(examples) -> dict:
    """Parameters counted on aligned documents.

    ``examples``: ``(clauses, paragraphs, allowed)`` triples, ``allowed`` mapping an English
    line to the refs it may go under (the human pairing); lines it lacks are unconstrained. The
    path each document's pairing admits is found with the current parameters (``DEFAULTS`` at
    first), the parameters counted on those paths, and the whole done twice.
    """
    examples = list(examples)
    params = DEFAULTS
    for _ in range(2):
        stats = _Stats()
        for clauses, paragraphs, allowed in examples:
            if not clauses or not paragraphs:
                continue
            units = _units(paragraphs)
            by_paragraph = [allowed.get(p.line) or None for p in paragraphs]
            table = _Table(_Model(params), clauses, units, allowed=by_paragraph)
            if table.path is None:  # the pairing admits no path through these clauses
                table = _Table(_Model(params), clauses, units)
            stats.count(table, table.best_path())
        params = stats.estimate()
    return params
