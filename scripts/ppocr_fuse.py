#!/usr/bin/env python3
"""Writes algebraically simplified copies of the PP-OCR ONNX models.

    python3 scripts/ppocr_fuse.py SRC.onnx DST.onnx

Run by scripts/setup.sh with pinned onnx/numpy wheels (scripts/model_tools.requirements.txt)
on the det/rec/cls models unpacked from rapidocr-onnxruntime; the outputs' sha256 are in
scripts/third_party.lock.

Why: PP-LCNetV3, the backbone of the PP-OCRv4 detector and recogniser, follows every
convolution with a "learnable affine block" (y = a*x + b, scalars) and a hard-swish written
out as five elementwise ops (x * clip(x + 3, 0, 6) / 6), then another affine block. ONNX
Runtime fuses none of them, so each conv is followed by up to nine full passes over its
output and a reorder out of and back into its blocked (NCHWc) layout: a third of the
recogniser's CPU time (ORT per-operator profile). This script folds

  * a scalar Mul/Add right after a Conv into the conv's weights and bias;
  * a scalar Mul right before Conv(s) into their weights, and a scalar Add into their bias
    when they have no zero padding (padding would see the shifted zeros differently);
    a Mul c followed by Add d before padded convs becomes Add(d / c) with c in the weights;
  * x * clip(x + 3, 0, 6) / 6 into x * HardSigmoid(x) (alpha 1/6, beta 0.5), two ops
    (opset 12 has no HardSwish; ORT 1.24 expands opset-14 HardSwish into the same two).

Every rewrite is exact up to float32 rounding (outputs differ by ~1e-6). The arithmetic is
done in float64 with exact sums (math.fsum), so the output bytes do not depend on the
machine's SIMD width: setup.sh checks them against a fixed sha256.
"""

import math
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper


