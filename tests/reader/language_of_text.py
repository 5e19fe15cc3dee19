"""The language a screen reader (and the font) gives each piece of text on a page: every text node
and every read attribute, with the effective language of the element that holds it (its own
``lang`` or its nearest ancestor's). Python's html.parser only, so no parser to install.

A text is *Chinese* if it holds a Han character; it is *English* if it holds an English word: a
Latin word of two letters or more with a lower-case letter in it ("notes", "Part", "converted").
Capitals alone (GDP, CPI, PPP, "A", "S") and refs, codes and numbers ("2.1.3", "s2", "1.4", "5G")
are left out, because the Chinese texts quote such acronyms and figures as part of their own
sentences. An address (http://…) is a code, in no language. Text whose language is Chinese written in Latin script (``zh-Latn``, pinyin) is Chinese
in Latin letters, not English.
"""
import re
from dataclasses import dataclass
from html.parser import HTMLParser

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
URL = re.compile(r"\bhttps?://\S+")
ENGLISH_WORD = re.compile(r"(?<![A-Za-z0-9])(?=[A-Za-z]*[a-z])[A-Za-z]{2,}(?![A-Za-z0-9])")
# Attributes that are read out or shown (data-label is drawn by CSS as a pane's caption).
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt", "data-label", "aria-description")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
UNREAD = {"script", "style", "template"}


@dataclass(frozen=True)
class Text:
    where: str      # "text" or the attribute's name
    lang: str       # effective language, lower case
    text: str
    path: str       # the element holding it, e.g. "div.cell > details.notes > summary"

    def __str__(self):
        return f"{self.where} under lang={self.lang!r} at {self.path}: {self.text.strip()[:90]!r}"


class _Walker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []     # (tag, lang, label)
        self.texts = []
        self.in_body = False

    def _lang(self):
        for _tag, lang, _label in reversed(self.stack):
            if lang is not None:
                return lang.lower()
        return ""

    def _path(self):
        return " > ".join(label for _t, _l, label in self.stack[-4:])

    def _unread(self):
        return any(tag in UNREAD for tag, _l, _label in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self.in_body = True
        classes = (attrs.get("class") or "").split()
        label = tag + "".join("." + c for c in classes[:2]) + (f"#{attrs['id']}" if attrs.get("id") else "")
        self.stack.append((tag, attrs.get("lang"), label))
        if self.in_body and not self._unread():
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.texts.append(Text(name, self._lang(), attrs[name], self._path()))
        if tag in VOID:
            self.stack.pop()

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if self.in_body and data.strip() and not self._unread():
            self.texts.append(Text("text", self._lang(), data, self._path()))


def texts_of(html: str) -> list[Text]:
    """Every text node and read attribute of the page's body, with its effective language."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return walker.texts


def is_english_lang(lang: str) -> bool:
    return lang == "en" or lang.startswith("en-")


def is_chinese_lang(lang: str) -> bool:
    return lang == "zh" or lang.startswith("zh-")


def is_latin_chinese(lang: str) -> bool:
    """Chinese written in Latin letters (pinyin: zh-Latn, zh-Latn-pinyin)."""
    return lang.startswith("zh-latn")


def chinese_under_english(html: str) -> list[Text]:
    return [t for t in texts_of(html) if is_english_lang(t.lang) and HAN.search(t.text)]


def english_under_chinese(html: str) -> list[Text]:
    return [t for t in texts_of(html)
            if is_chinese_lang(t.lang) and not is_latin_chinese(t.lang)
            and ENGLISH_WORD.search(URL.sub("", t.text))]


def misplaced(html: str) -> list[Text]:
    """Every text whose language is wrong: Chinese under English, English under Chinese, and
    text with no language at all."""
    texts = texts_of(html)
    return ([t for t in texts if not t.lang]
            + chinese_under_english(html) + english_under_chinese(html))
