"""Which notebook cells the course site folds, and the script that folds them.

Reading comes first: a cell that only checks (a ``# claim:`` cell, a cell of asserts with no
output, an exercise's checker) and an exercise's worked solution show their outputs but keep
their code behind a button. Each such cell carries the ``hide-input`` tag (myst-nb folds it
on the site), ``jupyter.source_hidden`` (JupyterLab and Notebook 7 fold it too) and the words
of its button (``mystnb.code_prompt_show``). Outputs are not touched, so nbval still passes.

A run stores its widgets' state in the notebook's metadata (``widgets``), and with it there,
nbconvert (and any viewer that follows it) shows an explorer's output as an empty widget that
needs a CDN, not the still picture the output carries beside it. The script moves that state
to pathgrad's own key (:data:`SAVED_STATE`), where viewers leave it alone and the course site
still finds each explorer's saved data.

    .venv/bin/python -m tests.site.folding notebooks/[0-9]*.ipynb
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat

TAG = "hide-input"
#: Where a notebook keeps its widgets' saved state once folded (the site reads it there).
SAVED_STATE = "pathgrad_widget_state"
#: The words on each kind of cell's button: (show, hide).
PROMPTS = {
    "claim": ("Show the check of this claim", "Hide the check"),
    "check": ("Show the check", "Hide the check"),
    "checker": ("Show the exercise's checker", "Hide the checker"),
    "solution": ("Show the worked solution (try first)", "Hide the worked solution"),
}


def kind(cell: dict) -> str | None:
    """``"claim"``, ``"check"``, ``"checker"``, ``"solution"``, or None for a cell left open."""
    if cell["cell_type"] != "code":
        return None
    source = "".join(cell["source"])
    if any(line.startswith("# claim: ") for line in source.splitlines()):
        return "claim"
    if "pg.check_answer(" in source:
        # the worked solution asserts the checker's verdict; the checker shows it
        return "solution" if "assert pg.check_answer(" in source else "checker"
    asserts = any(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(source)))
    return "check" if asserts and not cell.get("outputs") else None


def is_folded(cell: dict) -> bool:
    """The cell carries the tag, Jupyter's fold and its button's words."""
    which = kind(cell)
    if which is None:
        return TAG not in cell["metadata"].get("tags", [])
    show, hide = PROMPTS[which]
    return (
        TAG in cell["metadata"].get("tags", [])
        and cell["metadata"].get("jupyter", {}).get("source_hidden") is True
        and cell["metadata"].get("mystnb") == {"code_prompt_show": show, "code_prompt_hide": hide}
    )


def fold(path: Path) -> int:
    """Fold the cells of one notebook that should be folded and move its widget state aside;
    return how many changes were made."""
    notebook = nbformat.read(path, as_version=4)
    changed = 0
    if "widgets" in notebook.metadata:
        notebook.metadata[SAVED_STATE] = notebook.metadata.pop("widgets")
        changed += 1
    for cell in notebook.cells:
        which = kind(cell)
        if which is None or is_folded(cell):
            continue
        show, hide = PROMPTS[which]
        tags = cell.metadata.setdefault("tags", [])
        if TAG not in tags:
            tags.append(TAG)
        cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        cell.metadata["mystnb"] = {"code_prompt_show": show, "code_prompt_hide": hide}
        changed += 1
    if changed:
        nbformat.write(notebook, path)
    return changed


def main(paths: list[str]) -> int:
    for name in paths:
        print(f"{name}: {fold(Path(name))} changes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
