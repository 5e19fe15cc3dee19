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
        # Only a query term with Chinese in it is looked for in this field, as contiguous
        # character tokens, and a text without Chinese cannot hold one: indexing its words
        # here too (every English passage, a second time) would only slow the build.
        return obj.text if has_chinese(obj.text) else ""

    def prepare_spell(self, obj):
        return obj.text if not obj.version.is_chinese else ""

    def prepare_part(self, obj):
        return part_of(obj.clause.ref)

    def prepare_clause_key(self, obj):
        return f"{obj.clause.document.slug}/{obj.clause.ref}"

    def prepare_document_date(self, obj):
        return date_number(obj.clause.document.date)


def part_of(ref: str) -> str:
    """The part a clause belongs to ("1", "2", "3"), "0" for the preamble, "matter" otherwise."""
    head = ref.split(".")[0]
    return head if head.isdigit() else "matter"


def date_number(day) -> int:
    """A date as the integer yyyymmdd, which sorts as the date does."""
    return day.year * 10000 + day.month * 100 + day.day
