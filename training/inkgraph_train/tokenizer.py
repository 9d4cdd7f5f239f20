"""The CLIP BPE tokenizer, the same algorithm as Inkgraph's nodes/runtime/clip-tokenizer.ts, so training and
inference tokenize identically; and the reduced vocabulary the model ships with."""
import json
import re
import unicodedata

# The JS pattern is <|startoftext|>|<|endoftext|>|'s|…|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+ (flags giu). Python's re has
# no \p{..}: letters are [^\W\d_], digits \d, and the rest is runs of what is neither space, letter nor digit.
PATTERN = re.compile(r"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[^\W\d_]+|\d|(?:[^\s\w]|_)+", re.IGNORECASE)
MAX_MERGES = 49152 - 256 - 2


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_TABLE = bytes_to_unicode()


def clean(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().lower()


def pretokenize(text):
    return PATTERN.findall(text)


class ClipTokenizer:
    def __init__(self, vocab, merges):
        self.vocab = vocab
        self.ranks = {tuple(pair): i for i, pair in enumerate(merges[:MAX_MERGES])}
        self.cache = {}
        self.unk = vocab["<|endoftext|>"]

    @staticmethod
    def from_files(vocab_path, merges_path):
        vocab = json.loads(open(vocab_path, encoding="utf-8").read())
        lines = open(merges_path, encoding="utf-8").read().split("\n")
        start = 1 if lines and lines[0].startswith("#version") else 0
        merges = [tuple(line.split()) for line in lines[start:] if len(line.split()) == 2]
        return ClipTokenizer(vocab, merges)

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = list(token[:-1]) + [token[-1] + "</w>"]
        while len(word) > 1:
            rank, first = min((self.ranks.get((word[i], word[i + 1]), float("inf")), i) for i in range(len(word) - 1))
            if rank == float("inf"):
                break
            a, b = word[first], word[first + 1]
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == a and word[i + 1] == b:
                    merged.append(a + b)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = merged
        self.cache[token] = word
        return word

    def tokens(self, text):
        out = []
        for piece in pretokenize(clean(text)):
            if piece in ("<|startoftext|>", "<|endoftext|>"):
                out.append(piece)
                continue
            out.extend(self.bpe("".join(BYTE_TABLE[b] for b in piece.encode("utf-8"))))
        return out

    def encode(self, text):
        return [self.vocab.get(t, self.unk) for t in self.tokens(text)]
