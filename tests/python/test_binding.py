"""The Python package (python/flatbert) over libflatbert.so: $FLATBERT_LIBRARY, set by ctest to the build's."""
import os
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "python"))
import flatbert  # noqa: E402

pytestmark = pytest.mark.skipif(not os.environ.get("FLATBERT_LIBRARY"),
                                reason="FLATBERT_LIBRARY (libflatbert.so) is not set; ctest sets it")
TEXTS = ["I love my new car", "worst service ever, never again", "@bmw what time do you open tomorrow?"]


@pytest.fixture(scope="module")
def model():
    with flatbert.Model() as m:
        yield m


def test_the_default_model_classifies_as_the_cli_does(model):
    assert model.labels == ["negative", "neutral", "positive"]
    results = model.classify(TEXTS)
    cli = subprocess.run([os.environ["FLATBERT_RUN"], "classify", *TEXTS], capture_output=True, text=True, check=True)
    import json
    expected = [json.loads(line) for line in cli.stdout.splitlines()]
    assert [r["label"] for r in results] == [e["label"] for e in expected]
    for got, want in zip(results, expected):
        assert got["tokens"] == want["tokens"]
        assert got["probs"] == pytest.approx(want["probs"], abs=1e-6)  # the CLI rounds to 6 decimals
        assert sum(got["probs"].values()) == pytest.approx(1.0, abs=1e-5)


def test_a_bad_text_gets_its_own_error_in_place(model):
    results = model.classify(["fine text", b"\xff bad bytes", "", "   ", "x" * (1 << 20 + 1), "more text"])
    assert [("error" in r) for r in results] == [False, True, True, True, True, False]
    assert results[1]["error"] == "invalid UTF-8 at byte 0"
    assert results[2]["error"] == "empty text: nothing to classify"
    assert "limit" in results[4]["error"]
    assert model.classify([]) == []


def test_threads_give_the_same_results(model):
    texts = TEXTS * 20
    assert model.classify(texts, threads=2) == model.classify(texts, threads=1)
    with pytest.raises(flatbert.FlatbertError, match="outside"):
        model.classify(TEXTS, threads=100000)


def test_one_model_serves_several_python_threads(model):
    want = model.classify(TEXTS)
    got = [None] * 4

    def run(i):
        got[i] = model.classify(TEXTS, threads=2)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert got == [want] * 4


def test_an_item_that_is_not_a_text_gets_its_own_error(model):
    # A DataFrame column with missing values holds NaN or None; bytes(5) would have been five zero bytes.
    results = model.classify(["I love my new car", None, float("nan"), 10**9, bytearray(b"worst service ever")])
    assert results[1:4] == [{"error": "not a text: NoneType"}, {"error": "not a text: float"},
                            {"error": "not a text: int"}]
    assert results[0] == model.classify(["I love my new car"])[0]
    assert results[4] == model.classify([b"worst service ever"])[0]
    with pytest.raises(TypeError, match="not int"):
        model.tokenize(5)


def test_a_list_longer_than_one_call_keeps_every_result_in_place(model):
    # classify goes through the library flatbert._CHUNK_TEXTS texts at a time, so its buffers stay small for any list.
    texts = [b"\xff" if i % 3 == 0 else "" if i % 3 == 1 else TEXTS[i % len(TEXTS)]
             for i in range(2 * flatbert._CHUNK_TEXTS + 5)]
    results = model.classify(texts, threads=2)
    assert len(results) == len(texts)
    alone = {t: model.classify([t])[0] for t in TEXTS}
    for i, (text, result) in enumerate(zip(texts, results)):
        if i % 3 == 0:
            assert result == {"error": "invalid UTF-8 at byte 0"}
        elif i % 3 == 1:
            assert result == {"error": "empty text: nothing to classify"}
        else:
            assert result == alone[text]


def test_a_model_of_many_labels_takes_fewer_texts_per_call(tmp_path, monkeypatch):
    # A call's probabilities are capped (_CHUNK_PROBS): 4096 texts of a 65,536-label model would be 1 GB of buffer.
    subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "..", "many_labels.py"),
                    os.environ["FLATBERT_RUN"], "300", str(tmp_path / "m.fbm")], check=True)
    monkeypatch.setattr(flatbert, "_CHUNK_PROBS", 600)  # two texts per call
    calls, classify = [], flatbert.Model._classify
    monkeypatch.setattr(flatbert.Model, "_classify",
                        lambda self, handle, encoded, threads: calls.append(len(encoded)) or
                        classify(self, handle, encoded, threads))
    with flatbert.Model(str(tmp_path / "m.fbm")) as m:
        texts = TEXTS + ["", TEXTS[0]]
        results = m.classify(texts)
        assert calls == [2, 2, 1]
        assert [len(r["probs"]) for r in results if "probs" in r] == [300] * 4
        assert results == [m.classify([t])[0] for t in texts]


def test_tokenize_gives_the_ids_classify_uses(model):
    assert model.tokenize("I love it") == [101, 1045, 2293, 2009, 102]
    assert len(model.tokenize("word " * 1000)) == 64  # the model's max_length
    with pytest.raises(flatbert.FlatbertError, match="invalid UTF-8"):
        model.tokenize(b"\xff")


def test_errors_of_the_model_itself_raise():
    with pytest.raises(flatbert.FlatbertError, match="cannot open model"):
        flatbert.Model("/nonexistent.fbm")
    m = flatbert.Model()
    m.close()
    with pytest.raises(flatbert.FlatbertError, match="closed"):
        m.classify(TEXTS)
    with pytest.raises(TypeError):
        flatbert.Model().classify("one text, not a list")


def test_close_waits_for_the_calls_in_flight_on_other_threads():
    # close() on one thread while another is inside the library (ctypes released the GIL) used to free the model
    # under that call. Now the call finishes with every result, close() returns after it, and later calls raise.
    m = flatbert.Model()
    texts = TEXTS * 3000
    got, started = [], threading.Event()

    def run():
        started.set()
        got.append(m.classify(texts))

    worker = threading.Thread(target=run)
    worker.start()
    started.wait()
    time.sleep(0.02)  # into the call: 9000 texts take about 100 ms
    m.close()
    worker.join()
    assert len(got) == 1 and len(got[0]) == len(texts) and all("label" in r for r in got[0])
    with pytest.raises(flatbert.FlatbertError, match="closed"):
        m.classify(TEXTS)
