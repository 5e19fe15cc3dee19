"""The corpus: documents, their versions (languages and scripts as rows), clauses and passages.

Stable identifiers are fields: a document's ``slug``, a version's ``slug``, a clause's ``ref``.
Database ids never appear in URLs or exports.
"""
from django.db import models


class Document(models.Model):
    class Genre(models.TextChoices):
        OPINIONS = "opinions", "opinions"
        PLAN = "plan", "plan"
        REPORT = "report", "report"
        NOTICE = "notice", "notice"
        DECISION = "decision", "decision"
        REGULATIONS = "regulations", "regulations"
        OTHER = "other", "other"

    slug = models.SlugField(unique=True)
    number = models.CharField(max_length=100, blank=True)  # as issued: 国发〔2015〕40号 ("" if none)
    issuer = models.CharField(max_length=200)  # in the original language: 国务院
    date = models.DateField()
    title = models.CharField(max_length=500, blank=True)  # in the base version, as the text has it
    genre = models.CharField(max_length=20, choices=Genre.choices, default=Genre.OTHER)
    fingerprint = models.CharField(max_length=64, blank=True)  # of the ingested corpus
    updated_at = models.DateTimeField(null=True, blank=True)  # when an ingest last changed anything

    class Meta:
        ordering = ["-date", "slug"]

    def __str__(self):
        return self.slug

    @property
    def name(self) -> str:
        """How the site names the document in headings and breadcrumbs: its number as issued,
        else its title and year (政府工作报告（2019）)."""
        return self.number or f"{self.title or self.slug}（{self.date.year}）"


class VersionQuerySet(models.QuerySet):
    def of(self, document):
        return self.filter(document=document).order_by("position")


class Version(models.Model):
    class Kind(models.TextChoices):
        ORIGINAL = "original", "original text"
        SCRIPT = "script", "script conversion of the original"
        TRANSLATION = "translation", "published translation"
        MACHINE = "machine", "machine translation"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    slug = models.SlugField()  # zh-hans, en, en-mt …
    language = models.CharField(max_length=35)  # BCP 47: zh-Hans, zh-Hant, en
    label = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    sources = models.CharField(max_length=500, blank=True)  # source file names, comma-separated
    document_number = models.CharField(max_length=100, blank=True)  # as this version prints it
    position = models.PositiveSmallIntegerField()
    is_base = models.BooleanField(default=False)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "slug"], name="version_slug_unique")]

    def __str__(self):
        return f"{self.document.slug}/{self.slug}"

    @property
    def is_chinese(self):
        return self.language.startswith("zh")


class ClauseQuerySet(models.QuerySet):
    def of(self, document):
        return self.filter(document=document)

    def in_order(self):
        return self.order_by("position")


class Clause(models.Model):
    class Kind(models.TextChoices):
        FRONT = "front", "front matter"
        PART = "part", "part"
        SECTION = "section", "section"
        CLAUSE = "clause", "clause"
        BACK = "back", "back matter"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="clauses")
    ref = models.CharField(max_length=32)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="children")
    position = models.PositiveIntegerField()

    objects = ClauseQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "ref"], name="clause_ref_unique")]

    def __str__(self):
        return f"{self.document.slug}/{self.ref}"

    @property
    def is_heading(self):
        return self.kind in (self.Kind.PART, self.Kind.SECTION)

    @property
    def is_matter(self):
        return self.kind in (self.Kind.FRONT, self.Kind.BACK)

    @property
    def depth(self):
        return 0 if self.is_matter else self.ref.count(".")


class Passage(models.Model):
    class Provenance(models.TextChoices):
        SOURCE = "source", "from a source"
        COLLATED = "collated", "collated from several witnesses"
        CONVERTED = "converted", "converted by OpenCC"
        RECONSTRUCTED = "reconstructed", "reconstructed"

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="passages")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="passages")
    text = models.TextField()
    label = models.CharField(max_length=20, blank=True)  # the number label as printed
    provenance = models.CharField(max_length=15, choices=Provenance.choices)
    source = models.CharField(max_length=200, blank=True)  # file the text was read from
    lines = models.CharField(max_length=1000, blank=True)  # its line numbers, e.g. "79,81"
    # How sure the importer is that this translation passage belongs under its clause (the
    # lowest of its paragraphs' placement scores); None where the source's structure placed it.
    placement = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clause", "version"], name="passage_unique")]

    def __str__(self):
        return f"{self.clause}@{self.version.slug}"


