#!/usr/bin/python3
"""A full-size architecture with random weights as an .fbm, for profiling and benchmarks.

  /usr/bin/python3 bench/preset_model.py PRESET OUT.fbm [QUANT]   (PRESET: python/flatbert_py/presets.py, e.g.
                                                                  mobilebert; QUANT: a convert --quant mode,
                                                                  int8-dynamic by default)
"""
import os
import sys
import tempfile

from common import FLATBERT, run, save_preset


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    preset, out = sys.argv[1], sys.argv[2]
    hf_dir = os.path.join(tempfile.mkdtemp(prefix="flatbert_preset_"), preset)
    save_preset(preset, hf_dir)
    run([FLATBERT, "convert", hf_dir, "-o", out, "-q", sys.argv[3] if len(sys.argv) == 4 else "int8-dynamic"])


if __name__ == "__main__":
    main()
