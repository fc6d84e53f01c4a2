"""Analyzers backed by a user-supplied model: a local transformers model directory, or an
OpenAI-compatible chat-completions endpoint. Both sit behind the same interface as the
offline defaults, so QA code never knows which one it talks to."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BackendUnavailable, ConfigError
from ._types import ALL_ROLES, Doc, Evidence, Signal


def _polar_score(label: str, score: float) -> float:
    """Map a sentiment label + confidence to -1..1 (other labels keep their confidence)."""
    low = label.lower()
    if low.startswith("pos"):
        return score
    if low.startswith("neg"):
        return -score
    if low.startswith("neu"):
        return 0.0
    return score


@dataclass
class TransformersAnalyzer:
    """A local Hugging Face model directory (text classification), run on CPU.

    ``transformers`` is imported only when the first batch is analysed, and the model is
    loaded from ``path`` with ``local_files_only`` -- nothing is downloaded. For a
    sentiment model (labels positive / negative / neutral) the score is a polarity.
    """

    path: str | Path
    name: str = "sentiment"
    roles: frozenset[str] = ALL_ROLES
    batch_size: int = 32
    _pipeline: Any = field(default=None, init=False, repr=False)

    @property
    def version(self) -> str:
        return f"transformers:{Path(self.path).name}"

    def _load(self) -> Any:
        if self._pipeline is None:
            if not Path(self.path).is_dir():
                raise ConfigError(f"{self.path} is not a model directory; give a local path")
            try:
                from transformers import pipeline
            except ImportError as exc:
                raise ConfigError(
                    "the transformers package is not installed; pip install "
                    "'sanjeh[transformers]' (transformers and torch) to use a local model"
                ) from exc
            self._pipeline = pipeline(
                "text-classification",
                model=str(self.path),
                tokenizer=str(self.path),
                model_kwargs={"local_files_only": True},
                device=-1,
            )
        return self._pipeline

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        pipe = self._load()
        results = pipe([d.text for d in docs], batch_size=self.batch_size, truncation=True, top_k=1)
        out: list[Signal] = []
        for doc, result in zip(docs, results, strict=True):
            best = result[0] if isinstance(result, list) else result
            label = str(best["label"]).lower()
            score = _polar_score(label, float(best["score"]))
            whole = (Evidence(0, len(doc.text), doc.text),) if doc.text else ()
            out.append(Signal(self.name, label, round(score, 4), whole, self.version))
        return out


_PROMPT = """You rate one customer-support message for the analyzer "{name}".
{instruction}
Answer with JSON only: {{"label": one of {labels}, "score": a number {score_range},
"evidence": the exact words of the message that show it (copied verbatim), or ""}}.

Message:
{text}"""


@dataclass
class HttpAnalyzer:
    """An OpenAI-compatible ``/chat/completions`` endpoint (a local vLLM / llama.cpp /
    Ollama server, or a hosted one) asked for JSON ``{label, score, evidence}``.

    ``base_url`` is the API root (``http://127.0.0.1:8000/v1``). The evidence quote is
    located in the message to give its span; a quote not found in it is dropped.
    """

    base_url: str
    model: str
    name: str = "sentiment"
    labels: tuple[str, ...] = ("positive", "negative", "neutral")
    instruction: str = "Say whether the customer's sentiment is positive, negative or neutral."
    score_range: str = "from -1 (negative) to 1 (positive)"
    api_key: str | None = None
    roles: frozenset[str] = ALL_ROLES
    timeout: float = 30.0
    concurrency: int = 4

    @property
    def version(self) -> str:
        return f"http:{self.model}"

    def _request(self, text: str) -> dict[str, Any]:
        prompt = _PROMPT.format(
            name=self.name,
            instruction=self.instruction,
            labels=json.dumps(list(self.labels), ensure_ascii=False),
            score_range=self.score_range,
            text=text,
        )
        body = json.dumps(
            {
                "model": self.model,
                "messages": [{"role": "user", "content": prompt}],
                "temperature": 0,
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        url = self.base_url.rstrip("/") + "/chat/completions"
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url {self.base_url!r} must start with http:// or https://")
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise BackendUnavailable(
                f"{url} answered HTTP {exc.code}; check base_url, model and api_key"
            ) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise BackendUnavailable(
                f"{url} is unreachable ({exc}); is the server running?"
            ) from exc
        except json.JSONDecodeError as exc:
            raise BackendUnavailable(f"{url} did not answer JSON ({exc})") from exc
        try:
            content = payload["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError) as exc:
            raise BackendUnavailable(
                f"{url} answered no chat completion: {payload!r:.200}"
            ) from exc
        return _parse_answer(str(content))

    def _signal(self, doc: Doc, answer: dict[str, Any]) -> Signal:
        label = str(answer.get("label", "")).strip().lower()
        if label not in self.labels:
            label = "unknown"
        try:
            score = float(answer.get("score", 0.0))
        except (TypeError, ValueError):
            score = 0.0
        evidence: tuple[Evidence, ...] = ()
        quote = str(answer.get("evidence") or "").strip()
        if quote:
            at = doc.text.find(quote)
            if at >= 0:
                evidence = (Evidence(at, at + len(quote), quote),)
        return Signal(self.name, label, round(score, 4), evidence, self.version)

    def analyze(self, docs: Sequence[Doc]) -> list[Signal]:
        if not docs:
            return []
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            answers = list(pool.map(self._request, [d.text for d in docs]))
        return [self._signal(d, a) for d, a in zip(docs, answers, strict=True)]


def _parse_answer(content: str) -> dict[str, Any]:
    """The JSON object in a model's answer (tolerates ```json fences and chatter)."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end <= start:
        return {}
    try:
        value = json.loads(content[start : end + 1])
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
