"""flatbert from Python: quantized BERT-family text classifiers on the CPU, over the C API (libflatbert.so, ctypes).

    import flatbert
    with flatbert.Model() as model:              # the default model, found as the CLI finds it
        results = model.classify(["I love my new car", "worst service ever"], threads=2)

Each result is {"label": ..., "probs": {label: p}, "tokens": n}, or {"error": "..."} for a text that cannot be
classified (invalid UTF-8, empty, over 1 MiB): one result per text, in order. Errors of the model itself (a file
that is missing or malformed) raise FlatbertError with the library's message.
"""
import contextlib
import ctypes
import os
import threading

__all__ = ["FlatbertError", "Model", "library_path", "default_model_path"]

ABI_VERSION = 1  # FLATBERT_ABI_VERSION of include/flatbert/flatbert.h
_ERR = 1024  # bytes of message room per text
# Texts per call into the library, at most 4096 and 1,048,576 probabilities (fewer texts for a model of over 256
# labels): its buffers stay a few MB however long the list and however many labels (65,536 would make 1 GB).
_CHUNK_TEXTS, _CHUNK_PROBS = 4096, 1 << 20
_HERE = os.path.dirname(os.path.abspath(__file__))
_REPO = os.path.normpath(os.path.join(_HERE, "..", ".."))

try:  # written by `cmake --install`: the library and the model, relative to the install prefix
    from . import _installed
    _PREFIX = os.path.normpath(os.path.join(_HERE, *[".."] * _installed.DEPTH))
except ImportError:
    _installed = None


class FlatbertError(Exception):
    """A model that cannot be loaded, a library that does not match, a call with wrong arguments."""


def library_path():
    """$FLATBERT_LIBRARY, else the installed libflatbert.so.1, else the build tree's (build/)."""
    if os.environ.get("FLATBERT_LIBRARY"):
        return os.environ["FLATBERT_LIBRARY"]
    if _installed:
        return os.path.join(_PREFIX, _installed.LIBRARY)
    return os.path.join(_REPO, "build", f"libflatbert.so.{ABI_VERSION}")


def default_model_path():
    """$FLATBERT_MODEL, else the installed default model, else the source tree's models/default.fbm."""
    if os.environ.get("FLATBERT_MODEL"):
        return os.environ["FLATBERT_MODEL"]
    if _installed:
        return os.path.join(_PREFIX, _installed.MODEL)
    return os.path.join(_REPO, "models", "default.fbm")


_lib = None


def _library():
    global _lib
    if _lib is None:
        path = library_path()
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            raise FlatbertError(f"cannot load the flatbert library {path}: {e} (set FLATBERT_LIBRARY)") from e
        if lib.flatbert_abi_version() != ABI_VERSION:
            raise FlatbertError(f"{path} has ABI {lib.flatbert_abi_version()}, this package needs {ABI_VERSION}")
        c = ctypes
        lib.flatbert_load.restype = c.c_void_p
        lib.flatbert_load.argtypes = [c.c_char_p, c.c_char_p, c.c_size_t]
        lib.flatbert_free.argtypes = [c.c_void_p]
        lib.flatbert_num_labels.argtypes = [c.c_void_p]
        lib.flatbert_label.restype = c.c_char_p
        lib.flatbert_label.argtypes = [c.c_void_p, c.c_int]
        lib.flatbert_multi_label.argtypes = [c.c_void_p]
        lib.flatbert_classify_batch.restype = c.c_long
        lib.flatbert_classify_batch.argtypes = [c.c_void_p, c.POINTER(c.c_char_p), c.POINTER(c.c_size_t), c.c_size_t,
                                                c.c_int, c.POINTER(c.c_int), c.POINTER(c.c_float),
                                                c.POINTER(c.c_int), c.c_char_p, c.c_size_t]
        lib.flatbert_tokenize.restype = c.c_long
        lib.flatbert_tokenize.argtypes = [c.c_void_p, c.c_char_p, c.c_size_t, c.POINTER(c.c_int32), c.c_size_t,
                                          c.c_char_p, c.c_size_t]
        _lib = lib
    return _lib


def _utf8(text):
    """A str as UTF-8, bytes-like as they are; None for anything else (bytes(n) of an int n is n zero bytes)."""
    if isinstance(text, str):
        return text.encode("utf-8", "surrogatepass")
    if isinstance(text, (bytes, bytearray, memoryview)):
        return bytes(text)
    return None


