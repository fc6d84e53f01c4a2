"""train -> save -> load round trip of a user's own model, used as an analyzer."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanjeh import text
from sanjeh.errors import ConfigError, ValidationError

ROWS = [
    ("سفارشم دیر رسید و خراب بود", "complaint"),
    ("بسته هنوز نرسیده، خیلی ناراحتم", "complaint"),
    ("کالا شکسته به دستم رسید", "complaint"),
    ("پول من برنگشته و کسی جواب نمیده", "complaint"),
    ("الطلب وصل خربان", "complaint"),
    ("my parcel arrived broken and late", "complaint"),
    ("چطور رمز عبورم رو عوض کنم؟", "question"),
    ("ساعت کاری شما چنده؟", "question"),
    ("هزینه ارسال به شیراز چقدره؟", "question"),
    ("كيف أغير كلمة المرور؟", "question"),
    ("how do I change my password?", "question"),
    ("what are your opening hours?", "question"),
] * 3


def test_train_save_load_round_trip(tmp_path: Path) -> None:
    trained = text.train(ROWS, tmp_path / "model", name="intent")
    loaded = text.load_model(tmp_path / "model")
    assert loaded.name == "intent"
    probe = ["بسته‌ام شکسته رسید", "ساعت کاری پشتیبانی چنده؟"]
    docs = text.prepare(probe)
    a, b = trained.analyze(docs), loaded.analyze(docs)
    assert [s.label for s in a] == [s.label for s in b] == ["complaint", "question"]
    assert [s.score for s in a] == pytest.approx([s.score for s in b], abs=1e-4)
    assert all(0.5 < s.score <= 1 for s in a)
    # evidence: words of the message that pushed towards the label
    assert all(probe[0][e.start : e.end] == e.text for e in a[0].evidence)
    # the file is plain JSON, not a pickle
    data = json.loads((tmp_path / "model" / "model.json").read_text("utf-8"))
    assert data["format"] == "sanjeh-linear-text/1" and data["labels"] == ["complaint", "question"]


def test_train_from_csv_and_replace_default_sentiment(tmp_path: Path) -> None:
    path = tmp_path / "labelled.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for t, label in [
            ("عالی بود ممنون", "positive"),
            ("افتضاح بود", "negative"),
            ("great service", "positive"),
            ("awful service", "negative"),
        ] * 5:
            writer.writerow([t, label])
    model = text.train(path, tmp_path / "sentiment.json", name="sentiment")
    text.registry.register(model)
    (result,) = text.analyze(["عالی بود"], role="customer")
    signal = result.get("sentiment")
    assert signal is not None and signal.label == "positive" and signal.score > 0
    assert signal.version.startswith("linear-")
    assert text.sentiment(["awful service"])[0] < 0


def test_train_errors(tmp_path: Path) -> None:
    with pytest.raises(ValidationError):
        text.train([("a", "x"), ("b", "x"), ("c", "x"), ("d", "x")], tmp_path / "m")
    with pytest.raises(ConfigError):
        text.train(tmp_path / "missing.csv", tmp_path / "m")
    bad = tmp_path / "bad.csv"
    bad.write_text("message,kind\nhello,x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="missing column"):
        text.train(bad, tmp_path / "m")
    with pytest.raises(ConfigError):
        text.load_model(tmp_path / "nowhere")
    (tmp_path / "junk.json").write_text('{"format": "other"}', encoding="utf-8")
    with pytest.raises(ConfigError):
        text.load_model(tmp_path / "junk.json")
