"""`python manage.py evaluate_alignment`: sentence-link precision, recall and F1 against gold, and
the share of English paragraphs placed under the right clause (``reader.placement_eval``)."""
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from reader.management.base import ProjectCommand

from reader import placement_eval
from reader.models import Bead, Document

GOLD = Path(settings.BASE_DIR) / "tests" / "reader" / "gold_alignment.json"


def links(beads) -> set[tuple[str, int, int]]:
    """(ref, source sentence, target sentence) for every pair a bead joins."""
    return {(ref, i, j) for ref, source, target in beads for i in source for j in target}


def score(predicted: set, gold: set) -> tuple[float, float, float]:
    hits = len(predicted & gold)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(gold) if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


class Command(ProjectCommand):
    help = ("Compare the stored sentence alignment with the hand-checked gold alignment "
            "(tests/reader/gold_alignment.json) and print precision, recall and F1 of sentence "
            "links per target version, and the clauses where they differ. Then place the English "
            "paragraphs of every document with a human pairing (tests/reader/paragraph_pairs) "
            "under its clauses, from the source files (no database), and print the share placed "
            "right: held out (parameters counted on the other documents) and with the shipped "
            "defaults, and the paragraphs misplaced.")

    def add_arguments(self, parser):
        parser.add_argument("--gold", type=Path, default=GOLD)
        parser.add_argument("--document", default="guofa-2015-40")
        parser.add_argument("--placement-only", action="store_true",
                            help="only the paragraph placement (needs no ingested database)")
        parser.add_argument("--no-placement", action="store_true",
                            help="only the sentence alignment")

    def handle(self, *args, gold, document, placement_only=False, no_placement=False, **options):
        if not placement_only:
            self.sentences(gold, document)
        if not no_placement:
            self.placement()

    def placement(self):
        slugs = placement_eval.slugs()
        if not slugs:
            raise CommandError(f"no paragraph pairing in {placement_eval.PAIRS}")
        self.stdout.write("paragraph placement (held out: parameters counted on the other "
                          "documents; defaults: reader.placement.DEFAULTS)")
        try:
            results = placement_eval.evaluate(slugs)
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot evaluate the placement: {exc}") from exc
        for held_out, shipped in results:
            self.stdout.write(
                f"{held_out.slug:10}  paragraphs {held_out.measured:4}  "
                f"held out {held_out.correct:4} ({held_out.share:.3f}, {held_out.seconds:.2f} s)  "
                f"defaults {shipped.correct:4} ({shipped.share:.3f})")
            for line, placed, expected in held_out.misplaced:
                self.stdout.write(f"        en.txt line {line}: placed under {placed}; "
                                  f"its Chinese is in {expected}")

    def sentences(self, gold, document):
        try:
            data = json.loads(Path(gold).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot read the gold alignment {gold}: {exc}") from exc
        doc = Document.objects.filter(slug=document).first()
        if doc is None:
            raise CommandError(f"no document {document!r}: run `manage.py ingest` first")
        for target, clauses in data.items():
            if target.startswith("_"):
                continue
            gold_links = links((ref, b["zh"], b["en"]) for ref, beads in clauses.items() for b in beads)
            stored = Bead.objects.filter(clause__document=doc, target__slug=target,
                                         clause__ref__in=list(clauses)).select_related("clause")
            predicted = links((b.clause.ref, b.source_sentences, b.target_sentences) for b in stored)
            precision, recall, f1 = score(predicted, gold_links)
            self.stdout.write(
                f"{target:6}  clauses {len(clauses):3}  gold links {len(gold_links):4}  "
                f"predicted {len(predicted):4}  precision {precision:.3f}  recall {recall:.3f}  "
                f"F1 {f1:.3f}")
            for ref in clauses:
                wrong = {x for x in predicted ^ gold_links if x[0] == ref}
                if wrong:
                    extra = sorted((i, j) for r, i, j in wrong if (r, i, j) in predicted)
                    missed = sorted((i, j) for r, i, j in wrong if (r, i, j) in gold_links)
                    self.stdout.write(f"        {ref}: predicted but not gold {extra}; "
                                      f"gold but not predicted {missed}")
