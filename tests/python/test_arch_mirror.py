"""The Python reference describes the architecture as src/format/arch.cc does: the same tensors, roles and layers,
and so the same weight format per quantization mode (python/flatbert_py/quant.py mirrors convert/quantize.cc).
The C++ table is read from `flatbert inspect --json` ($FLATBERT_RUN) on every golden model."""
import json
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
from flatbert_py import quant  # noqa: E402
from flatbert_py.model import Config, ForSequenceClassification  # noqa: E402

GOLDEN = os.path.join(os.path.dirname(__file__), "..", "golden")
FLATBERT = os.environ.get("FLATBERT_RUN")
STORED = {"F32": "fp32", "F16": "fp16", "I8": "int8", "I4": "int4"}

pytestmark = pytest.mark.skipif(not FLATBERT, reason="FLATBERT_RUN (the flatbert binary) is not set; ctest sets it")


def converted(model, mode, tmp_path):
    out = tmp_path / f"{model}.{mode}.fbm"
    subprocess.run([FLATBERT, "convert", os.path.join(GOLDEN, model), "-o", str(out), "-q", mode], check=True,
                   capture_output=True)
    return json.loads(subprocess.run([FLATBERT, "inspect", "--json", str(out)], check=True, capture_output=True,
                                     text=True).stdout)


@pytest.mark.parametrize("model", sorted(os.listdir(GOLDEN)))
@pytest.mark.parametrize("mode", ["mixed", "int4", "int8-dynamic"])
def test_python_tensors_roles_and_formats_match_the_cpp_table(model, mode, tmp_path):
    info = converted(model, mode, tmp_path)
    with open(os.path.join(GOLDEN, model, "config.json")) as f:
        config = Config.from_dict(json.load(f))
    reference = ForSequenceClassification(config)
    python_names = set(reference.state_dict())
    if not reference.base.embeddings.transform:  # built, as Hugging Face builds it, and never applied
        python_names -= {f"{reference.base_name}.embeddings.embedding_transformation.{p}" for p in ("weight", "bias")}
    assert {t["name"] for t in info["tensors"]} == python_names
    for t in info["tensors"]:
        name = t["name"]
        assert quant.role_of(name) == t["role"], name
        assert quant.layer_of(name) == t["layer"], name
        if t["role"] in ("linear", "head", "lookup"):
            shape = [int(d) for d in t["shape"].split("x")]
            assert quant.stored_type(name, shape, mode, config.num_hidden_layers) == STORED[t["dtype"]], name
        else:
            assert t["dtype"] == "F32", name
