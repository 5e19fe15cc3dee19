"""The import form: two plain-text files and the manifest's fields, checked before anything is
staged (size, kind of file, slug); what only the parser can tell (encoding, language, structure)
comes back as a ``SourceError`` and is put on the field of the file at fault."""
from __future__ import annotations

from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from reader.sources.base import SourceError
from reader.sources.corpus import GENRES, MANIFEST, RESERVED_SLUGS, SLUG

from .staging import Upload

# Signatures of the files editors upload by mistake instead of plain text.
BINARY_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a Word document (.docx) or another ZIP archive"),
    (b"\xd0\xcf\x11\xe0", "a Word 97–2003 document (.doc)"),
    (b"{\\rtf", "an RTF document"),
]
# Content types a browser gives plain text (or gives when it does not know).
TEXT_TYPES = ("text/", "application/octet-stream", "application/x-empty")
# An <option> holds one language: the scripts are named in English.
SCRIPTS = [("zh-Hans", "Simplified characters"), ("zh-Hant", "Traditional characters")]
SCRIPT_VERSIONS = {
    "zh-Hans": {"slug": "zh-hans", "language": "zh-Hans", "label": "简体中文"},
    "zh-Hant": {"slug": "zh-hant", "language": "zh-Hant", "label": "繁體中文"},
}
TRANSLATION = {"slug": "en", "language": "en"}
# The form's file fields and the names their files are stored under in the document's folder.
FILES = {"chinese": "zh.txt", "english": "en.txt"}
TEXT_HELP = "A plain-text file (.txt) in UTF-8, one paragraph a line or paragraphs separated by blank lines."


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class ImportForm(forms.Form):
    chinese = forms.FileField(label="Chinese original", help_text=TEXT_HELP,
                              widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}))
    chinese_script = forms.ChoiceField(label="Written in", choices=SCRIPTS, initial="zh-Hans")
    english = forms.FileField(label="English translation", help_text=TEXT_HELP,
                              widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}))
    english_label = forms.CharField(label="Label of the English version", max_length=100,
                                    initial="English",
                                    help_text="Shown above the English pane, e.g. “English (Xinhua)”.")
    slug = forms.CharField(
        label="Slug", max_length=50,
        help_text="The document’s address: /slug/. Lower-case letters, digits and hyphens, e.g. "
                  "gwr-2021. An existing slug replaces that document’s text.")
    issuer = forms.CharField(label="Issuer", max_length=200, initial="国务院")
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}),
                           help_text="YYYY-MM-DD, the date the document was issued or delivered.")
    number = forms.CharField(label="Document number", max_length=100, required=False,
                             help_text='Optional, e.g. <span lang="zh-Hans">国发〔2015〕40号</span>.')  # HTML, not escaped
    title = forms.CharField(label="Title", max_length=500, required=False,
                            help_text="Optional: by default the title is read from the text.")
    genre = forms.ChoiceField(label="Genre", required=False,
                              choices=[("", "From the title")] + [(g, g) for g in GENRES])

    def clean_chinese(self):
        return self._text_file("chinese")

    def clean_english(self):
        return self._text_file("english")

    def _text_file(self, field: str):
        upload = self.cleaned_data[field]
        name = PurePath(upload.name).name
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(f"{name} is {size_text(upload.size)}; a source file may be at "
                                  f"most {size_text(limit)}.")
        head = upload.read(16)
        upload.seek(0)
        for signature, what in BINARY_SIGNATURES:
            if head.startswith(signature):
                raise ValidationError(f"{name} is {what}, not a plain-text file. Save the text as "
                                      f".txt (UTF-8) and upload that.")
        content_type = (upload.content_type or "").lower()
        if content_type and not content_type.startswith(TEXT_TYPES):
            raise ValidationError(f"{name} was sent as {content_type[:60]}, not as plain text. "
                                  f"Save the text as .txt (UTF-8) and upload that.")
        return upload

    def clean_slug(self):
        slug = self.cleaned_data["slug"].strip()
        if not SLUG.match(slug):
            raise ValidationError("Use lower-case letters, digits and hyphens (not at either end), "
                                  "e.g. gwr-2021.")
        if slug in RESERVED_SLUGS:
            raise ValidationError(f"“{slug}” is one of the site’s own addresses; choose another.")
        return slug

    def document(self) -> dict:
        """The [document] table of the manifest."""
        data = self.cleaned_data
        return {key: data[key] for key in ("slug", "number", "issuer", "date", "title", "genre")
                if data.get(key)}

    def versions(self) -> list[dict]:
        """The [[versions]] tables: the Chinese original (the base) and the English translation."""
        original = {**SCRIPT_VERSIONS[self.cleaned_data["chinese_script"]],
                    "kind": "original", "base": True}
        english = {**TRANSLATION, "label": self.cleaned_data["english_label"].strip(),
                   "kind": "translation"}
        return [original, english]

    def uploads(self) -> list[Upload]:
        """The two files as uploaded, byte for byte, with the versions they feed."""
        original, english = self.versions()
        out = []
        for field, version in (("chinese", original), ("english", english)):
            upload = self.cleaned_data[field]
            upload.seek(0)
            out.append(Upload(FILES[field], PurePath(upload.name).name, upload.read(),
                              version["language"], version["slug"]))
        return out

    def add_source_error(self, exc: SourceError) -> None:
        """Put a parser's error on the file it names (or on the form, for the manifest)."""
        field = {name: field for field, name in FILES.items()}.get(exc.filename)
        if field is None or exc.filename == MANIFEST:
            self.add_error(None, f"The document details: {exc.message}")
            return
        name = PurePath(self.cleaned_data[field].name).name
        where = f"{name}, line {exc.line}" if exc.line else name
        self.add_error(field, f"{where}: {exc.message}")
