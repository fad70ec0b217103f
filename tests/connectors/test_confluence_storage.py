"""Storage format (XHTML + ac:/ri: tags) to readable text."""

from __future__ import annotations

import pytest

from connectors.confluence import storage_to_text


def test_code_keeps_cdata_verbatim_even_with_markup_characters() -> None:
    body = (
        '<ac:structured-macro ac:name="code"><ac:parameter ac:name="language">python</ac:parameter>'
        "<ac:plain-text-body><![CDATA[if a > b and c < d:\n    print('&lt;ok&gt;')]]>"
        "</ac:plain-text-body></ac:structured-macro>"
    )
    assert storage_to_text(body) == "```python\nif a > b and c < d:\n    print('&lt;ok&gt;')\n```"


def test_noformat_is_code_without_language() -> None:
    body = (
        '<ac:structured-macro ac:name="noformat">'
        "<ac:plain-text-body><![CDATA[$ make]]></ac:plain-text-body></ac:structured-macro>"
    )
    assert storage_to_text(body) == "```\n$ make\n```"


def test_other_macros_drop_parameters_and_plain_bodies_but_keep_rich_text() -> None:
    body = (
        '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter>'
        "<ac:rich-text-body><p>Hidden detail.</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="html"><ac:plain-text-body><![CDATA[<b>raw</b>]]>'
        "</ac:plain-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">GO</ac:parameter>'
        "</ac:structured-macro>"
    )
    assert storage_to_text(body) == "Hidden detail."


def test_inline_details() -> None:
    body = (
        '<p>Hi <ac:link><ri:user ri:account-id="5b10" /></ac:link>, see '
        '<a href="https://ops.example/dash">the dashboard</a> <ac:emoticon ac:name="smile" />'
        '<a href="https://ops.example/raw">https://ops.example/raw</a> '
        '<ac:image><ri:attachment ri:filename="arch.png" /></ac:image>'
        '<ac:link><ri:attachment ri:filename="plan.pdf" /></ac:link>.</p>'
        "<blockquote><p>Quoted</p></blockquote><hr /><pre>  keep   spacing</pre>"
    )
    assert storage_to_text(body) == (
        "Hi , see the dashboard (https://ops.example/dash) https://ops.example/raw plan.pdf.\n"
        "\n"
        "> Quoted\n"
        "\n"
        "---\n"
        "\n"
        "```\n"
        "  keep   spacing\n"
        "```"
    )


def test_table_cells_flatten_blocks_and_escape_pipes() -> None:
    body = (
        "<table><tbody><tr><td><ul><li>a</li><li>b</li></ul></td><td>x | y<br />z</td></tr>"
        "</tbody></table>"
    )
    assert storage_to_text(body) == "| a b | x \\| y z |"


def test_list_item_with_two_paragraphs_stays_under_its_bullet() -> None:
    body = "<ul><li><p>first</p><p>second</p></li><li><p>next</p></li></ul><p>after</p>"
    assert storage_to_text(body) == "- first\n  second\n- next\n\nafter"


@pytest.mark.parametrize("body", ["", "   ", "<p></p>", "<!-- note -->"])
def test_nothing_is_empty(body: str) -> None:
    assert storage_to_text(body) == ""
