"""Issue 7 on real data: the predictive model on the X Education leads, and its speed.

1. ``../shared/data/xeducation_leads.csv`` is imported as a user would (the import pipeline,
   columns auto-mapped), once with every column and once without ``Tags``, ``Lead Quality``
   and ``Last Notable Activity``; a model is trained for ``Converted``. Targets: hold-out ROC
   AUC at least 0.97 and 0.90, and no worse than a plain one-hot logistic regression written
   directly with scikit-learn on the same stratified 25 % hold-out (same rows, same run).
2. The same file tiled to 100,000 leads (each copy with its own ids) is trained on, end to
   end (reading, cross-validation, hold-out, final fit, every lead's probability written):
   target under 30 s.

Prints one JSON list of rows. Usage: ``python benchmarks/bench_predictive.py [--leads N]``
"""

from __future__ import annotations

import argparse
import csv
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from common import OUT, emit, peak_memory_mb, result, timer

from leaddesk.core.db import SCHEMA_HEAD, Database
from leaddesk.core.importing.pipeline import ImportOptions, import_file
from leaddesk.core.leads import load_registry
from leaddesk.core.progress import run
from leaddesk.core.schema import leads, utcnow
from leaddesk.core.scoring.predictive.features import activity_kinds, load_frame, plan_features
from leaddesk.core.scoring.predictive.quality import roc_auc
from leaddesk.core.scoring.predictive.target import resolve_target
from leaddesk.core.scoring.predictive.training import holdout_split, train_job

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "xeducation_leads.csv"
LEAKY = ("Tags", "Lead Quality", "Last Notable Activity")
ID_COLUMN, TARGET = "Prospect ID", "Converted"
SEED = 7


def write_csv(path: Path, drop: tuple[str, ...] = (), copies: int = 1) -> Path:
    """The data file without the ``drop`` columns, ``copies`` times (ids made unique)."""
    with DATA.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    header, body = rows[0], rows[1:]
    keep = [i for i, name in enumerate(header) if name not in drop]
    id_at = header.index(ID_COLUMN)
    with path.open("w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target)
        writer.writerow([header[i] for i in keep])
        for copy in range(copies):
            for row in body:
                row = [*row]
                if copy:
                    row[id_at] = f"{row[id_at]}-{copy}"
                writer.writerow([row[i] for i in keep])
    return path


def imported(csv_path: Path, db_path: Path) -> Database:
    db = Database.open(db_path)
    run(import_file(db, csv_path, ImportOptions()))
    return db


def baseline_auc(db: Database, drop: tuple[str, ...]) -> float | None:
    """A plain one-hot logistic regression on the raw file, on the model's own hold-out."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    with db.read() as conn:
        registry = load_registry(conn)
        target = resolve_target(conn, registry, TARGET)
        features = plan_features(registry, target, activity_kinds(conn))
        frame = run(load_frame(conn, features, target, registry, utcnow()))
        external = dict(
            conn.execute(leads.select().with_only_columns(leads.c.id, leads.c.external_id)).all()
        )
    labelled = frame.take(~np.isnan(frame.outcome))
    train_rows, test_rows = holdout_split(labelled.outcome, SEED)
    data = pd.read_csv(DATA).drop(columns=list(drop)).set_index(ID_COLUMN)
    data = data.loc[[external[int(i)] for i in labelled.ids]]
    y = data.pop(TARGET).to_numpy()
    data = data.drop(columns=["Lead Number"])
    text = [c for c in data.columns if not pd.api.types.is_numeric_dtype(data[c])]
    numbers = [c for c in data.columns if c not in text]
    model = make_pipeline(
        ColumnTransformer([
            ("text", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                   OneHotEncoder(handle_unknown="ignore")), text),
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
        ]),
        LogisticRegression(max_iter=2000),
    )  # fmt: skip
    model.fit(data.iloc[train_rows], y[train_rows])
    return roc_auc(y[test_rows], model.predict_proba(data.iloc[test_rows])[:, 1])


def quality_rows(work: Path) -> list[dict[str, object]]:
    rows = []
    for name, drop, floor in (
        ("all columns", (), 0.97),
        ("without Tags, Lead Quality, Last Notable Activity", LEAKY, 0.90),
    ):
        db = imported(write_csv(work / f"{len(drop)}.csv", drop), work / f"{len(drop)}.db")
        metrics = run(train_job(db, TARGET, seed=SEED)).metrics
        plain = baseline_auc(db, drop)
        auc = metrics["auc"]
        rows.append(result(
            f"predictive AUC, X Education, {name}", auc, "ROC AUC",
            f">= {floor} and >= plain logistic regression", auc >= floor and auc >= (plain or 0),
            plain_logistic_auc=round(plain or 0, 4), rule_model_auc=metrics["rule_model_auc"],
            model=metrics["model"], cv_auc=metrics["cv_auc"], brier=metrics["brier"],
            n_train=metrics["n_train"], n_test=metrics["n_test"],
            top_decile_share=metrics["lift_by_decile"][0]["share"],
        ))  # fmt: skip
        db.close()
    return rows


def speed_row(n_leads: int, work: Path) -> dict[str, object]:
    copies = -(-n_leads // 9237)
    cached = OUT / f"xeducation-{copies * 9237}-{SCHEMA_HEAD}.db"
    if not cached.exists():
        OUT.mkdir(exist_ok=True)
        imported(write_csv(work / "tiled.csv", copies=copies), cached).close()
    path = work / "speed.db"
    shutil.copy(cached, path)
    db = Database.open(path)
    with timer() as elapsed:
        metrics = run(train_job(db, TARGET, seed=SEED)).metrics
    seconds = elapsed()
    db.close()
    return result(
        f"predictive training, {copies * 9237:,} leads (X Education tiled)", seconds, "s",
        "< 30 s", seconds < 30, model=metrics["model"], auc=metrics["auc"],
        n_train=metrics["n_train"], peak_memory_mb=round(peak_memory_mb()),
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        emit([*quality_rows(work), speed_row(args.leads, work)])


if __name__ == "__main__":
    main()
