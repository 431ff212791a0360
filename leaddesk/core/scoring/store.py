"""Versions of the scoring model in ``scoring_models``: drafts, one active, archived ones.

Every version is kept, so any archived model can be reactivated and two versions compared.
Until a model is stored, the built-in default is the active one; it is stored and activated
the first time something writes with it (a rescore stamping its id, an activation), so that
reading the active model never writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from leaddesk.core.db import Database
from leaddesk.core.errors import BadFileError, InvalidInputError, NotFoundError
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import Job
from leaddesk.core.schema import ScoringModelRecord, utcnow
from leaddesk.core.scoring.model import ScoringModel, check, default_model
from leaddesk.core.scoring.sql import RescoreResult, rescore_steps

models = ScoringModelRecord.__table__  # type: ignore[attr-defined]

STATES = ("draft", "active", "archived")


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One stored version, without its rules (for lists and pickers)."""

    id: int
    name: str
    state: str
    created_at: datetime
    activated_at: datetime | None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
            "activated_at": self.activated_at.isoformat() if self.activated_at else None,
        }


def active_model(conn: Connection) -> tuple[int | None, ScoringModel]:
    """The active model and its id, writing nothing (safe inside ``db.read()``).

    The id is None while no model is stored yet: the built-in default is then the active
    one. Code that needs an id to stamp on leads calls ``ensure_active_model`` instead.
    """
    row = conn.execute(
        sa.select(models.c.id, models.c.definition).where(models.c.state == "active")
    ).first()
    if row is None:
        return None, default_model()
    return int(row.id), ScoringModel.from_dict(row.definition)


def ensure_active_model(conn: Connection) -> int:
    """The active model's id, storing and activating the default model if none is stored.

    Only write paths call this (rescoring, activating another version), so the default is
    kept as a version of its own once leads carry its id or a newer version replaces it.
    """
    model_id, model = active_model(conn)
    if model_id is None:
        model_id = save_model(conn, model, state="active")
    return model_id


def get_model(conn: Connection, model_id: int) -> ScoringModel:
    """A stored version by id; NotFoundError if there is none."""
    definition = conn.execute(
        sa.select(models.c.definition).where(models.c.id == model_id)
    ).scalar()
    if definition is None:
        raise NotFoundError(
            f"There is no scoring model with id {model_id}. See the list with `model list`."
        )
    return ScoringModel.from_dict(definition)


def list_models(conn: Connection) -> list[ModelInfo]:
    """Every stored version, newest first."""
    rows = conn.execute(
        sa.select(
            models.c.id, models.c.name, models.c.state, models.c.created_at, models.c.activated_at
        ).order_by(models.c.id.desc())
    ).all()
    return [ModelInfo(r.id, r.name, r.state, r.created_at, r.activated_at) for r in rows]


def save_model(conn: Connection, model: ScoringModel, state: str = "draft") -> int:
    """Store ``model`` as a new version and return its id.

    Saving as ``active`` archives the previous active version but does not rescore; use
    ``activate_model`` for that.
    """
    if state not in STATES:
        raise ValueError(f"unknown model state {state!r}")
    check(model, load_registry(conn))
    now = utcnow()
    if state == "active":
        _archive_active(conn)
    values = {
        "name": model.name,
        "state": state,
        "definition": model.to_dict(),
        "created_at": now,
        "activated_at": now if state == "active" else None,
    }
    return int(conn.execute(models.insert().values(values).returning(models.c.id)).scalar_one())


def update_draft(conn: Connection, model_id: int, model: ScoringModel) -> None:
    """Replace a draft's rules (the editor saves as the user works); active ones are frozen."""
    check(model, load_registry(conn))
    done = conn.execute(
        models.update()
        .where(models.c.id == model_id, models.c.state == "draft")
        .values(name=model.name, definition=model.to_dict())
    ).rowcount
    if not done:
        raise InvalidInputError(
            "Only drafts can be edited. Save your changes as a new draft instead."
        )


def _archive_active(conn: Connection) -> None:
    conn.execute(models.update().where(models.c.state == "active").values(state="archived"))


def activate_model(db: Database, model_id: int) -> Job[RescoreResult]:
    """Make a draft or archived version the active one and rescore every lead with it."""
    with db.write() as conn:
        model = get_model(conn, model_id)
        registry = load_registry(conn)
        check(model, registry)
        ensure_active_model(conn)  # the default becomes an archived version one can go back to
        _archive_active(conn)
        conn.execute(
            models.update()
            .where(models.c.id == model_id)
            .values(state="active", activated_at=utcnow())
        )
        return (yield from rescore_steps(conn, model_id, model, registry))


def export_model_json(conn: Connection, path: Path, model_id: int | None = None) -> Path:
    """Write a version (the active one by default) to a JSON file others can import."""
    model = active_model(conn)[1] if model_id is None else get_model(conn, model_id)
    text = json.dumps(model.to_dict(), indent=2, ensure_ascii=False) + "\n"
    try:
        path.write_text(text, "utf-8")
    except OSError as exc:
        raise BadFileError(
            f"Could not write {path}: {exc.strerror or exc}. Choose another folder."
        ) from exc
    return path


def import_model_json(conn: Connection, path: Path) -> int:
    """Store the model in a JSON file as a new draft and return its id."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError as exc:
        raise BadFileError(f"There is no file {path}. Check its name and folder.") from exc
    except OSError as exc:
        raise BadFileError(
            f"Could not read {path}: {exc.strerror or exc}. Choose a file you can open."
        ) from exc
    except UnicodeDecodeError as exc:
        raise BadFileError(
            f"{path.name} is not a text file. Choose a scoring model exported by LeadDesk."
        ) from exc
    except json.JSONDecodeError as exc:
        raise BadFileError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}). "
            "Choose a scoring model exported by LeadDesk."
        ) from exc
    return save_model(conn, ScoringModel.from_dict(data), state="draft")
