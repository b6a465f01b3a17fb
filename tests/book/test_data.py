"""Data sets: XOR, scikit-learn digits, and MNIST IDX files written by the tests themselves."""

from __future__ import annotations

import gzip
import struct
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pathgrad as pg
from pathgrad.book.data import as_pairs, load_mnist_idx, one_hot, read_idx, write_idx
from pathgrad.support.errors import PathgradValueError
from tests.capped import run_capped


def test_xor():
    pairs = pg.data.xor()
    assert [(x.shape, y.shape) for x, y in pairs] == [((2, 1), (1, 1))] * 4
    assert [(x[0, 0], x[1, 0], y[0, 0]) for x, y in pairs] == [
        (0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0)
    ]


def test_digits_split_and_format():
    train, test = pg.data.digits()
    assert len(train) == 1797 - 297 and len(test) == 297
    x, y = train[0]
    assert x.shape == (64, 1) and y.shape == (10, 1) and y.sum() == 1.0
    assert min(float(x.min()) for x, _ in train) == 0.0
    assert max(float(x.max()) for x, _ in train) == 1.0
    assert all(isinstance(label, int) and 0 <= label <= 9 for _, label in test)
    # fixed seed: the same split every time, a different one for another seed
    again, _ = pg.data.digits()
    assert all(np.array_equal(a[0], b[0]) for a, b in zip(train, again, strict=True))
    other, _ = pg.data.digits(seed=1)
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(train, other, strict=True))
    (X, labels), (Xt, lt) = pg.data.digits(arrays=True)
    assert X.shape == (1500, 64) and labels.shape == (1500,) and Xt.shape == (297, 64)
    np.testing.assert_array_equal(X[0], train[0][0][:, 0])
    assert lt[5] == test[5][1]
    with pytest.raises(ValueError, match="test_size"):
        pg.data.digits(test_size=0)


def write_mnist(tmp_path, n=5, rows=3, cols=2, gz=False, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, rows, cols), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    images_path = tmp_path / f"images-idx3-ubyte{suffix}"
    labels_path = tmp_path / f"labels-idx1-ubyte{suffix}"
    write_idx(images_path, images)
    write_idx(labels_path, labels)
    return images, labels, images_path, labels_path


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_idx(tmp_path, gz):
    images, labels, ip, lp = write_mnist(tmp_path, gz=gz)
    raw = ip.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == gz
    X, y = load_mnist_idx(ip, lp, arrays=True)
    assert X.shape == (5, 6)
    np.testing.assert_allclose(X * 255.0, images.reshape(5, 6), rtol=1e-15)
    np.testing.assert_array_equal(y, labels)
    pairs = load_mnist_idx(ip, lp)
    assert pairs[2][0].shape == (6, 1) and pairs[2][1][labels[2], 0] == 1.0
    assert pairs[2][1].sum() == 1.0


def test_idx_header_is_read_exactly(tmp_path):
    path = tmp_path / "t.idx"
    data = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path.write_bytes(b"\x00\x00\x08\x03" + b"\x00\x00\x00\x02\x00\x00\x00\x03\x00\x00\x00\x04"
                     + data.tobytes())
    np.testing.assert_array_equal(read_idx(path), data)


