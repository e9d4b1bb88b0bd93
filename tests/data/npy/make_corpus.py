#!/usr/bin/python3
"""make_corpus.py — the .npy corpus of tests/harness/input/test_npy.c, written by numpy itself.

Run with a Python that has numpy (/usr/bin/python3 here) from this folder: it rewrites every
*.npy file here and MANIFEST, one line per file:

    NAME VERDICT DESCR FORTRAN NDIM DIM0 DIM1 OFFSET

VERDICT is "must" (numpy.save or numpy.lib.format.write_array wrote it and the reader handles
its kind: it must be read exactly as numpy reads it), "numpy" (numpy loads it: the reader may
refuse it, but must not read it otherwise) or "refuse" (numpy refuses it: so must the reader).
For "must" and "numpy" files the rest is what numpy reads: the header's descr, fortran_order
(0/1), the number of dimensions with the first two ("-" for a third or more) and the offset of
the data. The malformed files are edits of a valid header made here; numpy itself decides their
verdict. A file named bad_* must be refused by the reader, whatever numpy does with it (a key
twice: numpy takes the last); odd_* files may be read, as numpy reads them, or refused.
"""
import io
import os
import struct

import numpy as np
from numpy.lib import format as npf

BASE = np.arange(150, dtype="<f8").reshape(50, 3) + 0.5     # no data byte is a blank


def save(name, array, version=None):
    """Writes array with numpy in the given format version; returns the path."""
    with open(name, "wb") as f:
        npf.write_array(f, np.asanyarray(array), version=version, allow_pickle=False)
    return name


def raw(name, dict_text, version=1, data=BASE.tobytes(), length_delta=0, pad=True, minor=0):
    """Writes a .npy by hand: magic, version, the length (off by length_delta), dict_text padded
    with blanks to 64 bytes and ended by a newline when pad, then data."""
    head = dict_text.encode("latin1")
    size = 2 if version == 1 else 4
    if pad:
        total = 6 + 2 + size + len(head) + 1
        head += b" " * ((64 - total % 64) % 64) + b"\n"
    length = struct.pack("<H" if size == 2 else "<I", len(head) + length_delta)
    with open(name, "wb") as f:
        f.write(b"\x93NUMPY" + bytes([version, minor]) + length + head + data)


def numpy_view(name):
    """What numpy reads of the file: None when it refuses it, else (descr, fortran, shape,
    offset)."""
    try:
        with open(name, "rb") as f:
            np.load(f, allow_pickle=False)
        with open(name, "rb") as f:
            version = npf.read_magic(f)
            shape, fortran, dtype = npf._read_array_header(f, version)
            return npf.dtype_to_descr(dtype), fortran, shape, f.tell()
    except Exception:                       # any refusal: ValueError, SyntaxError, EOFError...
        return None


GOOD = "{'descr': '<f8', 'fortran_order': False, 'shape': (50, 3), }"


def shaped(shape):
    """GOOD with another shape text."""
    return GOOD.replace("(50, 3)", shape)


def ordered(order):
    """GOOD with another fortran_order text."""
    return GOOD.replace("False", order)

MUST = {                                    # name: (array, version)
    "v1_f8_50x3.npy": (BASE, None),
    "v2_f8_50x3.npy": (BASE, (2, 0)),
    "v3_f8_50x3.npy": (BASE, (3, 0)),
    "f4_7x3.npy": (np.arange(21, dtype="<f4").reshape(7, 3), None),
    "u8_5.npy": (np.arange(5, dtype="<u8"), None),
    "i8_2x2.npy": (np.arange(4, dtype="<i8").reshape(2, 2), None),
    "f8_scalar.npy": (np.float64(2.5), None),
    "f8_empty_0x3.npy": (np.zeros((0, 3)), None),
    "f8_fortran_4x3.npy": (np.asfortranarray(np.arange(12.0).reshape(4, 3)), None),
    "f8_big_endian_3x3.npy": (np.arange(9, dtype=">f8").reshape(3, 3), None),
}

