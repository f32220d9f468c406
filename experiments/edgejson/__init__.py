"""The EdgeJSON benchmark harness: data loading, JSON extraction, metrics, batched
generation, LoRA fine-tuning and the metrics JSON that the paper renders."""