def test_idx_errors(tmp_path):
    images, labels, ip, lp = write_mnist(tmp_path)
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x12\x34\x08\x03" + ip.read_bytes()[4:])
    with pytest.raises(ValueError, match="wrong magic number 0x12340803"):
        read_idx(bad)
    bad.write_bytes(ip.read_bytes()[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(bad)
    bad.write_bytes(ip.read_bytes() + b"\x00")
    with pytest.raises(ValueError, match="longer than its header"):
        read_idx(bad)
    bad.write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match="truncated header"):
        read_idx(bad)
    bad.write_bytes(b"\x00\x00")
    with pytest.raises(ValueError, match="too short"):
        read_idx(bad)
    bad.write_bytes(gzip.compress(ip.read_bytes())[:-10])
    with pytest.raises(ValueError, match="gzip"):
        read_idx(bad)
    with pytest.raises(FileNotFoundError, match="downloads nothing"):
        read_idx(tmp_path / "missing")
    # images and labels that do not match
    many = tmp_path / "many-labels"
    write_idx(many, np.zeros(6, dtype=np.uint8))
    with pytest.raises(ValueError, match="5 images .* but 6 labels"):
        load_mnist_idx(ip, many)
    with pytest.raises(ValueError, match=r"shape \(n, rows, cols\)"):
        load_mnist_idx(lp, lp)
    with pytest.raises(ValueError, match=r"labels of shape \(n,\)"):
        load_mnist_idx(ip, ip)
    big = tmp_path / "big-labels"
    write_idx(big, np.full(5, 12, dtype=np.uint8))
    with pytest.raises(ValueError, match="digits 0..9"):
        load_mnist_idx(ip, big)
    with pytest.raises(ValueError, match="unsigned bytes"):
        write_idx(tmp_path / "x", np.zeros(3))


def test_helpers():
    np.testing.assert_array_equal(one_hot(2, 4)[:, 0], [0, 0, 1, 0])
    with pytest.raises(ValueError, match="out of range"):
        one_hot(4, 4)
    pairs = as_pairs(np.eye(3), np.array([0, 1, 2]), one_hot_targets=False, n_classes=3)
    assert [label for _, label in pairs] == [0, 1, 2]
    with pytest.raises(ValueError, match="n labels"):
        as_pairs(np.eye(3), np.array([0, 1]))


def test_trains_on_idx_files(tmp_path):
    # a tiny end-to-end run: IDX files on disk -> pairs -> a network that fits them
    rng = np.random.default_rng(3)
    labels = np.arange(20, dtype=np.uint8) % 2
    images = np.zeros((20, 2, 2), dtype=np.uint8)
    images[labels == 1, 0, 0] = 255
    images[labels == 0, 1, 1] = 255
    images = np.clip(images + rng.integers(0, 40, images.shape), 0, 255).astype(np.uint8)
    write_idx(tmp_path / "i.gz", images)
    write_idx(tmp_path / "l.gz", labels)
    train = load_mnist_idx(tmp_path / "i.gz", tmp_path / "l.gz")
    net = pg.Network([4, 3, 10], seed=0)
    net.sgd(train, 40, 5, 3.0, seed=0)
    X, y = load_mnist_idx(tmp_path / "i.gz", tmp_path / "l.gz", arrays=True)
    assert net.evaluate((X, y)) == 20


def idx_header(shape: tuple[int, ...], type_byte: int = 0x08) -> bytes:
    return bytes([0, 0, type_byte, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)


def test_a_gzip_bomb_is_refused_after_reading_one_byte_past_its_header(tmp_path):
    """A 4 MB file whose stream inflates to 4 GB behind a header promising 10 small images
    (64 gzip members of 64 MB of zeros each): refused in well under a second."""
    zeros = gzip.compress(bytes(2**26), compresslevel=9)
    bomb = tmp_path / "bomb-idx3-ubyte.gz"
    bomb.write_bytes(gzip.compress(idx_header((10, 28, 28)) + bytes(7840)) + zeros * 64)
    assert bomb.stat().st_size < 5_000_000
    outcome = run_capped("pathgrad.book.data:read_idx", str(bomb))
    assert outcome.error == "PathgradValueError"
    assert "longer than its header says" in outcome.message
    assert outcome.seconds < 10 and outcome.peak_mb < 200


@pytest.mark.parametrize("gz", [False, True])
def test_a_header_that_promises_more_than_the_file_holds(tmp_path, gz):
    """(2³¹, 2³¹, 4) bytes overflows a 64-bit product to 0; 10⁹ bytes fits the limit but
    the file holds 16: both refused, neither allocated."""
    huge, big = tmp_path / "huge", tmp_path / "big"
    pack = gzip.compress if gz else bytes
    huge.write_bytes(pack(idx_header((2**31, 2**31, 4))))
    big.write_bytes(pack(idx_header((1000, 1000, 1000)) + bytes(16)))
    refused = run_capped("pathgrad.book.data:read_idx", str(huge))
    assert refused.error == "TooLargeError"
    assert "shape (2147483648, 2147483648, 4), 1.84e+07 TB of data: more than max_bytes" in (
        refused.message)
    truncated = run_capped("pathgrad.book.data:read_idx", str(big))
    assert truncated.error == "PathgradValueError"
    assert "truncated: the header gives shape (1000, 1000, 1000)" in truncated.message
    assert truncated.peak_mb < 200 and refused.peak_mb < 200


def read_idx_or_refuse(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.idx"
        path.write_bytes(data)
        try:
            array = read_idx(path, max_bytes=10**6)
        except PathgradValueError:
            return
        assert array.size * array.itemsize == len(gzip.decompress(data) if data[:2] == b"\x1f\x8b"
                                                  else data) - 4 - 4 * array.ndim


GOOD_IDX = idx_header((3, 2, 2)) + bytes(range(12))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes_as_idx(data):
    read_idx_or_refuse(data)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=4),
       st.integers(0, 40), st.booleans())
def test_fuzz_damaged_idx_files_give_an_array_or_the_documented_error(edits, cut, gz):
    data = bytearray(GOOD_IDX)
    for position, value in edits:
        data[position % len(data)] = value
    read_idx_or_refuse(gzip.compress(bytes(data))[: -cut or None] if gz else bytes(data[cut:]))
