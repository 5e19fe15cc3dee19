"""System checks of the search index: ``manage.py check --database default``.

The index is stored data, like the database, so it is checked only when Django is asked to
look at stored data (``databases``: ``check --database default``, and before ``migrate``, so
``make setup`` shows it), never by the configuration checks alone (``check``, ``check
--deploy``, ``runserver``), whose answer must not depend on what a machine's ``var/`` holds.
Reported: a live generation that cannot answer (and what searches fall back to, if anything),
documents indexed from another import than the database holds or not at all, and documents
indexed but no longer in the database. Warnings, never errors: an error would stop ``ingest``
and ``build_search_index``, the commands that repair the index.
"""
from django.core.checks import Warning, register
from django.db import DatabaseError

from . import services

HINT = "Run `manage.py build_search_index --if-stale` (or `manage.py ingest`) to bring it up to date."


@register("search")
def search_index_check(app_configs=None, databases=None, **kwargs):
    if not databases or "default" not in databases:
        return []
    try:
        revisions = services.document_revisions()
    except DatabaseError:  # not migrated yet: nothing is expected of the index
        return []
    backend = services.backend()
    health = backend.health()
    where = str(backend.root)
    if health.problem and health.answering:
        messages = [Warning(f"The search index's live generation cannot answer: {health.problem}. "
                            f"Searches answer from {health.answering} instead.",
                            hint=HINT, obj=where, id="search.W002")]
    elif health.problem and (revisions or health.live is not None or backend.generations()):
        return [Warning(f"The search index cannot answer: {health.problem}, and no earlier "
                        f"generation can. Searches say it is unavailable and start a rebuild.",
                        hint=HINT, obj=where, id="search.W003")]
    else:
        messages = []
    out_of_date, removed = services.compare(health.manifest, revisions)
    if out_of_date:
        messages.append(Warning(f"The search index is out of date for {', '.join(out_of_date)}: "
                                f"indexed from another import than the database holds, or not at all.",
                                hint=HINT, obj=health.answering, id="search.W001"))
    if removed:
        messages.append(Warning(f"The search index still holds {', '.join(removed)}, no longer in "
                                f"the database.", hint=HINT, obj=health.answering, id="search.W001"))
    return messages
