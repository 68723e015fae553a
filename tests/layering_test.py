"""The include graph runs one way (docs/code-layout.md): a file of src/<layer>/ includes only headers of its own
layer or the layers below, include/flatbert/ includes only itself, and tools/ only the public headers and its own.
Reads every #include "..." of the tree; prints each that runs the wrong way and exits 1."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
# What each layer may include, besides itself; "flatbert" is include/flatbert/, the public headers.
ALLOWED = {
    "flatbert": set(),
    "kernels": {"flatbert"},
    "tokenizer": {"flatbert"},
    "format": {"flatbert", "kernels", "tokenizer"},
    "engine": {"flatbert", "kernels", "tokenizer", "format"},
    "convert": {"flatbert", "kernels", "tokenizer", "format", "engine"},
    "api": {"flatbert", "kernels", "tokenizer", "format", "engine", "convert"},
    "tools": {"flatbert"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    rel = path.relative_to(ROOT).parts
    if rel[0] == "include":
        return "flatbert"
    if rel[0] == "tools":
        return "tools"
    return rel[1]  # src/<layer>/...


def main():
    wrong = []
    files = [p for d in ("src", "include", "tools") for p in (ROOT / d).rglob("*") if p.suffix in (".h", ".hpp", ".cc")]
    for path in files:
        layer = layer_of(path)
        for target in INCLUDE.findall(path.read_text(encoding="utf-8")):
            if target == "flatbert_generated.h":
                target = "format/flatbert_generated.h"  # the schema's header, generated at build time
            if "/" not in target:
                if layer == "tools" or (path.parent / target).exists():
                    continue  # a header beside it
                wrong.append(f"{path.relative_to(ROOT)}: includes \"{target}\", which is not beside it")
                continue
            head = target.split("/")[0]
            if head == layer:
                continue
            if head not in ALLOWED[layer]:
                wrong.append(f"{path.relative_to(ROOT)} ({layer}) includes \"{target}\" ({head})")
    for line in wrong:
        print(line)
    print(f"{len(files)} files, {len(wrong)} includes that run the wrong way")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