class Model:
    """A loaded .fbm (memory-mapped and verified). Safe to share between threads; close() or `with` frees it, once
    the calls already inside it on other threads return."""

    def __init__(self, path=None):
        self.path = path or default_model_path()
        self._handle = None
        self._calls = 0  # calls inside the library; close() waits for them
        self._state = threading.Condition()
        self._lib = _library()
        err = ctypes.create_string_buffer(_ERR)
        self._handle = self._lib.flatbert_load(os.fsencode(self.path), err, _ERR)
        if not self._handle:
            raise FlatbertError(err.value.decode("utf-8", "replace"))
        self.labels = [self._lib.flatbert_label(self._handle, i).decode("utf-8")
                       for i in range(self._lib.flatbert_num_labels(self._handle))]
        self.multi_label = bool(self._lib.flatbert_multi_label(self._handle))

    @contextlib.contextmanager
    def _live(self):
        """The handle, for one call into the library: close() on another thread waits until the call returns."""
        with self._state:
            handle = self._handle
            if not handle:
                raise FlatbertError("the model is closed")
            self._calls += 1
        try:
            yield handle
        finally:
            with self._state:
                self._calls -= 1
                self._state.notify_all()

    def classify(self, texts, threads=1):
        """One result per text, in order: {"label", "probs", "tokens"} (a multi-label model adds "labels", every
        label with probability >= 0.5), or {"error"}, also for an item that is not a str or bytes (a pandas NaN,
        None). threads: 0 for one per core."""
        if isinstance(texts, (str, bytes)):
            raise TypeError("classify takes a list of texts; wrap one text in a list")
        results, encoded, places = [], [], []  # places[j]: the index in results of encoded[j]
        for text in texts:
            data = _utf8(text)
            if data is None:
                results.append({"error": f"not a text: {type(text).__name__}"})
                continue
            places.append(len(results))
            encoded.append(data)
            results.append(None)
        chunk_texts = max(1, min(_CHUNK_TEXTS, _CHUNK_PROBS // len(self.labels)))
        with self._live() as handle:
            for start in range(0, len(encoded), chunk_texts):
                chunk = self._classify(handle, encoded[start:start + chunk_texts], int(threads))
                for place, result in zip(places[start:start + chunk_texts], chunk):
                    results[place] = result
        return results

    def _classify(self, handle, encoded, threads):
        n, k = len(encoded), len(self.labels)
        c = ctypes
        text_ptrs = (c.c_char_p * n)(*encoded)
        lens = (c.c_size_t * n)(*[len(t) for t in encoded])
        labels = (c.c_int * n)()
        probs = (c.c_float * (n * k))()
        tokens = (c.c_int * n)()
        errors = c.create_string_buffer(n * _ERR)
        failed = self._lib.flatbert_classify_batch(handle, text_ptrs, lens, n, threads, labels, probs, tokens, errors,
                                                   _ERR)

        def message(i):  # text i's message; errors.raw would copy the whole buffer for each
            return c.string_at(c.addressof(errors) + i * _ERR).decode("utf-8", "replace")

        if failed < 0:
            raise FlatbertError(message(0))
        results = []
        for i in range(n):
            if labels[i] < 0:
                results.append({"error": message(i)})
                continue
            p = {self.labels[j]: probs[i * k + j] for j in range(k)}
            result = {"label": self.labels[labels[i]], "probs": p, "tokens": tokens[i]}
            if self.multi_label:
                result["labels"] = [name for name, value in p.items() if value >= 0.5]
            results.append(result)
        return results

    def tokenize(self, text):
        """The token ids the model sees for `text` ([CLS] ... [SEP], truncated to its max_length)."""
        data = _utf8(text)
        if data is None:
            raise TypeError(f"tokenize takes a str or bytes, not {type(text).__name__}")
        err = ctypes.create_string_buffer(_ERR)
        ids = (ctypes.c_int32 * 512)()
        with self._live() as handle:
            count = self._lib.flatbert_tokenize(handle, data, len(data), ids, 512, err, _ERR)
            if count > 512:
                ids = (ctypes.c_int32 * count)()
                count = self._lib.flatbert_tokenize(handle, data, len(data), ids, count, err, _ERR)
        if count < 0:
            raise FlatbertError(err.value.decode("utf-8", "replace"))
        return list(ids[:count])

    def close(self):
        """Frees the model once the calls already inside it on other threads return; calls after it raise."""
        state = getattr(self, "_state", None)
        if state is None:  # __init__ did not get that far
            return
        with state:
            handle, self._handle = self._handle, None
            while self._calls:
                state.wait()
        if handle:
            self._lib.flatbert_free(handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def __repr__(self):
        return f"flatbert.Model({self.path!r}, labels={self.labels})"
