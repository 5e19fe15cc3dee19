"""The import pages (staff only): upload two files and the document's details, check the
preview, then import or discard. An upload is staged under a token that only the session that
made it may preview, confirm or discard. None of these pages is cached."""
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reader.locks import IngestBusy
from reader.sources.base import SourceError

from . import services, staging
from .forms import ImportForm, size_text

logger = logging.getLogger(__name__)
SESSION_KEY = "library_staged_imports"
REMEMBERED = 20  # tokens a session keeps; older previews are forgotten
GONE = ("This preview is no longer available: it was imported or discarded already, it expired, "
        "or it was made in another session. Upload the files again.")
FAULT = ("The importer failed on these files: a fault on our side, logged for the developers. "
         "Nothing was written.")


@never_cache
@staff_member_required
def upload(request):
    staging.sweep_stale()
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if form.is_bound and form.is_valid():
        try:
            token = services.stage_import(form.uploads(), form.document(), form.versions(),
                                          uploaded_by=request.user.get_username())
        except SourceError as exc:
            form.add_source_error(exc)
        except Exception:  # a fault of the importer's, not of the files: say so, never a 500
            logger.exception("Staging an import of %s failed", form.cleaned_data["slug"])
            form.add_error(None, FAULT)
        else:
            tokens = [t for t in request.session.get(SESSION_KEY, []) if t != token]
            request.session[SESSION_KEY] = (tokens + [token])[-REMEMBERED:]
            return redirect("library:preview", token=token)
    return render(request, "library/upload.html", {
        "form": form, "limit": size_text(settings.IMPORT_MAX_UPLOAD_BYTES)})


@never_cache
@staff_member_required
def preview(request, token):
    folder = _staged(request, token)
    if folder is None:
        return redirect("library:import")
    summary = staging.read_preview(folder)
    return render(request, "library/preview.html", {
        "token": token, "preview": summary, "replacement": services.replacement(summary)})


@never_cache
@staff_member_required
@require_POST
def confirm(request, token):
    folder = _staged(request, token)
    if folder is None:
        return redirect("library:import")
    try:
        imported = services.import_staged(folder)
    except SourceError as exc:
        messages.error(request, f"Not imported: {exc}")
        return redirect("library:preview", token=token)
    except IngestBusy as busy:
        messages.error(request, f"Not imported yet: {busy}. Your preview is kept.")
        return redirect("library:preview", token=token)
    except Exception:  # the ingest is rolled back and the library folder left as it was
        logger.exception("Importing the staged upload %s failed", token)
        messages.error(request, f"Not imported. {FAULT}")
        return redirect("library:preview", token=token)
    _forget(request, token)
    what = ("Imported" if imported.created else "Nothing had changed in" if imported.unchanged
            else "Replaced the text of")
    folder = imported.folder
    if folder.is_relative_to(settings.BASE_DIR):
        folder = folder.relative_to(settings.BASE_DIR)
    messages.success(request, f"{what} {imported.slug}; its files are in {folder}/.")
    return redirect("reader:document", slug=imported.slug)


@never_cache
@staff_member_required
@require_POST
def discard(request, token):
    if token in request.session.get(SESSION_KEY, []):
        _forget(request, token)
        messages.info(request, "Upload discarded; nothing was imported.")
    return redirect("library:import")


def _staged(request, token):
    """The staged folder of ``token`` if this session made it and it is still there."""
    folder = staging.staged_folder(token) if token in request.session.get(SESSION_KEY, []) else None
    if folder is None:
        messages.error(request, GONE)
    return folder


def _forget(request, token) -> None:
    staging.discard(token)
    request.session[SESSION_KEY] = [t for t in request.session.get(SESSION_KEY, []) if t != token]