NUMPY_ONLY = {
    "f8_3d.npy": (np.zeros((2, 2, 3)), None),
}

MALFORMED = {                               # name: raw() keyword arguments
    "bad_length_long.npy": dict(dict_text=GOOD, length_delta=24),
    "odd_length_short.npy": dict(dict_text=GOOD, length_delta=-24),
    "bad_shape_twice.npy": dict(dict_text=shaped("(50, 3), 'shape': (10, 3)")),
    "bad_descr_twice.npy": dict(dict_text="{'descr': '<f4', 'descr': '<f8', "
                                          "'fortran_order': False, 'shape': (50, 3), }"),
    "bad_truely.npy": dict(dict_text=ordered("Truely")),
    "bad_fortran_int.npy": dict(dict_text=ordered("1")),
    "bad_shape_commas.npy": dict(dict_text=shaped("(50,,,3)")),
    "bad_shape_not_tuple.npy": dict(dict_text=shaped("(150)"), data=BASE.tobytes()),
    "bad_shape_list.npy": dict(dict_text=shaped("[50, 3]")),
    "bad_shape_negative.npy": dict(dict_text=shaped("(-50, 3)")),
    "bad_shape_leading_zero.npy": dict(dict_text=shaped("(050, 3)")),
    "odd_shape_underscore.npy": dict(dict_text=shaped("(5_0, 3)")),
    "bad_shape_bool.npy": dict(dict_text=shaped("(True, 3)"), data=BASE.tobytes()[:24]),
    "bad_key_missing.npy": dict(dict_text="{'descr': '<f8', 'shape': (50, 3), }"),
    "bad_key_extra.npy": dict(dict_text=shaped("(50, 3), 'order': 'C'")),
    "bad_garbage_after.npy": dict(dict_text=GOOD + " x"),
    "odd_comment_after.npy": dict(dict_text=GOOD + " # numpy reads Python"),
    "bad_nul_in_padding.npy": dict(dict_text=GOOD + "\0"),
    "bad_no_brace.npy": dict(dict_text=GOOD[:-1]),
    "bad_minor_version.npy": dict(dict_text=GOOD, minor=1),
    "bad_major_version.npy": dict(dict_text=GOOD, version=4),
    "bad_header_too_long.npy": dict(dict_text=GOOD + " " * 12000, version=2),
    "odd_double_quotes.npy": dict(dict_text='{"descr": "<f8", "fortran_order": False, '
                                            '"shape": (50, 3)}'),
    "odd_no_padding.npy": dict(dict_text=GOOD, pad=False),
    "odd_newlines_inside.npy": dict(dict_text="{'descr':\n'<f8',\n'fortran_order': False,\n"
                                              "'shape': (50,\n3)}"),
    "bad_data_short.npy": dict(dict_text=GOOD, data=BASE.tobytes()[:-8]),
}


def line(name, verdict):
    """The MANIFEST line of name, with numpy's reading of it."""
    view = numpy_view(name)
    if view is None:
        if verdict != "refuse":
            raise SystemExit(f"{name}: numpy refuses a file meant as {verdict}")
        return f"{name} refuse - - - - - -"
    if verdict == "refuse":
        verdict = "numpy"                   # numpy loads it: the reader may still refuse
    descr, fortran, shape, offset = view
    dims = [str(d) for d in shape[:2]] + ["-"] * (2 - min(len(shape), 2))
    return f"{name} {verdict} {descr} {int(fortran)} {len(shape)} {dims[0]} {dims[1]} {offset}"


def main():
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    lines = []
    for name, (array, version) in MUST.items():
        save(name, array, version)
        lines.append(line(name, "must"))
    for name, (array, version) in NUMPY_ONLY.items():
        save(name, array, version)
        lines.append(line(name, "numpy"))
    for name, kw in MALFORMED.items():
        raw(name, **kw)
        lines.append(line(name, "refuse"))
    with open("MANIFEST", "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
