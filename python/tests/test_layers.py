"""The numpy CNN layers (LayerNetwork): the gradient against central finite differences
for convolution (with stride and padding), max- and average-pooling, ReLU, flatten, dense
and dropout; hand-computed pooling and convolution values; dropout's mask from the RNG."""
import json
import unittest

import numpy as np

from fedsim_client import LayerNetwork, Session, network_for
from fedsim_client.rng import SeededRNG


def conv_out(h, k, s, p):
    return (h + 2 * p - k) // s + 1


def session(input_shape, specs, classes):
    """A session document's model part for `specs` (kind and sizes), as the coordinator writes it."""
    layers, blocks, offset, shape, counts = [], [], 0, list(input_shape), {}
    for spec in specs:
        kind = spec['kind']
        entry = dict(spec, input_shape=list(shape))
        if kind == 'conv':
            k, s, p = spec['kernel'], spec['stride'], spec['padding']
            out = [spec['channels'], conv_out(shape[1], k, s, p), conv_out(shape[2], k, s, p)]
            shapes = [[spec['channels'], shape[0], k, k], [spec['channels']]]
        elif kind in ('maxpool', 'avgpool'):
            k, s = spec['kernel'], spec['stride']
            out = [shape[0], conv_out(shape[1], k, s, 0), conv_out(shape[2], k, s, 0)]
        elif kind == 'flatten':
            out = [int(np.prod(shape))]
        elif kind == 'dense':
            out = [spec['outputs']]
            shapes = [[int(np.prod(shape)), spec['outputs']], [spec['outputs']]]
            del entry['outputs']
        else:
            out = list(shape)
        if kind in ('conv', 'dense'):
            index = counts.get(kind, 0)
            counts[kind] = index + 1
            for part, sh in zip(('weight', 'bias'), shapes):
                n = int(np.prod(sh))
                blocks.append({'name': f'{kind}{index}.{part}', 'offset': offset, 'count': n, 'shape': sh,
                               'order': 'row-major', 'pytorch': {'shape': sh, 'transform': 'none'}})
                offset += n
        entry['output_shape'] = out
        layers.append(entry)
        shape = out
    assert shape == [classes]
    doc = {'protocol': 2, 'model': {'kind': 'layers', 'parameter_count': offset, 'blocks': blocks, 'layers': layers}}
    return Session.parse(json.dumps(doc))


def conv(c, k=3, s=1, p=0):
    return {'kind': 'conv', 'channels': c, 'kernel': k, 'stride': s, 'padding': p}


def pool(kind, k=2, s=None):
    return {'kind': kind, 'kernel': k, 'stride': s or k}


RELU, FLAT = {'kind': 'relu'}, {'kind': 'flatten'}


def dense(o):
    return {'kind': 'dense', 'outputs': o}


