"""What the editor checks before an import: a corpus summarised as plain data (JSON-ready).

``summarise(corpus)`` gives the outline the parser found (front matter, parts and sections with
their refs and headings, back matter), the paragraph alignment (each clause's Chinese text with
every translation's paragraph(s) placed under it, uncertain placements with their score and
reason), every source line not used as text with its reason, and the counts. It is computed
once, when the upload is staged, and kept beside the staged files.
"""
from __future__ import annotations

from collections import Counter

from reader.sources.base import DROPPED, PLACEMENT_UNCERTAIN, REPAIR, TRANSLATION, USED
from reader.sources.corpus import Corpus
from reader.sources.plain_document import UNCERTAIN

EXCERPT = 120  # characters of a dropped line shown


def summarise(corpus: Corpus) -> dict:
    base = next(v for v in corpus.versions if v.get("base"))
    translations = [v for v in corpus.versions if v["kind"] in ("translation", "machine")]
    rows = [_row(corpus, ref, base, translations) for ref in corpus.refs]
    uncertain = [{"ref": row["ref"], "version": t["version"], "label": t["label"],
                  "score": t["placement"], "reasons": t["reasons"]}
                 for row in rows for t in row["translations"] if t["uncertain"]]
    lines = _lines_not_used(corpus)
    kinds = Counter(corpus.kind(ref) for ref in corpus.refs)
    notes = Counter(n.kind for n in corpus.notes)
    return {
        "document": {"slug": corpus.document["slug"], "issuer": corpus.document["issuer"],
                     "date": corpus.document["date"].isoformat(),
                     "number": corpus.document.get("number", ""),
                     "title": corpus.title, "genre": corpus.genre},
        "base": {"slug": base["slug"], "label": base["label"], "language": base["language"]},
        "versions": [{"slug": v["slug"], "label": v["label"], "language": v["language"],
                      "kind": v["kind"], "sources": v.get("sources", [])} for v in corpus.versions],
        "translations": [{"slug": v["slug"], "label": v["label"], "language": v["language"]}
                         for v in translations],
        "outline": _outline(corpus, base["slug"]),
        "rows": rows,
        "uncertain": uncertain,
        "lines_not_used": lines,
        "sources": [_source_counts(source) for source in corpus.sources],
        "counts": {
            "clauses": len(corpus.refs),
            "parts": kinds["part"],
            "sections": kinds["section"],
            "paragraphs": kinds["clause"],
            "front_back": kinds["front"] + kinds["back"],
            "uncertain": len(uncertain),
            "dropped": sum(1 for line in lines if line["fate"] == DROPPED),
            "repairs": notes[REPAIR],
            "translation_notes": notes[TRANSLATION],
        },
    }


def _text(corpus: Corpus, version: str, ref: str) -> str:
    passage = corpus.passage(version, ref)
    return passage.text if passage else ""


def _outline(corpus: Corpus, base: str) -> dict:
    """Front matter, then the parts (each with its sections), then back matter."""
    front, parts, back = [], [], []
    containers: dict[str, dict] = {}  # part or section ref -> its outline entry
    preamble = 0
    for ref in corpus.refs:
        kind = corpus.kind(ref)
        entry = {"ref": ref, "text": _text(corpus, base, ref), "paragraphs": 0}
        if kind == "front":
            front.append(entry)
        elif kind == "back":
            back.append(entry)
        elif kind == "part":
            containers[ref] = {**entry, "sections": []}
            parts.append(containers[ref])
        elif kind == "section":
            containers[ref] = entry
            containers.get(corpus.parent(ref) or "", {"sections": []})["sections"].append(entry)
        elif corpus.parent(ref) in containers:
            containers[corpus.parent(ref)]["paragraphs"] += 1
        else:
            preamble += 1
    return {"front": front, "preamble": preamble, "parts": parts, "back": back}


def _row(corpus: Corpus, ref: str, base: dict, translations: list[dict]) -> dict:
    placed = []
    for version in translations:
        passage = corpus.passage(version["slug"], ref)
        notes = list(dict.fromkeys(  # the placer can report a paragraph twice
            n.body for n in corpus.notes
            if n.ref == ref and n.version == version["slug"] and n.kind == TRANSLATION))
        reasons = [body for body in notes if body.startswith(PLACEMENT_UNCERTAIN)]
        score = passage.placement if passage else None
        placed.append({
            "version": version["slug"], "label": version["label"],
            "language": version["language"],
            "text": passage.text if passage else None,
            "source": passage.source if passage else "",
            "lines": passage.lines.replace(",", ", ") if passage else "",
            "line_count": len(passage.lines.split(",")) if passage else 0,
            "placement": score,
            "uncertain": bool(reasons) or (score is not None and score < UNCERTAIN),
            "reasons": reasons,
            "notes": [body for body in notes if body not in reasons],
        })
    zh = corpus.passage(base["slug"], ref)
    return {"ref": ref, "kind": corpus.kind(ref), "text": zh.text if zh else "",
            "lines": zh.lines if zh else "", "translations": placed}


def _lines_not_used(corpus: Corpus) -> list[dict]:
    """Every non-blank line of every source that did not become text, with its reason."""
    out = []
    for source in corpus.sources:
        lines = source.text.split("\n")
        for number in sorted(source.fates):
            fate = source.fates[number]
            if fate.fate == USED:
                continue
            text = lines[number - 1].strip() if number <= len(lines) else ""
            out.append({"file": source.filename, "line": number, "fate": fate.fate,
                        "reason": fate.reason,
                        "text": text if len(text) <= EXCERPT else text[:EXCERPT] + "…"})
    return out


def _source_counts(source) -> dict:
    fates = Counter(fate.fate for fate in source.fates.values())
    return {"file": source.filename,
            "lines": sum(1 for raw in source.text.split("\n") if raw.strip()),
            "used": fates[USED], "not_used": sum(n for fate, n in fates.items() if fate != USED),
            "provenance": source.manifest.get("provenance", "")}
