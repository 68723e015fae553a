"""Tweet normalizer. The C++ twin is src/tokenizer/tweet_normalizer.cc; both must give identical output
(tests/tokenizer/normalizer_parity_test compares them on every tweet in ../shared/data).

Rules, applied left to right in one pass over the text:
  - `@handle` (ASCII letters, digits, `_`) becomes `@user` when replace_mentions is set;
  - `http://...`, `https://...` and `www....` up to the next whitespace become `http` when replace_urls is set;
  - HTML entities &amp; &lt; &gt; &quot; &apos; &nbsp; and numeric &#NN; / &#xHH; are decoded when unescape_html;
  - runs of whitespace become one space and the ends are trimmed when collapse_whitespace is set.
Emoji and everything else are kept as they are.
"""
from dataclasses import dataclass

NAMED_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'", "nbsp": "\u00a0"}
# Whitespace for collapsing: the same set the BERT normalizer maps to a space (JS \s).
WHITESPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {chr(c) for c in range(0x2000, 0x200B)}


@dataclass
class NormalizerOptions:
    replace_mentions: bool = True
    replace_urls: bool = True
    unescape_html: bool = True
    collapse_whitespace: bool = True


def _is_handle_char(ch):
    return ch == "_" or ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def _starts_url(text, i):
    low = text[i:i + 8].lower()
    if low.startswith("http://") or low.startswith("https://"):
        return True
    return low.startswith("www.") and (i == 0 or not _is_handle_char(text[i - 1]))


def _decode_entity(text, i):
    """Returns (decoded, length) for an entity starting at text[i] == '&', or None."""
    end = text.find(";", i + 1, i + 12)
    if end < 0:
        return None
    name = text[i + 1:end]
    if name in NAMED_ENTITIES:
        return NAMED_ENTITIES[name], end + 1 - i
    if len(name) >= 2 and name[0] == "#":
        digits, base = (name[2:], 16) if name[1] in "xX" else (name[1:], 10)
        valid = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
        if digits and len(digits) <= 7 and all(c in valid for c in digits):
            cp = int(digits, base)
            if 0 < cp <= 0x10FFFF and not (0xD800 <= cp <= 0xDFFF):
                return chr(cp), end + 1 - i
    return None


def normalize_tweet(text, opts=NormalizerOptions()):
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if opts.replace_mentions and ch == "@" and i + 1 < n and _is_handle_char(text[i + 1]):
            i += 1
            while i < n and _is_handle_char(text[i]):
                i += 1
            out.append("@user")
            continue
        if opts.replace_urls and ch in "hHwW" and _starts_url(text, i):
            while i < n and text[i] not in WHITESPACE:
                i += 1
            out.append("http")
            continue
        if opts.unescape_html and ch == "&":
            entity = _decode_entity(text, i)
            if entity:
                out.append(entity[0])
                i += entity[1]
                continue
        out.append(ch)
        i += 1
    result = "".join(out)
    if opts.collapse_whitespace:
        result = " ".join(w for w in _split_ws(result) if w)
    return result


def _split_ws(text):
    word = []
    for ch in text:
        if ch in WHITESPACE:
            yield "".join(word)
            word = []
        else:
            word.append(ch)
    yield "".join(word)
