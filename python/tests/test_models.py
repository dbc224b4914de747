"""The numpy models: the gradient against central finite differences (in float64 on a
float32 model), the layout read from a session document, the RNG's keyed streams."""
import json
import unittest

import numpy as np

from fedsim_client import DenseNetwork, Session
from fedsim_client.rng import SeededRNG


def session(widths):
    blocks, offset = [], 0
    for k in range(len(widths) - 1):
        i, o = widths[k], widths[k + 1]
        blocks.append({'name': f'dense{k}.weight', 'offset': offset, 'count': i * o, 'shape': [i, o], 'order': 'row-major',
                       'pytorch': {'shape': [o, i], 'transform': 'transpose'}})
        offset += i * o
        blocks.append({'name': f'dense{k}.bias', 'offset': offset, 'count': o, 'shape': [o], 'order': 'row-major',
                       'pytorch': {'shape': [o], 'transform': 'none'}})
        offset += o
    doc = {'protocol': 2, 'model': {'kind': 'mlp', 'parameter_count': offset, 'blocks': blocks}}
    return Session.parse(json.dumps(doc))


class ModelTests(unittest.TestCase):
    def test_gradient_matches_finite_differences(self):
        s = session([4, 5, 3])
        net = DenseNetwork.from_session(s)
        rng = np.random.default_rng(3)
        p = rng.normal(0, 0.5, s.parameter_count).astype(np.float32)
        x = rng.normal(0, 1, (6, 4)).astype(np.float32)
        y = np.array([0, 1, 2, 0, 1, 2], dtype=np.int32)
        _, g = net.loss_and_gradient(p, x, y)
        eps = 1e-2
        for j in range(s.parameter_count):
            up, down = p.copy(), p.copy()
            up[j] += eps
            down[j] -= eps
            numeric = (net.loss_and_gradient(up, x, y)[0] - net.loss_and_gradient(down, x, y)[0]) / (2 * eps)
            self.assertAlmostEqual(float(g[j]), numeric, delta=2e-3, msg=f'parameter {j}')

    def test_logistic_loss_at_zero_is_log_classes(self):
        s = session([3, 4])
        net = DenseNetwork.from_session(s)
        loss, g = net.loss_and_gradient(np.zeros(s.parameter_count, dtype=np.float32),
                                        np.ones((2, 3), dtype=np.float32), np.array([0, 1], dtype=np.int32))
        self.assertAlmostEqual(loss, np.log(4), places=6)
        # d loss / d b_j = mean(softmax - onehot) = 1/4 - (count of j) / 2
        np.testing.assert_allclose(s.blocks[1].view(g), [0.25 - 0.5, 0.25 - 0.5, 0.25, 0.25], atol=1e-7)

    def test_derive_is_keyed_and_does_not_advance(self):
        root = SeededRNG(7)
        a = root.derive('train', 1, 2)
        b = root.derive('train', 1, 2)
        self.assertEqual([a.next() for _ in range(3)], [b.next() for _ in range(3)])
        self.assertNotEqual(root.derive('train', 2, 1).next(), root.derive('train', 1, 2).next())
        order = list(range(50))
        SeededRNG(1).shuffle(order)
        self.assertEqual(sorted(order), list(range(50)))
        draws = [SeededRNG(9).derive('x', k).next_int(3) for k in range(300)]
        self.assertEqual(set(draws), {0, 1, 2})


if __name__ == '__main__':
    unittest.main()
