"""Prints the fuzz figures (inputs per checker kind, tracebacks, over budget, wrong verdicts)."""


def pytest_terminal_summary(terminalreporter):
    from .test_fuzz import failures, figures

    if not figures:
        return
    write = terminalreporter.write_line
    write("")
    write("fuzz figures per checker kind (inputs / tracebacks / over budget / wrong verdicts /"
          " slowest verdict in CPU / in wall time)")
    total = {"inputs": 0, "tracebacks": 0, "over_budget": 0, "wrong_verdicts": 0}
    for kind in sorted(figures):
        counts = figures[kind]
        write(f"  {kind:<11} {counts['inputs']:>7} {counts['tracebacks']:>4} "
              f"{counts['over_budget']:>4} {counts['wrong_verdicts']:>4} "
              f"{counts['slowest_ms'] / 1000:>7.2f} s {counts['slowest_wall_ms'] / 1000:>7.2f} s")
        for name in total:
            total[name] += counts[name]
    write(f"  {'all':<11} {total['inputs']:>7} {total['tracebacks']:>4} "
          f"{total['over_budget']:>4} {total['wrong_verdicts']:>4}")
    for kind, found in sorted(failures.items()):
        for what, answer, detail in found[:10]:
            write(f"  {kind}: {what}: {answer} -> {detail}")
