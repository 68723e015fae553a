"""Architecture presets (Hugging Face config keys). mobilebert is google/mobilebert-uncased."""
BERT = dict(model_type="bert", hidden_act="gelu", normalization_type="layer_norm")
PRESETS = {
    "bert-tiny": dict(BERT, hidden_size=128, num_hidden_layers=2, num_attention_heads=2, intermediate_size=512),
    "bert-mini": dict(BERT, hidden_size=256, num_hidden_layers=4, num_attention_heads=4, intermediate_size=1024),
    "bert-small": dict(BERT, hidden_size=512, num_hidden_layers=4, num_attention_heads=8, intermediate_size=2048),
    "bert-base": dict(BERT, hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
    "bert-large": dict(BERT, hidden_size=1024, num_hidden_layers=24, num_attention_heads=16, intermediate_size=4096),
    "mobilebert": dict(model_type="mobilebert", hidden_act="relu", hidden_size=512, num_hidden_layers=24,
                       num_attention_heads=4, intermediate_size=512, embedding_size=128, intra_bottleneck_size=128,
                       num_feedforward_networks=4, normalization_type="no_norm", hidden_dropout_prob=0.0,
                       classifier_activation=False),
    # A reduced MobileBERT that trains in reasonable time on a 2-core CPU: same block structure, fewer/narrower layers.
    "mobilebert-tiny": dict(model_type="mobilebert", hidden_act="relu", hidden_size=256, num_hidden_layers=6,
                            num_attention_heads=4, intermediate_size=256, embedding_size=64, intra_bottleneck_size=64,
                            num_feedforward_networks=2, normalization_type="no_norm", hidden_dropout_prob=0.0,
                            classifier_activation=False),
}
