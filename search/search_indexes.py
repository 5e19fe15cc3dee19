"""What the search index holds: one document per passage (a clause in one version)."""
from haystack import indexes

from reader.models import Passage

from .analysis import has_chinese


class PassageIndex(indexes.SearchIndex, indexes.Indexable):
    text = indexes.CharField(document=True, model_attr="text")
    chars = indexes.CharField(model_attr="text")
    spell = indexes.CharField()
    document = indexes.CharField(model_attr="clause__document__slug")
    version = indexes.CharField(model_attr="version__slug")
    language = indexes.CharField(model_attr="version__language")
    ref = indexes.CharField(model_attr="clause__ref")
    part = indexes.CharField()
    clause_key = indexes.CharField()
    position = indexes.IntegerField(model_attr="clause__position")
    # For ranking passages of equal score the same way whatever order they were indexed in:
    # newer documents first, then clause position, then the reader's order of versions.
    document_date = indexes.IntegerField()
    version_position = indexes.IntegerField(model_attr="version__position")

    def get_model(self):
        return Passage

    def index_queryset(self, using=None):
        # In library and document order (documents newest first, clauses, then the reader's
        # order of versions), never the order rows happen to lie in: that differs between
        # SQLite and PostgreSQL, and Whoosh breaks equal scores by the order it was given.
        return (Passage.objects.select_related("clause__document", "version")
                .order_by("-clause__document__date", "clause__document__slug", "clause__position",
                          "version__position", "pk"))

    def prepare_chars(self, obj):
        return chars_of(obj.text)

    def prepare_spell(self, obj):
        return spell_of(obj.text, obj.version.language)

    def prepare_part(self, obj):
        return part_of(obj.clause.ref)

    def prepare_clause_key(self, obj):
        return clause_key(obj.clause.document.slug, obj.clause.ref)

    def prepare_document_date(self, obj):
        return date_number(obj.clause.document.date)

    def prepared(self, queryset):
        """What ``full_prepare`` gives for each passage of ``queryset``, in its order, made from
        plain column values instead of model instances: a rebuild prepares every passage of the
        library, and haystack's per-field resolution took a third of a parallel rebuild's
        serial part. ``tests/search/test_parallel_rebuild.py`` checks the two agree on every
        passage. A generator: close it to close its database cursor."""
        model = "reader.passage"
        rows = queryset.values_list("pk", "text", "clause__document__slug", "version__slug",
                                    "version__language", "clause__ref", "clause__position",
                                    "clause__document__date", "version__position").iterator(chunk_size=500)
        try:
            for pk, text, document, version, language, ref, position, day, version_position in rows:
                yield {"id": f"{model}.{pk}", "django_ct": model, "django_id": str(pk), "text": text,
                       "chars": chars_of(text), "spell": spell_of(text, language), "document": document,
                       "version": version, "language": language, "ref": ref, "part": part_of(ref),
                       "clause_key": clause_key(document, ref), "position": position,
                       "document_date": date_number(day), "version_position": version_position}
        finally:
            rows.close()


def chars_of(text: str) -> str:
    """The chars field: only a query term with Chinese in it is looked for there, as contiguous
    character tokens, and a text without Chinese cannot hold one, so it is left empty (indexing
    every English passage's words a second time only slowed the build)."""
    return text if has_chinese(text) else ""


def spell_of(text: str, language: str) -> str:
    """The spelling field: the words of texts not in Chinese."""
    return "" if language.startswith("zh") else text


def clause_key(document: str, ref: str) -> str:
    return f"{document}/{ref}"


def part_of(ref: str) -> str:
    """The part a clause belongs to ("1", "2", "3"), "0" for the preamble, "matter" otherwise."""
    head = ref.split(".")[0]
    return head if head.isdigit() else "matter"


def date_number(day) -> int:
    """A date as the integer yyyymmdd, which sorts as the date does."""
    return day.year * 10000 + day.month * 100 + day.day