class Graph:
    def __init__(self, model):
        self.model = model
        g = model.graph
        self.inits = {t.name: numpy_helper.to_array(t) for t in g.initializer}
        self.nodes = []
        for n in g.node:
            if n.op_type == "Constant" and [a.name for a in n.attribute] == ["value"]:
                self.inits[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
            else:
                self.nodes.append(n)
        self.outputs = {o.name for o in g.output}
        self.serial = 0

    def consumers(self, name):
        return [n for n in self.nodes if name in n.input]

    def scalar(self, name):
        v = self.inits.get(name)
        if v is not None and v.size == 1 and v.dtype == np.float32:
            return float(v.reshape(()))
        return None

    def other_input(self, node, name):
        rest = [i for i in node.input if i != name]
        return rest[0] if len(rest) == 1 else None

    def scalar_operand(self, node):
        """(tensor input, scalar) of a binary Mul/Add with one scalar constant operand."""
        if node.op_type not in ("Mul", "Add") or len(node.input) != 2:
            return None
        a, b = node.input
        if self.scalar(b) is not None and self.scalar(a) is None:
            return a, self.scalar(b)
        if self.scalar(a) is not None and self.scalar(b) is None:
            return b, self.scalar(a)
        return None

    def conv_params(self, conv):
        w = self.inits[conv.input[1]].astype(np.float64)
        if len(conv.input) > 2 and conv.input[2]:
            b = self.inits[conv.input[2]].astype(np.float64)
        else:
            b = np.zeros(w.shape[0])
        return w, b

    def set_conv_params(self, conv, x, w, b):
        self.serial += 1
        wn, bn = f"fused_w_{self.serial}", f"fused_b_{self.serial}"
        self.inits[wn] = w.astype(np.float32)
        self.inits[bn] = b.astype(np.float32)
        del conv.input[:]
        conv.input.extend([x, wn, bn])

    def has_padding(self, conv):
        for a in conv.attribute:
            if a.name == "pads" and any(helper.get_attribute_value(a)):
                return True
            if a.name == "auto_pad" and helper.get_attribute_value(a) not in (b"NOTSET", b"VALID"):
                return True
        return False

    def save(self, path):
        g = self.model.graph
        used = {i for n in self.nodes for i in n.input}
        del g.node[:]
        g.node.extend(self.nodes)
        del g.initializer[:]
        g.initializer.extend(
            numpy_helper.from_array(v, k) for k, v in sorted(self.inits.items()) if k in used
        )
        onnx.checker.check_model(self.model)
        onnx.save(self.model, path)


def fold_affine_after_conv(g):
    """Conv -> Mul/Add by a scalar (the conv's only consumer): into weights and bias."""
    count = 0
    changed = True
    while changed:
        changed = False
        for conv in [n for n in g.nodes if n.op_type == "Conv"]:
            out = conv.output[0]
            users = g.consumers(out)
            if out in g.outputs or len(users) != 1:
                continue
            op = users[0]
            so = g.scalar_operand(op)
            if so is None or so[0] != out:
                continue
            s = so[1]
            w, b = g.conv_params(conv)
            if op.op_type == "Mul":
                w, b = w * s, b * s
            else:
                b = b + s
            g.set_conv_params(conv, conv.input[0], w, b)
            conv.output[0] = op.output[0]
            g.nodes.remove(op)
            count += 1
            changed = True
    return count


def channel_sums(w):
    """Exact per-output-channel sums of a conv weight (machine independent)."""
    return np.array([math.fsum(row) for row in w.reshape(w.shape[0], -1).tolist()])


def fold_affine_before_conv(g):
    """Mul/Add by a scalar whose only consumers are the data input of Convs."""
    count = 0
    changed = True
    while changed:
        changed = False
        for op in [n for n in g.nodes if n.op_type in ("Mul", "Add")]:
            so = g.scalar_operand(op)
            out = op.output[0]
            if so is None or out in g.outputs:
                continue
            x, s = so
            users = g.consumers(out)
            if not users or any(u.op_type != "Conv" or list(u.input).count(out) != 1
                                 or u.input[0] != out for u in users):
                continue
            if op.op_type == "Add" and any(g.has_padding(u) for u in users):
                continue
            for u in users:
                w, b = g.conv_params(u)
                if op.op_type == "Mul":
                    w = w * s
                else:
                    b = b + s * channel_sums(w)
                g.set_conv_params(u, x, w, b)
            g.nodes.remove(op)
            count += 1
            changed = True
    return count


def fold_scale_before_padded_conv(g):
    """Mul c -> Add d -> padded Conv(s): Add(d / c) -> Conv(s) with c folded into weights.

    c * x + d = c * (x + d / c), and a zero padded after the shift is a zero either way."""
    count = 0
    for mul in [n for n in g.nodes if n.op_type == "Mul"]:
        so = g.scalar_operand(mul)
        if so is None or mul.output[0] in g.outputs:
            continue
        x, c = so
        users = g.consumers(mul.output[0])
        if c == 0.0 or len(users) != 1:
            continue
        add = users[0]
        sa = g.scalar_operand(add)
        if sa is None or add.op_type != "Add" or sa[0] != mul.output[0]:
            continue
        d = sa[1]
        convs = g.consumers(add.output[0])
        if add.output[0] in g.outputs or not convs or any(
                u.op_type != "Conv" or u.input[0] != add.output[0]
                or list(u.input).count(add.output[0]) != 1 for u in convs):
            continue
        for u in convs:
            w, b = g.conv_params(u)
            g.set_conv_params(u, add.output[0], w * c, b)
        g.serial += 1
        shift = f"fused_shift_{g.serial}"
        g.inits[shift] = np.array([np.float64(d) / np.float64(c)], dtype=np.float32)
        del add.input[:]
        add.input.extend([x, shift])
        g.nodes.remove(mul)
        count += 1
    return count


def fold_hardswish(g):
    """x * clip(x + 3, 0, 6) / 6 -> x * HardSigmoid(x; 1/6, 0.5)."""
    count = 0
    for add in [n for n in g.nodes if n.op_type == "Add"]:
        so = g.scalar_operand(add)
        if so is None or so[1] != 3.0:
            continue
        x = so[0]
        users = g.consumers(add.output[0])
        if len(users) != 1 or users[0].op_type != "Clip":
            continue
        clip = users[0]
        if len(clip.input) != 3 or g.scalar(clip.input[1]) != 0.0 or g.scalar(clip.input[2]) != 6.0:
            continue
        users = g.consumers(clip.output[0])
        if len(users) != 1 or users[0].op_type != "Mul" or sorted(users[0].input) != sorted([x, clip.output[0]]):
            continue
        mul = users[0]
        users = g.consumers(mul.output[0])
        if len(users) != 1 or users[0].op_type != "Div" or users[0].input[0] != mul.output[0] \
                or g.scalar(users[0].input[1]) != 6.0:
            continue
        div = users[0]
        if any(n.output[0] in g.outputs for n in (add, clip, mul)):
            continue
        at = g.nodes.index(add)
        for n in (add, clip, mul, div):
            g.nodes.remove(n)
        y = div.output[0]
        gate = y + "_hardsigmoid"
        g.nodes[at:at] = [
            helper.make_node("HardSigmoid", [x], [gate], name=gate, alpha=1.0 / 6.0, beta=0.5),
            helper.make_node("Mul", [x, gate], [y], name=y + "_hardswish"),
        ]
        count += 1
    return count


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: ppocr_fuse.py SRC.onnx DST.onnx")
    src, dst = sys.argv[1:]
    g = Graph(onnx.load(src))
    before = len(g.nodes)
    stats = {
        "affine after conv": fold_affine_after_conv(g),
        "affine before conv": fold_affine_before_conv(g),
        "scale before padded conv": fold_scale_before_padded_conv(g),
        "hardswish": fold_hardswish(g),
    }
    g.save(dst)
    print(f"{src} -> {dst}: {before} -> {len(g.nodes)} nodes; folded {stats}", file=sys.stderr)


if __name__ == "__main__":
    main()
