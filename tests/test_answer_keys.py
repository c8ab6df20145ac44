"""Every answer key accepts its own answers and tells each listed mistake apart from them."""

import importlib
from pathlib import Path

import pytest

from lessons import checks

KEY_MODULES = sorted(
    path.stem for path in (Path(checks.__file__).parents[1] / "keys").glob("nb[0-9][0-9].py")
)


def test_every_notebook_has_an_answer_key():
    solutions = Path(checks.__file__).parents[2] / "solutions"
    numbers = sorted(path.name[:2] for path in solutions.glob("[0-9][0-9]_*.ipynb"))
    assert [name[2:] for name in KEY_MODULES] == numbers


@pytest.mark.parametrize("module_name", KEY_MODULES)
def test_answer_key_accepts_its_answers_and_names_its_mistakes(module_name):
    module = importlib.import_module(f"lessons.keys.{module_name}")
    assert module.EXERCISES
    for key, spec in module.EXERCISES.items():
        assert key.startswith(module_name[2:] + "."), key
        if isinstance(spec, (checks.Number, checks.Slider, checks.Expression)):
            assert checks.feedback(spec, spec.expected).correct, key
            for mistake, message in spec.mistakes:
                verdict = checks.feedback(spec, mistake)
                assert verdict.status == "incorrect" and verdict.message == message, (key, mistake)
        elif isinstance(spec, checks.Choice):
            for option in spec.options:
                assert checks.feedback(spec, option).correct == (option in spec.correct), key
        elif isinstance(spec, checks.Function):
            assert checks.feedback(spec, spec.reference).correct, key
        else:
            pytest.fail(f"{key}: unknown exercise kind {type(spec).__name__}")


def test_importing_a_key_or_a_blank_check_imports_no_sympy():
    """SymPy (about half a second) waits until a formula answer is judged (checks.Expression)."""
    import subprocess
    import sys

    code = (
        "import importlib, sys\n"
        "from lessons import checks\n"
        f"for name in {KEY_MODULES!r}:\n"
        "    module = importlib.import_module('lessons.keys.' + name)\n"
        "    for key in module.EXERCISES:\n"
        "        assert checks.feedback(key, ...).status == 'unanswered', key\n"
        "        checks.view(key, ...)\n"
        "assert 'sympy' not in sys.modules, 'a key or a blank check imported sympy'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(checks.__file__).parents[2])


def test_every_formula_key_builds_its_formulas_when_judged():
    for module_name in KEY_MODULES:
        module = importlib.import_module(f"lessons.keys.{module_name}")
        for key, spec in module.EXERCISES.items():
            if isinstance(spec, checks.Expression):
                assert spec.symbols and spec.expected.free_symbols <= set(spec.symbols.values())
                assert all(message for _, message in spec.mistakes), key


def test_formula_keys_keep_every_hint_in_order():
    from lessons import keys

    spec = keys.formula("2*e", "e", [("e", "Half of it.")], "First hint.", "Second hint.")
    assert tuple(spec.hints) == ("First hint.", "Second hint.")
    for module_name in KEY_MODULES:
        module = importlib.import_module(f"lessons.keys.{module_name}")
        for key, spec in module.EXERCISES.items():
            if isinstance(spec, checks.Expression):  # each gives a nudge, then the form to write
                assert len(spec.hints) == 2 and all(hint.strip() for hint in spec.hints), key
