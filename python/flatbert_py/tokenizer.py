"""BERT BasicTokenizer + WordPiece, as Hugging Face's tokenizers library runs it (tokenizer.json: BertNormalizer,
BertPreTokenizer, WordPiece, [CLS] A [SEP]). The C++ twin is src/tokenizer/wordpiece.cc."""
import unicodedata

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
# JavaScript's \s after control characters are removed: what BertNormalizer turns into a space.
_WHITESPACE = set("\t\n\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000") | {chr(c) for c in range(0x2000, 0x200B)}
_CJK_RANGES = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
               (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


def _is_control(ch):
    return ch not in "\t\n\r" and unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def load_vocab(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


class WordPieceTokenizer:
    def __init__(self, vocab, lowercase=True, strip_accents=True, max_length=128, max_chars_per_word=100):
        self.vocab = list(vocab)
        self.ids = {tok: i for i, tok in enumerate(self.vocab)}
        self.lowercase, self.strip_accents = lowercase, strip_accents
        self.max_length, self.max_chars_per_word = max_length, max_chars_per_word
        self.unk_id, self.cls_id, self.sep_id = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]
        self.pad_id, self.mask_id = self.ids["[PAD]"], self.ids["[MASK]"]
        self.special = sorted((t for t in SPECIAL_TOKENS if t in self.ids), key=len, reverse=True)

    def normalize(self, text):
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if ch in _WHITESPACE:
                out.append(" ")
            elif _is_cjk(cp):
                out.extend((" ", ch, " "))
            else:
                out.append(ch)
        text = "".join(out)
        if self.lowercase:
            text = text.lower()
        if self.strip_accents:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        return text

    def pre_tokenize(self, text):
        words, word = [], []
        for ch in text:
            if ch in _WHITESPACE:
                if word:
                    words.append("".join(word))
                    word = []
            elif _is_punctuation(ch):
                if word:
                    words.append("".join(word))
                    word = []
                words.append(ch)
            else:
                word.append(ch)
        if word:
            words.append("".join(word))
        return words

    def wordpiece(self, word):
        if len(word) > self.max_chars_per_word:
            return ["[UNK]"]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    break
                end -= 1
            if start == end:
                return ["[UNK]"]
            pieces.append(piece)
            start = end
        return pieces

    def _split_special(self, text):
        """Splits raw text on the special tokens, which are matched before normalization."""
        sections, start, i = [], 0, 0
        while i < len(text):
            if text[i] == "[":
                hit = next((t for t in self.special if text.startswith(t, i)), None)
                if hit:
                    sections.append((text[start:i], False))
                    sections.append((hit, True))
                    i += len(hit)
                    start = i
                    continue
            i += 1
        sections.append((text[start:], False))
        return sections

    def tokenize(self, text):
        tokens = []
        for section, is_special in self._split_special(text):
            if is_special:
                tokens.append(section)
            else:
                for word in self.pre_tokenize(self.normalize(section)):
                    tokens.extend(self.wordpiece(word))
        return tokens

    def encode(self, text, max_length=None):
        """[CLS] tokens [SEP] ids, truncated to max_length (default: the tokenizer's) including both markers."""
        limit = (max_length or self.max_length) - 2
        ids = [self.ids.get(t, self.unk_id) for t in self.tokenize(text)][:limit]
        return [self.cls_id] + ids + [self.sep_id]
