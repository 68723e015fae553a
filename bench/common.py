"""What the bench scripts share: the repository's paths, running a command, writing a report into docs/."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLATBERT = os.path.join(ROOT, "build", "flatbert")
sys.path.insert(0, os.path.join(ROOT, "python"))  # flatbert_py


def run(cmd, **kw):
    """Runs `cmd` (echoed on stderr); raises on a non-zero exit; returns its stdout (its stderr is not shown)."""
    print("+", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw).stdout


def write_report(stem, data, lines):
    """docs/<stem>.json holds `data`, docs/<stem>.md the markdown `lines`, which are also printed."""
    with open(os.path.join(ROOT, "docs", stem + ".json"), "w") as f:
        json.dump(data, f, indent=2)
    with open(os.path.join(ROOT, "docs", stem + ".md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
