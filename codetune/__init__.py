"""codetune: the public code of a niche ecosystem → Hugging Face datasets and fine-tuned code models."""

__version__ = "0.1.0"
