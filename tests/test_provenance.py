"""Which package modules a rule script runs: the code hash that reruns its jobs when one of them changes."""

from pancan.provenance import PACKAGE, module_files


def test_a_module_reached_through_a_packages_lazy_exports_is_in_the_scripts_code(tmp_path):
    """`from pancan.representations import align_to_network` runs representations/alignment.py, which the
    package's __init__ names in a string (its lazy exports), not in an import statement."""
    script = tmp_path / "rule_script.py"
    script.write_text("from pancan.representations import align_to_network\n")
    files = set(module_files(script))
    assert PACKAGE / "representations" / "alignment.py" in files
    assert PACKAGE / "networks" / "adjacency.py" in files  # exported by representations, defined in networks
    assert PACKAGE / "models" / "survival_svm.py" not in files  # not exported there, not imported by it


def test_a_lazy_import_inside_a_function_is_in_the_scripts_code(tmp_path):
    script = tmp_path / "rule_script.py"
    script.write_text("def draw():\n    from pancan.figures.burden import burden_figure\n")
    assert PACKAGE / "figures" / "burden.py" in set(module_files(script))