class Note(models.Model):
    class Kind(models.TextChoices):
        VARIANT = "variant", "variant reading"
        REPAIR = "repair", "repair"
        TRANSLATION = "translation", "translation note"

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="notes")
    version = models.ForeignKey(Version, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    body = models.TextField()
    source = models.CharField(max_length=200, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    reading = models.TextField(blank=True)
    adopted = models.TextField(blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.kind} on {self.clause}"


class Sentence(models.Model):
    """One sentence of a passage: its 1-based index and its exact span of the passage text."""

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="sentences")
    index = models.PositiveSmallIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["passage", "index"], name="sentence_unique")]

    def __str__(self):
        return f"{self.passage}#s{self.index}"


class Bead(models.Model):
    """Which sentences of the source passage render which of the target's, within one clause.

    Indices are 1-based sentence indices; an empty side is an omission (1:0) or an addition
    (0:1). ``texts_hash`` fingerprints both sides' sentences and the aligner, so an ingest
    recomputes a clause's beads only when its texts (or the algorithm) change.
    """

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="beads")
    source = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    source_sentences = models.JSONField(default=list)
    target_sentences = models.JSONField(default=list)
    score = models.FloatField()
    texts_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["clause", "source", "target", "position"],
                                               name="bead_unique")]

    def __str__(self):
        return f"{self.clause} {self.source.slug}→{self.target.slug} #{self.position}"

    @property
    def kind(self):
        return f"{len(self.source_sentences)}:{len(self.target_sentences)}"

    @property
    def is_gap(self):
        return not self.source_sentences or not self.target_sentences


class Finding(models.Model):
    """An automatic translation check's finding on one clause of a translation (computed at ingest)."""

    class Kind(models.TextChoices):
        OMISSION = "omission", "omission"
        ADDITION = "addition", "addition"
        LENGTH = "length", "length ratio"
        NUMBER = "number", "number"
        LATIN = "latin", "Latin token"
        LABEL = "label", "label or numbering"
        ARTEFACT = "artefact", "artefact"
        GLOSSARY = "glossary", "glossary term"
        PLACEMENT = "placement", "paragraph placement"

    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="findings")
    target = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="findings")
    sentence = models.PositiveSmallIntegerField(null=True, blank=True)  # base sentence, 1-based
    # the translation's sentence (1-based) an addition or artefact is about; null for other kinds
    translated = models.PositiveSmallIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.kind} in {self.clause}@{self.target.slug}"


class TermQuerySet(models.QuerySet):
    def of(self, document):
        return self.filter(document=document).order_by("position")


class Term(models.Model):
    """A glossary entry (fixtures/glossary.toml), as loaded at ingest for one document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="terms")
    zh = models.CharField(max_length=100)  # simplified, as the base text writes it
    slug = models.SlugField(max_length=200)  # from its pinyin: zhong-chuang-kong-jian
    category = models.CharField(max_length=20)
    gloss = models.CharField(max_length=300, blank=True)
    count = models.PositiveIntegerField(default=0)  # occurrences in the base text
    position = models.PositiveIntegerField()

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "zh"], name="term_unique"),
                       models.UniqueConstraint(fields=["document", "slug"], name="term_slug_unique")]

    def __str__(self):
        return self.zh


class Rendering(models.Model):
    """A rendering of a term that the glossary lists for one version."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="renderings")
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="renderings")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["term", "version", "text"],
                                               name="rendering_unique")]

    def __str__(self):
        return f"{self.term} → {self.text} ({self.version.slug})"


class Occurrence(models.Model):
    """One occurrence of a term in the base text, and how one translation renders it there
    (``rendering`` is empty where the glossary does not identify it). Computed at ingest."""

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="occurrences")
    clause = models.ForeignKey(Clause, on_delete=models.CASCADE, related_name="+")
    sentence = models.PositiveSmallIntegerField()  # base sentence, 1-based
    start = models.PositiveIntegerField()  # offsets in that sentence
    end = models.PositiveIntegerField()
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="+")
    aligned = models.JSONField(default=list)  # the version's sentences aligned with it
    rendering = models.ForeignKey(Rendering, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="occurrences")
    target_sentence = models.PositiveSmallIntegerField(null=True, blank=True)
    target_start = models.PositiveIntegerField(null=True, blank=True)
    target_end = models.PositiveIntegerField(null=True, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return f"{self.term} in {self.clause}#s{self.sentence} ({self.version.slug})"