class LayerNetworkTests(unittest.TestCase):
    def check_gradient(self, s, x, y, seed=3, dropout_seed=None):
        net = network_for(s)
        self.assertIsInstance(net, LayerNetwork)
        rng = np.random.default_rng(seed)
        p = rng.normal(0, 0.5, s.parameter_count).astype(np.float32)

        def run(q):
            return net.loss_and_gradient(q, x, y, None if dropout_seed is None else SeededRNG(dropout_seed))

        _, g = run(p)
        eps = 1e-2
        for j in range(s.parameter_count):
            up, down = p.copy(), p.copy()
            up[j] += eps
            down[j] -= eps
            numeric = (run(up)[0] - run(down)[0]) / (2 * eps)
            self.assertAlmostEqual(float(g[j]), numeric, delta=3e-3, msg=f'parameter {j} ({s.parameter_count})')

    def test_cnn_gradient_matches_finite_differences(self):
        # conv 3 (padding 1) -> relu -> conv 2 (stride 2) -> relu -> maxpool 2 -> flatten -> dense 5 -> relu -> dense 3
        s = session([2, 7, 7], [conv(3, 3, 1, 1), RELU, conv(2, 3, 2, 0), RELU, pool('maxpool'), FLAT, dense(5), RELU,
                                dense(3)], 3)
        rng = np.random.default_rng(1)
        x = rng.normal(0, 1, (4, 2 * 7 * 7)).astype(np.float32)
        self.check_gradient(s, x, np.array([0, 1, 2, 1], dtype=np.int32))

    def test_avgpool_overlapping_and_dropout_gradients(self):
        # avgpool 2 at stride 1 (overlapping windows) and a dropout mask fixed by its seed
        s = session([1, 6, 6], [conv(2, 3), RELU, pool('avgpool', 2, 1), {'kind': 'dropout', 'p': 0.3}, FLAT, dense(4)], 4)
        rng = np.random.default_rng(2)
        x = rng.normal(0, 1, (3, 36)).astype(np.float32)
        self.check_gradient(s, x, np.array([0, 3, 2], dtype=np.int32), dropout_seed=11)

    def test_maxpool_sends_the_gradient_to_the_first_maximum(self):
        # k = 2 on [[1, 3], [3, 2]]: y = 3 and the gradient goes to (0, 1), as the Swift layer.
        s = session([1, 2, 2], [pool('maxpool'), FLAT, dense(2)], 2)
        net = network_for(s)
        p = np.array([1, -1, 0, 0], dtype=np.float32)           # logits (y, -y)
        x = np.array([[1, 3, 3, 2]], dtype=np.float32)
        np.testing.assert_allclose(net.logits(p, x), [[3, -3]])
        acts, saved = net._forward(p, x, None)
        self.assertEqual(int(saved[0].ravel()[0]), 1)
        # conv 1x1 with weight 2 and bias 1 then avgpool 2: (2 * mean + 1) of [[1, 2], [3, 6]] = 7
        s = session([1, 2, 2], [conv(1, 1), pool('avgpool'), FLAT, dense(2)], 2)
        q = np.array([2, 1, 1, -1, 0, 0], dtype=np.float32)
        np.testing.assert_allclose(network_for(s).logits(q, np.array([[1, 2, 3, 6]], dtype=np.float32)), [[7, -7]])

    def test_convolution_is_cross_correlation_with_zero_padding(self):
        # one 3x3 kernel [[0,0,0],[0,0,1],[0,0,0]] with padding 1 shifts the image left by one
        s = session([1, 3, 3], [conv(1, 3, 1, 1), FLAT, dense(2)], 2)
        w = np.zeros(9, dtype=np.float32)
        w[5] = 1
        x = np.arange(1, 10, dtype=np.float32)[None]
        acts, _ = network_for(s)._forward(np.concatenate([w, [0], np.zeros(20, dtype=np.float32)]), x, None)
        np.testing.assert_array_equal(acts[1][0, 0], [[2, 3, 0], [5, 6, 0], [8, 9, 0]])

    def test_dropout_mask_follows_the_rng_stream(self):
        s = session([4], [{'kind': 'dropout', 'p': 0.5}, dense(2)], 2)
        net = network_for(s)
        x = np.ones((2, 4), dtype=np.float32)
        acts, saved = net._forward(np.zeros(s.parameter_count, dtype=np.float32), x, SeededRNG(5))
        r = SeededRNG(5)
        expected = [2.0 if r.next_double() >= 0.5 else 0.0 for _ in range(8)]
        np.testing.assert_array_equal(saved[0].ravel(), expected)
        self.assertIn(0.0, expected)
        self.assertIn(2.0, expected)
        # evaluation mode (no rng): the identity
        np.testing.assert_array_equal(net._forward(np.zeros(s.parameter_count, dtype=np.float32), x, None)[0][1], x)

    def test_layout_mismatch_is_one_clear_error(self):
        s = session([4], [dense(3), RELU, dense(2)], 2)
        layers = s.model['layers']
        with self.assertRaisesRegex(ValueError, r'model.layers\[0\] \(conv\) expects blocks \[.conv0.weight., .conv0.bias.\]'):
            LayerNetwork([dict(layers[0], kind='conv')] + layers[1:], s.blocks)
        with self.assertRaisesRegex(ValueError, r"layer kind 'batchnorm'"):
            LayerNetwork([{'kind': 'batchnorm'}] + layers, s.blocks)


if __name__ == '__main__':
    unittest.main()
