"""Training the NLU model into models/, skipped when data and config are unchanged.

The model file is named after a fingerprint of config.yml, every file under nlu/data and the
sentence encoder whose vectors the model learns from (`nlu.e5.ENCODER`), so `brukarrost train`
knows without loading anything whether the model is current.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from nlu.e5 import ENCODER

log = logging.getLogger(__name__)

PREFIX = "nlu-"
SUFFIX = ".tar.gz"


def fingerprint(config: Path, data_dir: Path) -> str:
    digest = hashlib.sha256(config.read_bytes())
    digest.update(ENCODER.encode())
    for path in sorted(data_dir.rglob("*.yml")):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, config: Path, data_dir: Path) -> Path:
    return models_dir / f"{PREFIX}{fingerprint(config, data_dir)}{SUFFIX}"


def current_model(models_dir: Path, config: Path, data_dir: Path) -> Path | None:
    """The model trained on exactly this data and config, if there is one."""
    path = model_path(models_dir, config, data_dir)
    return path if path.exists() else None


def train(models_dir: Path, config: Path, data_dir: Path, force: bool = False) -> tuple[Path, bool]:
    """Train unless current; returns (model path, whether it trained)."""
    target = model_path(models_dir, config, data_dir)
    if target.exists() and not force:
        return target, False
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from rasa.model_training import train_nlu  # heavy import
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)

    models_dir.mkdir(parents=True, exist_ok=True)
    result = train_nlu(
        config=str(config),
        nlu_data=str(data_dir),
        output=str(models_dir),
        fixed_model_name=target.name[: -len(SUFFIX)],
    )
    if not result:
        raise RuntimeError("Rasa did not produce a model; see the messages above")
    for old in models_dir.glob(f"{PREFIX}*{SUFFIX}"):
        if old != target:
            old.unlink()
    return target, True
