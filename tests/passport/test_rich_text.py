"""Program texts in Markdown, rendered safely (passport.rich_text, issue #16)."""

from __future__ import annotations

import pytest

from passport.rich_text import markdown


def test_emphasis_and_lists_become_html() -> None:
    html = str(markdown("Pass with **70%** or more:\n\n- a lab test\n- a written test"))
    assert "<strong>70%</strong>" in html
    assert "<li>a lab test</li>" in html


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ('<script>alert("x")</script>', "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript:'),
        ("![tracker](https://tracker.example/p.png)", "<img"),
        ("# A heading that would break the page's outline", "<h1"),
    ],
)
def test_raw_html_unsafe_links_images_and_headings_are_not_rendered(
    text: str, forbidden: str
) -> None:
    assert forbidden not in str(markdown(text))


def test_no_text_is_an_empty_string() -> None:
    assert str(markdown(None)) == ""
