"""A small element tree of an HTML page, for tests that read a report the way a browser shows it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    """One element of a parsed page: its tag, attributes and children (elements and text)."""

    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)

    def text(self) -> str:
        """The text a reader sees, a line break where the markup has ``<br>``."""
        return "".join(
            c if isinstance(c, str) else "\n" if c.tag == "br" else c.text() for c in self.children
        )

    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def descendants(self) -> Iterator[Element]:
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.descendants()

    def all(self, tag: str, cls: str | None = None) -> list[Element]:
        return [e for e in self.descendants() if e.tag == tag and (cls is None or cls in e.classes())]

    def one(self, tag: str, cls: str | None = None) -> Element:
        found = self.all(tag, cls)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls}> where one was expected"
        return found[0]

    def elements(self) -> list[Element]:
        return [c for c in self.children if isinstance(c, Element)]

    def layout(self) -> list[str]:
        """The children in order: an element as ``tag.class.class``, a text as it is."""
        return [c if isinstance(c, str) else ".".join([c.tag, *c.classes()]) for c in self.children]


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self._open = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self._open[-1].children.append(element)
        if tag not in _VOID:
            self._open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        assert self._open[-1].tag == tag, f"</{tag}> closes <{self._open[-1].tag}>"
        self._open.pop()

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


def parse(html: str) -> Element:
    """The element tree of ``html``; an end tag that closes the wrong element fails the test."""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder._open == [builder.root], "elements left open: " + ", ".join(e.tag for e in builder._open)
    return builder.root
