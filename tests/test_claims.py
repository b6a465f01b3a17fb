"""The claim table (notebooks/CLAIMS.md) and the notebooks keep each other honest.

Every row names a claim id and a notebook; that notebook must have a code cell marked
``# claim: <id>`` holding an ``assert`` (the test command runs it). Every marked cell must be in
the table. Every exercise in the table must be in its notebook with an empty answer cell, a
checker cell and a collapsed worked solution that asserts the checker's verdict. Every notebook
has at least one exercise. Notebooks beyond chapter 2 (07 onwards) have their rows
in the table's "Beyond chapter 2" section, one table per notebook headed ``### Notebook NN:``,
and every claim there is broken by at least one of the library mutations listed under its table.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TABLE = (NOTEBOOKS / "CLAIMS.md").read_text(encoding="utf-8")
CLAIM_ROW = re.compile(r"^\| `([a-z0-9-]+)` \|.*?\| \[\d\d\]\(([\w.]+\.ipynb)\)", re.M)
EXERCISE_ROW = re.compile(r"^\| (\d+\.\d) [^|]+\| \[\d\d\]\(([\w.]+\.ipynb)\)", re.M)
MARKER = re.compile(r"^# claim: ([a-z0-9-]+)$", re.M)


def cells(notebook: str) -> list[dict]:
    return json.loads((NOTEBOOKS / notebook).read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def has_assert(code: str) -> bool:
    return any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(code)))


def claimed() -> dict[str, list[tuple[str, str]]]:
    """Claim id -> [(notebook, cell source)] for every marked code cell of every notebook."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for cell in cells(path.name):
            if cell["cell_type"] == "code":
                for claim in MARKER.findall(source(cell)):
                    found.setdefault(claim, []).append((path.name, source(cell)))
    return found


ROWS = CLAIM_ROW.findall(TABLE)
EXERCISES = EXERCISE_ROW.findall(TABLE)


def test_the_table_is_complete_and_has_no_duplicates():
    ids = [claim for claim, _ in ROWS]
    assert len(ids) == len(set(ids)) >= 45
    assert sorted(claimed()) == sorted(ids)  # no marked cell missing from the table


@pytest.mark.parametrize(("claim", "notebook"), ROWS)
def test_each_claim_points_to_an_assert_in_its_notebook(claim, notebook):
    places = claimed().get(claim, [])
    assert [name for name, _ in places] == [notebook], f"{claim} is marked in {places}"
    assert has_assert(places[0][1]), f"the cell marked {claim} asserts nothing"


@pytest.mark.parametrize(("number", "notebook"), EXERCISES)
def test_each_exercise_has_an_answer_cell_a_checker_and_a_hidden_solution(number, notebook):
    every = cells(notebook)
    [start] = [i for i, c in enumerate(every)
               if c["cell_type"] == "markdown" and source(c).startswith(f"### Exercise {number}:")]
    answer, checker, _, solution = every[start + 1 : start + 5]
    assert re.search(r"^answer_\w+ = \.\.\.$", source(answer), re.M)
    assert "pg.check_answer(answer_" in source(checker)
    shown = "".join(
        "".join(o.get("data", {}).get("text/plain", "")) for o in checker.get("outputs", [])
    )
    assert shown.startswith("Not answered yet")  # the committed answer cell is empty
    assert solution["metadata"]["jupyter"]["source_hidden"] is True
    assert "assert pg.check_answer(answer_" in source(solution) and has_assert(source(solution))


def notebook_names() -> set[str]:
    return {path.name for path in NOTEBOOKS.glob("*.ipynb")}


def test_every_notebook_has_an_exercise_and_every_one_beyond_chapter_2_claims():
    assert {notebook for _, notebook in EXERCISES} == notebook_names()
    assert {name for name in notebook_names() if name[:2] > "06"} <= {nb for _, nb in ROWS}
    headed = [
        source(c) for path in NOTEBOOKS.glob("*.ipynb") for c in cells(path.name)
        if c["cell_type"] == "markdown" and source(c).startswith("### Exercise ")
    ]
    assert len(headed) == len(EXERCISES)


CHAPTER, BEYOND = TABLE.split("\n## Beyond chapter 2\n")
BEYOND = BEYOND.split("\n## ")[0]
SECTIONS = re.split(r"^### Notebook (\d\d): ", BEYOND, flags=re.M)[1:]


def test_notebooks_beyond_chapter_2_have_their_rows_in_their_own_section():
    chapter_rows = {notebook for _, notebook in CLAIM_ROW.findall(CHAPTER)}
    assert all(name[:2] <= "06" for name in chapter_rows)
    beyond = {name for name in notebook_names() if name[:2] > "06"}
    assert sorted(SECTIONS[::2]) == sorted(name[:2] for name in beyond)
    for number, text in zip(SECTIONS[::2], SECTIONS[1::2], strict=True):
        table = text.split("\nMutations tried")[0]
        assert {notebook[:2] for _, notebook in CLAIM_ROW.findall(table)} == {number}


@pytest.mark.parametrize("number", SECTIONS[::2])
def test_every_claim_beyond_chapter_2_is_broken_by_a_listed_mutation(number):
    text = SECTIONS[SECTIONS.index(number) + 1]
    table, _, tried = text.partition("\nMutations tried")
    ids = {claim for claim, _ in CLAIM_ROW.findall(table)}
    bullets = re.findall(r"^- \*\*(.+?)\*\*.*?: breaks (.*)$", tried, re.M)
    assert bullets, f"notebook {number}: no mutations listed"
    broken = {claim for _, line in bullets for claim in re.findall(r"`([a-z0-9-]+)`", line)}
    assert ids and ids <= broken, f"notebook {number}: no mutation breaks {sorted(ids - broken)}"
