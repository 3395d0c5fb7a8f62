"""The README's examples run: its ``pycon`` blocks are doctests."""

from __future__ import annotations

import doctest
import re

from pipeline.config import ROOT

README = ROOT / "README.md"


def test_readme_examples_run() -> None:
    blocks = re.findall(r"```pycon\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    assert blocks, "the README has no pycon examples"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    test = parser.get_doctest("\n".join(blocks), {}, "README.md", str(README), 0)
    assert test.examples
    runner.run(test)
    assert runner.failures == 0, f"{runner.failures} README example(s) failed; run pytest -s to see them"
