"""Build tool: solutions/ into exercises/, re-execution, and the "Next" links.

Command line (run from the repository root; every default folder is relative to the current
working directory, not to the package)::

    python -m lessons.build exercises [--check] [--force] [--solutions DIR] [--exercises DIR]
                                      [FILES...]
    python -m lessons.build execute [--exercises] [PATHS...]
    python -m lessons.build links [--check] [DIR...]
    python -m lessons.build normalise [--check] [PATHS...]

``exercises`` turns each ``solutions/NN_x.ipynb`` into ``exercises/NN_x.ipynb``: answers between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` become stubs, ``### BEGIN HIDDEN TESTS`` ...
``### END HIDDEN TESTS`` disappear, outputs are cleared and nbgrader (schema 3) metadata is added.
It never overwrites an exercise notebook holding a learner's work unless given ``--force``;
``--check`` writes nothing and exits 1 when ``exercises/`` is out of date.

``execute`` refreshes the "Next" links, runs each notebook top to bottom in a fresh kernel and
stores the outputs with normalised metadata. ``links`` only refreshes (or checks) the links.
``normalise`` stores the metadata JupyterLab would write on opening (the ``python3`` kernel's
``language_info``) without running anything, so an untouched notebook opens unmodified.

The package, layer by layer (each module imports only public names of the ones above it):

- :mod:`lessons.build.nbfiles`: read, serialise, write atomically, hash, normalise notebooks;
- :mod:`lessons.build.answers`: the learner's part of an exercise notebook, and merging it;
- :mod:`lessons.build.exercises`: solution -> exercise conversion and ``build_exercises``;
- :mod:`lessons.build.links`: the ``**Next:**`` lines;
- :mod:`lessons.build.execute`: run a notebook in a fresh kernel;
- :mod:`lessons.build.cli`: the command line.
"""

from lessons.build.answers import (
    EMPTY_STUB,
    FUNCTION_STUB,
    MARKDOWN_STUB,
    VALUE_STUB_COMMENT,
    added_cells,
    course_view,
    edited_course_cells,
    is_answer_cell,
    is_blank_answer,
    learner_work,
    merge_answers,
    nbgrader_of,
    saved_answers,
)
from lessons.build.cli import main
from lessons.build.execute import CELL_TIMEOUT_SECONDS, execute_notebook, kernel_language_info
from lessons.build.exercises import (
    EXERCISE_ONLY_TAG,
    SOLUTION_ONLY_TAG,
    build_exercises,
    exercise_text,
    make_exercise,
    nbgrader_source,
    validate_solution,
)
from lessons.build.links import LAST_NEXT_LINE, notebook_title, numbered_notebooks, refresh_links
from lessons.build.nbfiles import (
    BACKUP_DIR,
    BEGIN_HIDDEN_TESTS,
    BEGIN_SOLUTION,
    DROPPED_CELL_METADATA,
    END_HIDDEN_TESTS,
    END_SOLUTION,
    KERNELSPEC,
    MARKERS,
    BuildError,
    backup_files,
    cell_source,
    cell_tags,
    clean_temporary_files,
    describe_cell,
    language_info,
    normalise,
    notebook_text,
    read_notebook,
    source_hash,
    write_atomic,
)

__all__ = [
    "BEGIN_HIDDEN_TESTS", "BEGIN_SOLUTION", "CELL_TIMEOUT_SECONDS", "DROPPED_CELL_METADATA",
    "EMPTY_STUB", "END_HIDDEN_TESTS", "END_SOLUTION", "EXERCISE_ONLY_TAG", "FUNCTION_STUB",
    "KERNELSPEC", "LAST_NEXT_LINE", "MARKDOWN_STUB", "MARKERS", "SOLUTION_ONLY_TAG",
    "VALUE_STUB_COMMENT", "BuildError", "build_exercises", "cell_source", "cell_tags",
    "describe_cell", "execute_notebook", "exercise_text", "main", "make_exercise",
    "nbgrader_source", "normalise", "notebook_text", "notebook_title", "numbered_notebooks",
    "read_notebook", "refresh_links", "source_hash", "validate_solution",
    "write_atomic", "saved_answers", "nbgrader_of", "course_view", "is_answer_cell",
    "is_blank_answer", "learner_work", "merge_answers", "added_cells",
    "clean_temporary_files", "language_info", "kernel_language_info", "BACKUP_DIR",
    "backup_files", "edited_course_cells",
]
