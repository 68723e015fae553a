"""Python side of flatbert: the PyTorch reference model, tokenizer, tweet normalizer and file formats."""
