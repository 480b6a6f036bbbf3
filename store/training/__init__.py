"""Training: fine-tune a spaCy NER on the corrections, keep the trained models, choose one by name."""

from __future__ import annotations

from .registry import TrainedModel, TrainingError, extractor_for, in_use, models_dir, trained

__all__ = ["TrainedModel", "TrainingError", "extractor_for", "in_use", "models_dir", "trained"]
