#!/usr/bin/python3
"""Re-saves a Hugging Face checkpoint's pytorch_model.bin as model.safetensors (what `flatbert convert` reads),
renaming legacy LayerNorm gamma/beta to weight/bias. The pickle is read for tensors and containers only
(torch.load's weights_only): one that would call anything else, and so run code as it loads, is refused.

  /usr/bin/python3 python/hf_to_safetensors.py path/to/checkpoint
"""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from flatbert_py import hf_io  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    try:
        state = hf_io.load_state_dict(directory)
    except (OSError, ValueError) as e:
        sys.exit(f"hf_to_safetensors: {e}")
    hf_io.write_safetensors(os.path.join(directory, "model.safetensors"), state)
    print(f"wrote {os.path.join(directory, 'model.safetensors')}: {len(state)} tensors")


if __name__ == "__main__":
    main()
